import LabCore

extension EnvironmentSpec {
    /// The specification as a course's settings tune it: cores and memory of the VM students
    /// connect to, lifetime, idle timeout, and the course's VLAN on every VM's network.
    public func applying(_ settings: CourseSettings) -> EnvironmentSpec {
        var spec = self
        if let cores = settings.cores { spec.vms[0].cores = cores }
        if let memory = settings.memoryMiB { spec.vms[0].memoryMiB = memory }
        if let lifetime = settings.lifetimeMinutes { spec.lifetimeMinutes = lifetime }
        if let idle = settings.idleTimeoutMinutes { spec.idleTimeoutMinutes = idle }
        if let vlan = settings.vlan {
            for index in spec.vms.indices where spec.vms[index].network != nil {
                spec.vms[index].network?.vlan = .fixed(vlan)
            }
        }
        return spec
    }

    /// The specification with every VM's cores and memory written out, the template's where
    /// it named none, so what an instance holds can be counted without asking Proxmox.
    func sized(by templates: [TemplateSource]) -> EnvironmentSpec {
        var spec = self
        for (index, template) in zip(spec.vms.indices, templates) {
            spec.vms[index].cores = spec.vms[index].cores ?? template.cores
            spec.vms[index].memoryMiB = spec.vms[index].memoryMiB ?? template.memoryMiB
        }
        return spec
    }
}
