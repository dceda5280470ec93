import Foundation
import LabCore

extension LabLifecycle {
    /// requested → allocating: the lifetime starts, the guest password is made.
    func prepare(_ instance: LabInstance) async throws -> LabInstance {
        let spec = try await specification(of: instance)
        return try await move(instance, to: .allocating) { next in
            next.expiresAt = clock.now().addingTimeInterval(TimeInterval(spec.lifetimeMinutes * 60))
            if spec.primary.cloudInit?.generatePassword == true, next.guestPassword == nil {
                next.guestPassword = GuestPassword.generate()
            }
        }
    }

    /// allocating → cloning: a VMID reserved, a node chosen and a clone slot taken on it.
    func allocate(_ instance: LabInstance) async throws -> LabInstance {
        let spec = try await specification(of: instance)
        let vm = spec.primary
        let cluster = try await ClusterView.load(from: proxmox)
        guard let template = try await TemplateSource.load(vm.template, in: cluster, from: proxmox) else {
            throw ProvisioningError.invalidEnvironment(name: spec.name, problems: ["template \(vm.template) does not exist in the cluster"])
        }
        var vmid = instance.vmid
        if vmid == nil {
            let allocator = NumberAllocator(kind: "vmid", range: settings.vmidRange, reservations: reservations)
            vmid = try await allocator.allocate(for: instance.id, avoiding: Set(cluster.guests.compactMap(\.vmid)), at: clock.now())
            guard vmid != nil else { throw ProvisioningError.vmidsExhausted(settings.vmidRange) }
        }
        if case .perStudent(let range)? = vm.network?.vlan {
            let allocator = NumberAllocator(kind: "vlan", range: range, reservations: reservations)
            guard try await allocator.allocate(for: instance.id, avoiding: [], at: clock.now()) != nil else {
                throw ProvisioningError.vlansExhausted(range)
            }
        }
        let candidates = try Placement(memoryCeiling: settings.memoryCeiling).candidates(
            for: template, pinnedNode: vm.node, memoryMiB: vm.memoryMiB ?? template.memoryMiB, in: cluster)
        let storage = vm.clone == .full ? (vm.storage ?? template.storage) : template.storage
        let node = try await waitForSlot(instance.id, candidates: candidates, storage: storage)
        return try await move(instance, to: .cloning) { next in
            next.vmid = vmid
            next.node = node
        }
    }

    /// The first candidate with a free clone slot, waiting for one up to `slotWait`.
    private func waitForSlot(_ id: LabInstanceID, candidates: [String], storage: String) async throws -> String {
        let deadline = ContinuousClock.now + settings.slotWait
        while true {
            for node in candidates where try await slots.acquire(for: id, node: node, storage: storage) {
                return node
            }
            guard ContinuousClock.now < deadline else {
                throw ProvisioningError.noCapacity(
                    "\(candidates.joined(separator: ", ")) are at their limit of clones at once (provisioning.maxClonesPerNode, maxClonesPerStorage); the clone waits in the queue")
            }
            // Woken at once by a slot freed in this process; slots freed elsewhere are polled for.
            await slotReleases.wait(timeout: settings.pollInterval * 10)
            try Task.checkCancellation()
        }
    }

    /// cloning → configuring: the clone made (or found made by an earlier attempt) and finished.
    func cloneVM(_ instance: LabInstance) async throws -> LabInstance {
        let spec = try await specification(of: instance)
        let vm = spec.primary
        guard let vmid = instance.vmid, let node = instance.node else {
            throw ProvisioningError.invalidEnvironment(name: spec.name, problems: ["instance \(instance.id) is cloning without a VMID or node"])
        }
        let pool = spec.pool ?? settings.defaultPool
        try await stepping("clone", of: instance) { step, remember in
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
            guard let templateNode = guests.first(where: { $0.vmid == vm.template })?.node else {
                throw ProvisioningError.invalidEnvironment(name: spec.name, problems: ["template \(vm.template) does not exist in the cluster"])
            }
            try await proxmox.ensurePool(pool, comment: "Lab VMs made by LabGate")
            let request = CloneRequest(
                newID: vmid, name: Self.vmName(spec, instance), full: vm.clone == .full, targetNode: node, storage: vm.storage,
                pool: pool, description: Self.description(of: instance))
            switch try await proxmox.clone(node: templateNode, vmid: vm.template, request) {
            case .started(let upid):
                try await waitForTask(nil, start: { upid }, remember: remember, timeout: settings.cloneTimeout)
            case .alreadyExists:
                try await waitUntilUnlocked(vmid: vmid)
            }
        }
        try await slots.release(for: instance.id)
        return try await move(instance, to: .configuring)
    }

    /// configuring → starting: cores, memory, network, cloud-init and tags set.
    func configure(_ instance: LabInstance) async throws -> LabInstance {
        let spec = try await specification(of: instance)
        let vm = spec.primary
        let (vmid, node) = try placed(instance)
        var params = ProxmoxParameters()
        params.set("cores", vm.cores)
        params.set("memory", vm.memoryMiB)
        if let network = vm.network {
            let current = try await proxmox.config(node: node, vmid: vmid)["net0"]
            params.set("net0", Self.net0(current: current, bridge: network.bridge, tag: try await vlanTag(network.vlan, of: instance)))
        }
        if let cloudInit = vm.cloudInit {
            params.set("ciuser", cloudInit.user)
            params.set("cipassword", instance.guestPassword)
            if !cloudInit.sshKeys.isEmpty { params.setURLEncoded("sshkeys", cloudInit.sshKeys.joined(separator: "\n")) }
        }
        params.set("tags", ([settings.tag] + spec.tags).joined(separator: ";"))
        try await proxmox.updateConfig(node: node, vmid: vmid, params)
        return try await move(instance, to: .starting)
    }

    /// The VLAN tag the instance's network card gets.
    private func vlanTag(_ vlan: VLANSpec?, of instance: LabInstance) async throws -> Int? {
        switch vlan {
        case .fixed(let tag)?: return tag
        case .perStudent?: return try await reservations.held(kind: "vlan", by: instance.id)?.value
        case nil: return nil
        }
    }

    /// `net0` with the bridge and VLAN tag replaced, keeping the model and MAC the clone got.
    static func net0(current: String?, bridge: String, tag: Int?) -> String {
        let parts = (current ?? "virtio").split(separator: ",").map(String.init)
        let kept = parts.filter { !$0.hasPrefix("bridge=") && !$0.hasPrefix("tag=") }
        return (kept + ["bridge=\(bridge)"] + (tag.map { ["tag=\($0)"] } ?? [])).joined(separator: ",")
    }

    /// `lab-<environment>-<first characters of the instance id>`: a DNS name, as PVE wants.
    static func vmName(_ spec: EnvironmentSpec, _ instance: LabInstance) -> String {
        "lab-\(spec.name.prefix(40))-\(instance.id.rawValue.prefix(8))"
    }

    /// What LabGate writes into a clone's description: the mark of ownership it checks
    /// before it ever destroys a VM.
    static func description(of instance: LabInstance) -> String {
        "LabGate lab instance \(instance.id)"
    }
}
