/// The limits of a quota as an admin gives them (`PUT /quotas/{scope}`, `labgate quota set`); absent means no limit.
package struct QuotaLimits: Codable, Equatable {
    static let maximum = 1_000_000_000

    var instances: Int?
    var cores: Int?
    var memoryMiB: Int?
    var checkpoints: Int?

    package init(instances: Int?, cores: Int?, memoryMiB: Int?, checkpoints: Int? = nil) {
        self.instances = instances
        self.cores = cores
        self.memoryMiB = memoryMiB
        self.checkpoints = checkpoints
    }
}
