import Foundation
import LabCore

extension LabLifecycle {
    /// requested → allocating: the lifetime starts, the guest password is made.
    func prepare(_ instance: LabInstance) async throws -> LabInstance {
        let spec = try await specification(of: instance)
        return try await move(instance, to: .allocating) { next in
            next.expiresAt = clock.now().addingTimeInterval(TimeInterval(spec.lifetimeMinutes * 60))
            if spec.vms.contains(where: { $0.cloudInit?.generatePassword == true }), next.guestPassword == nil {
                next.guestPassword = GuestPassword.generate()
            }
        }
    }

    /// allocating → cloning: a VMID reserved for each VM, a node chosen that can host them
    /// all, and a clone slot taken on it.
    func allocate(_ instance: LabInstance) async throws -> LabInstance {
        let spec = try await specification(of: instance)
        let cluster = try await ClusterView.load(from: proxmox)
        var templates: [TemplateSource] = []
        for vm in spec.vms {
            guard let template = try await TemplateSource.load(vm.template, in: cluster, from: proxmox) else {
                throw ProvisioningError.invalidEnvironment(name: spec.name, problems: ["template \(vm.template) does not exist in the cluster"])
            }
            templates.append(template)
        }
        var vmids = instance.vmids
        if vmids.count != spec.vms.count {
            let allocator = NumberAllocator(kind: "vmid", range: settings.vmidRange, reservations: reservations)
            guard
                let allocated = try await allocator.allocate(
                    spec.vms.count, for: .instance(instance.id), avoiding: Set(cluster.guests.compactMap(\.vmid)), at: clock.now())
            else { throw ProvisioningError.vmidsExhausted(settings.vmidRange) }
            vmids = allocated
        }
        switch spec.vms.lazy.compactMap(\.network?.vlan).first {
        case .perStudent(let range)?:
            let allocator = NumberAllocator(kind: "vlan", range: range, reservations: reservations)
            guard try await allocator.allocate(1, for: .instance(instance.id), avoiding: [], at: clock.now()) != nil else {
                throw ProvisioningError.vlansExhausted(range)
            }
        case .perCourse(let range)?:
            guard let course = instance.courseID else {
                throw ProvisioningError.invalidEnvironment(
                    name: spec.name, problems: ["it gives each course a VLAN of its own, so its labs are requested through a course's launch"])
            }
            guard try await NumberAllocator(kind: "vlan", range: range, reservations: reservations).shared(by: .course(course), at: clock.now()) != nil else {
                throw ProvisioningError.vlansExhausted(range)
            }
        case .perGroup(let range)?:
            // Reserved now so that a range with no tag left fails the lab before anything is cloned.
            guard try await groupVLAN(range, of: instance, spec: spec) != nil else { throw ProvisioningError.vlansExhausted(range) }
        case .fixed?, nil:
            break
        }
        let memory = zip(spec.vms, templates).reduce(0) { $0 + ($1.0.memoryMiB ?? $1.1.memoryMiB) }
        let candidates = try Placement(memoryCeiling: settings.memoryCeiling).candidates(
            for: templates, pinnedNode: spec.vms.lazy.compactMap(\.node).first, memoryMiB: memory, in: cluster)
        let storage = spec.primary.clone == .full ? (spec.primary.storage ?? templates[0].storage) : templates[0].storage
        let node = try await waitForSlot(instance.id, candidates: candidates, storage: storage)
        return try await move(instance, to: .cloning) { next in
            next.vmid = vmids[0]
            next.companionVMIDs = Array(vmids.dropFirst())
            next.node = node
        }
    }

    /// The first candidate with a free clone slot, waiting for one up to `slotWait`.
    private func waitForSlot(_ id: LabInstanceID, candidates: [String], storage: String) async throws -> String {
        let deadline = ContinuousClock.now + settings.slotWait
        // A lost slot is free once its lab's lease lapses: looking for one a few times a lease is enough.
        var lastReclaim = ContinuousClock.now - settings.instanceLease
        while true {
            let reclaiming = lastReclaim.duration(to: .now) >= settings.instanceLease / 3
            if reclaiming { lastReclaim = .now }
            for node in candidates where try await slots.acquire(for: id, node: node, storage: storage, reclaiming: reclaiming) {
                return node
            }
            guard ContinuousClock.now < deadline else {
                throw ProvisioningError.noCapacity(
                    "\(candidates.joined(separator: ", ")) are at their limit of clones at once (provisioning.maxClonesPerNode, maxClonesPerStorage); the clone waits in the queue"
                )
            }
            // Woken at once by a slot freed in this process; slots freed elsewhere are polled for.
            await slotReleases.wait(timeout: settings.pollInterval * 10)
            try Task.checkCancellation()
        }
    }

    /// cloning → configuring: every VM cloned (or found cloned by an earlier attempt), one
    /// after the other under the instance's clone slot.
    func cloneVM(_ instance: LabInstance) async throws -> LabInstance {
        let spec = try await specification(of: instance)
        guard let node = instance.node else {
            throw ProvisioningError.invalidEnvironment(name: spec.name, problems: ["instance \(instance.id) is cloning without a node"])
        }
        let pool = spec.pool ?? settings.defaultPool
        for machine in try LabMachine.all(of: instance, spec) {
            try await clone(machine, of: instance, spec: spec, node: node, pool: pool)
        }
        try await slots.release(for: instance.id)
        return try await move(instance, to: .configuring)
    }

    private func clone(_ machine: LabMachine, of instance: LabInstance, spec: EnvironmentSpec, node: String, pool: String) async throws {
        let vmid = machine.vmid
        try await stepping(machine.step("clone"), of: instance) { step, remember in
            guard step.reference == nil else {
                try await waitForTask(step.reference, start: { nil }, remember: remember, timeout: settings.cloneTimeout)
                return
            }
            let guests = try await proxmox.resources(type: "vm")
            if let existing = guests.first(where: { $0.vmid == vmid }) {
                guard try await isOurs(existing, instance) else { throw ProvisioningError.foreignVM(vmid: vmid) }
                try await waitUntilUnlocked(vmid: vmid)
                return
            }
            guard let templateNode = guests.first(where: { $0.vmid == machine.spec.template })?.node else {
                throw ProvisioningError.invalidEnvironment(name: spec.name, problems: ["template \(machine.spec.template) does not exist in the cluster"])
            }
            try await proxmox.ensurePool(pool, comment: "Lab VMs made by LabGate")
            let request = CloneRequest(
                newID: vmid, name: Self.vmName(spec, instance, machine), full: machine.spec.clone == .full, targetNode: node,
                storage: machine.spec.storage, pool: pool, description: Self.description(of: instance, machine))
            switch try await proxmox.clone(node: templateNode, vmid: machine.spec.template, request) {
            case .started(let upid):
                try await waitForTask(nil, start: { upid }, remember: remember, timeout: settings.cloneTimeout)
            case .alreadyExists:
                try await waitUntilUnlocked(vmid: vmid)
            }
        }
    }

    /// configuring → starting: cores, memory, network, cloud-init and tags set on every VM.
    func configure(_ instance: LabInstance) async throws -> LabInstance {
        let spec = try await specification(of: instance)
        let (_, node) = try placed(instance)
        // VMs on the same kind of VLAN share its tag: a group's or a course's is looked up once per lab, not once per VM.
        var tags: [VLANSpec?: Int?] = [:]
        for machine in try LabMachine.all(of: instance, spec) {
            let vm = machine.spec
            var params = ProxmoxParameters()
            params.set("cores", vm.cores)
            params.set("memory", vm.memoryMiB)
            if let network = vm.network {
                if tags[network.vlan] == nil { tags[network.vlan] = .some(try await vlanTag(network.vlan, of: instance, spec: spec)) }
                let current = try await proxmox.config(node: node, vmid: machine.vmid)["net0"]
                params.set("net0", Self.net0(current: current, bridge: network.bridge, tag: tags[network.vlan] ?? nil))
            }
            if let cloudInit = vm.cloudInit {
                params.set("ciuser", cloudInit.user)
                params.set("cipassword", cloudInit.generatePassword ? instance.guestPassword : nil)
                if !cloudInit.sshKeys.isEmpty { params.setURLEncoded("sshkeys", cloudInit.sshKeys.joined(separator: "\n")) }
            }
            params.set("tags", ([settings.tag] + spec.tags).joined(separator: ";"))
            try await proxmox.updateConfig(node: node, vmid: machine.vmid, params)
        }
        return try await move(instance, to: try await holdsForItsClass(instance) ? .stopped : .starting)
    }

    /// The VLAN tag the instance's network cards get.
    private func vlanTag(_ vlan: VLANSpec?, of instance: LabInstance, spec: EnvironmentSpec) async throws -> Int? {
        switch vlan {
        case .fixed(let tag)?: return tag
        case .perStudent?: return try await reservations.held(kind: "vlan", by: .instance(instance.id)).first?.value
        case .perCourse?:
            guard let course = instance.courseID else { return nil }
            return try await reservations.held(kind: "vlan", by: .course(course)).first?.value
        case .perGroup(let range)?: return try await groupVLAN(range, of: instance, spec: spec)
        case nil: return nil
        }
    }

    /// The tag of the student's group in the instance's course, shared by the group's labs
    /// and kept by the group as a course keeps its own; a student in no group gets a tag of
    /// their own, released with the lab. Nil when every tag of `range` is taken.
    private func groupVLAN(_ range: ClosedRange<Int>, of instance: LabInstance, spec: EnvironmentSpec) async throws -> Int? {
        guard let course = instance.courseID else {
            throw ProvisioningError.invalidEnvironment(
                name: spec.name, problems: ["it gives each group of a course a VLAN of its own, so its labs are requested through a course's launch"])
        }
        guard let groups else {
            throw CourseGroupsError("this process has no platform to ask (labs of this environment are made by labgate serve or worker)", isTransient: false)
        }
        let allocator = NumberAllocator(kind: "vlan", range: range, reservations: reservations)
        guard let group = try await groups.group(of: instance.userID, in: course) else {
            if let own = try await reservations.held(kind: "vlan", by: .instance(instance.id)).first { return own.value }
            return try await allocator.allocate(1, for: .instance(instance.id), avoiding: [], at: clock.now())?.first
        }
        return try await allocator.shared(by: .group(course, group.id), at: clock.now())
    }

    /// `net0` with the bridge and VLAN tag replaced, keeping the model and MAC the clone got.
    static func net0(current: String?, bridge: String, tag: Int?) -> String {
        let parts = (current ?? "virtio").split(separator: ",").map(String.init)
        let kept = parts.filter { !$0.hasPrefix("bridge=") && !$0.hasPrefix("tag=") }
        return (kept + ["bridge=\(bridge)"] + (tag.map { ["tag=\($0)"] } ?? [])).joined(separator: ",")
    }

    /// `lab-<environment>-<first characters of the instance id>[-vmN]`: a DNS name, as PVE wants.
    static func vmName(_ spec: EnvironmentSpec, _ instance: LabInstance, _ machine: LabMachine) -> String {
        "lab-\(spec.name.prefix(40))-\(instance.id.rawValue.prefix(8))" + (machine.index == 0 ? "" : "-vm\(machine.index + 1)")
    }

    /// What LabGate writes into a clone's description: the mark of ownership it checks
    /// before it ever destroys a VM.
    static func description(of instance: LabInstance, _ machine: LabMachine? = nil) -> String {
        "LabGate lab instance \(instance.id)" + (machine.map { $0.index == 0 ? "" : " (vm \($0.index + 1))" } ?? "")
    }
}
