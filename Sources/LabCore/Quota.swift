/// A ceiling on live lab instances and what they hold, for one scope. A nil limit is no limit.
public struct Quota: Sendable, Hashable, Codable {
    /// What a quota counts over.
    public enum Scope: Sendable, Hashable, Codable, CustomStringConvertible {
        /// Everything LabGate runs: the cluster's share for labs.
        case global
        /// Each course that has no quota of its own.
        case everyCourse
        /// One course, overriding `everyCourse`.
        case course(CourseID)
        /// Each student, across courses (only `instances` applies).
        case eachStudent

        /// The stored key: `global`, `courses`, `course:<id>`, `students`.
        public var description: String {
            switch self {
            case .global: "global"
            case .everyCourse: "courses"
            case .course(let id): "course:\(id)"
            case .eachStudent: "students"
            }
        }

        public init?(_ text: String) {
            switch text {
            case "global": self = .global
            case "courses": self = .everyCourse
            case "students": self = .eachStudent
            default:
                guard text.hasPrefix("course:"), text.count > 7 else { return nil }
                self = .course(CourseID(String(text.dropFirst(7))))
            }
        }

        public init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let scope = Scope(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown quota scope \(text)"))
            }
            self = scope
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(description)
        }
    }

    public var scope: Scope
    public var instances: Int?
    public var cores: Int?
    public var memoryMiB: Int?
    /// Checkpoints students keep in the scope's labs at once (each holds snapshot space).
    public var checkpoints: Int?

    public init(scope: Scope, instances: Int? = nil, cores: Int? = nil, memoryMiB: Int? = nil, checkpoints: Int? = nil) {
        self.scope = scope
        self.instances = instances
        self.cores = cores
        self.memoryMiB = memoryMiB
        self.checkpoints = checkpoints
    }

    /// The first limit that `usage` plus one more instance of `footprint` would pass, named for people.
    public func exceeded(by usage: ResourceUsage, adding footprint: ResourceUsage) -> String? {
        if let instances, usage.instances + footprint.instances > instances { return "\(instances) lab\(instances == 1 ? "" : "s") at once" }
        if let cores, usage.cores + footprint.cores > cores { return "\(cores) cores" }
        if let memoryMiB, usage.memoryMiB + footprint.memoryMiB > memoryMiB { return "\(memoryMiB) MiB of memory" }
        return nil
    }
}

/// What live lab instances hold: how many, and their cores and memory.
public struct ResourceUsage: Sendable, Hashable, Codable {
    public var instances: Int
    public var cores: Int
    public var memoryMiB: Int

    public init(instances: Int = 0, cores: Int = 0, memoryMiB: Int = 0) {
        self.instances = instances
        self.cores = cores
        self.memoryMiB = memoryMiB
    }
}
