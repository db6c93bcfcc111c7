import Foundation

/// Renders a kustomize directory with `kubectl kustomize`. The kubectl on PATH may be a dispatcher that tries to
/// reach a cluster (127.0.0.1:8080) first; when it fails, the versioned kubectl binaries installed beside the
/// real one (kubectl.1.31 and so on) render the same without any connection (see shared/tooling.md).
public enum KustomizeRenderer {
    public static func render(directory: String) throws(ManifestError) -> String {
        var failures: [String] = []
        for executable in candidates() {
            switch run(executable, ["kustomize", directory]) {
            case .success(let output) where !output.isEmpty:
                return output
            case .success:
                failures.append("\(executable): empty output")
            case .failure(let detail):
                failures.append("\(executable): \(detail)")
            }
        }
        if failures.isEmpty { failures.append("kubectl is not on PATH") }
        throw .renderFailed(path: directory, detail: failures.joined(separator: "; "))
    }

    /// kubectl from PATH, then the versioned binaries next to its resolved location, newest first.
    static func candidates() -> [String] {
        let fileManager = FileManager.default
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        guard let kubectl = path.split(separator: ":").map({ "\($0)/kubectl" }).first(where: fileManager.isExecutableFile) else {
            return []
        }
        let resolved = URL(fileURLWithPath: kubectl).resolvingSymlinksInPath()
        let directory = resolved.deletingLastPathComponent()
        let versioned = ((try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasPrefix("kubectl.1.") }
            .sorted { minor($0) > minor($1) }
            .map { directory.appendingPathComponent($0).path }
            .filter(fileManager.isExecutableFile)
        return [kubectl] + versioned
    }

    private static func minor(_ name: String) -> Int { Int(name.split(separator: ".").last ?? "") ?? 0 }

    /// Runs a command to completion; stdout and stderr go to temporary files (a pipe could fill and block).
    static func run(_ executable: String, _ arguments: [String]) -> Result<String, RenderFailure> {
        let directory = FileManager.default.temporaryDirectory
        let token = UUID().uuidString
        let outURL = directory.appendingPathComponent("sim-kustomize-\(token).out")
        let errURL = directory.appendingPathComponent("sim-kustomize-\(token).err")
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
              FileManager.default.createFile(atPath: errURL.path, contents: nil),
              let out = try? FileHandle(forWritingTo: outURL), let err = try? FileHandle(forWritingTo: errURL) else {
            return .failure(RenderFailure("cannot create temporary files in \(directory.path)"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failure(RenderFailure("cannot start: \(error)"))
        }
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        let output = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            let errors = ((try? String(contentsOf: errURL, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure(RenderFailure("exit \(process.terminationStatus): \(errors.prefix(400))"))
        }
        return .success(output)
    }

    struct RenderFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
