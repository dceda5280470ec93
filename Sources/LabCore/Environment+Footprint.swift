import Foundation

extension Environment {
    /// What one instance of the environment holds, with a course's settings applied: the
    /// cores and memory of all its VMs. Read from the stored specification, whose sizes
    /// provisioning fills in from the templates when the environment is added; a VM stored
    /// without them counts as 1 core and 512 MiB, what Proxmox gives a VM that names none.
    public func footprint(with settings: CourseSettings?) -> ResourceUsage {
        struct Sizes: Decodable {
            struct VM: Decodable {
                var cores: Int?
                var memoryMiB: Int?
            }
            var vms: [VM]
        }
        var vms = (try? JSONDecoder().decode(Sizes.self, from: Data(specification.utf8)))?.vms ?? []
        if vms.isEmpty { vms = [Sizes.VM()] }
        if let cores = settings?.cores { vms[0].cores = cores }
        if let memory = settings?.memoryMiB { vms[0].memoryMiB = memory }
        return ResourceUsage(
            instances: 1, cores: vms.reduce(0) { $0 + ($1.cores ?? 1) }, memoryMiB: vms.reduce(0) { $0 + ($1.memoryMiB ?? 512) })
    }
}
