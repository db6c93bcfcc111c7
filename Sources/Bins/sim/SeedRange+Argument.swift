public import ArgumentParser
public import Sim

extension SeedRange: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

extension Shard: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
