public import Logging

/// Process-wide logging: one line per record on stderr (stdout stays free for machine-readable output).
public enum LogSetup {
    /// Call once, first thing in `main`. `level` comes from `LOG_LEVEL` in the executables.
    public static func bootstrap(level: Logger.Level = .info) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
