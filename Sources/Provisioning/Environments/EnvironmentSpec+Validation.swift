import Foundation

extension EnvironmentSpec {
    /// What is wrong with the specification on its own, before Proxmox is asked; empty when nothing.
    public var problems: [String] {
        var problems: [String] = []
        func check(_ condition: Bool, _ problem: @autoclosure () -> String) {
            if !condition { problems.append(problem()) }
        }
        check(Self.matches(name, "^[a-z0-9][a-z0-9-]{0,62}$"), "name must be 1–63 lower-case letters, digits and dashes, starting with a letter or digit")
        check((1...Self.maxVMs).contains(vms.count), "vms must list 1 to \(Self.maxVMs) VMs (the first is the one students connect to)")
        let pinned = Set(vms.compactMap(\.node))
        check(pinned.count <= 1, "every VM of a lab runs on one node, but vms pin \(pinned.sorted().joined(separator: " and "))")
        for (index, vm) in vms.enumerated() {
            let place = "vms[\(index)]"
            check(vm.template >= 100, "\(place).template must be a VMID of 100 or more")
            if let cores = vm.cores { check((1...512).contains(cores), "\(place).cores must be 1 to 512") }
            if let memory = vm.memoryMiB { check((16...4_194_304).contains(memory), "\(place).memoryMiB must be 16 to 4194304") }
            if let node = vm.node { check(Self.matches(node, "^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$"), "\(place).node is not a node name") }
            if let storage = vm.storage {
                check(Self.matches(storage, "^[a-zA-Z][a-zA-Z0-9_.-]*$"), "\(place).storage is not a storage id")
                check(vm.clone == .full, "\(place).storage applies to full clones only (a linked clone stays on the template's storage)")
            }
            if let network = vm.network {
                check(Self.matches(network.bridge, "^[a-zA-Z][a-zA-Z0-9_.-]{0,15}$"), "\(place).network.bridge is not a bridge name (vmbr0)")
                switch network.vlan {
                case .fixed(let tag)?: check((1...4094).contains(tag), "\(place).network.vlan must be 1 to 4094")
                case .perStudent(let range)?, .perCourse(let range)?, .perGroup(let range)?:
                    check(range.lowerBound >= 1 && range.upperBound <= 4094, "\(place).network.vlan range must lie within 1 to 4094")
                case nil: break
                }
            }
            if let cloudInit = vm.cloudInit {
                check(Self.matches(cloudInit.user, "^[a-z_][a-z0-9_-]{0,31}$"), "\(place).cloudInit.user is not a Linux user name")
                for key in cloudInit.sshKeys {
                    check(
                        Self.matches(key, "^(ssh|ecdsa|sk)-[a-z0-9@.-]+ [A-Za-z0-9+/=]+( .*)?$"),
                        "\(place).cloudInit.sshKeys holds a line that is not an OpenSSH public key")
                }
            }
        }
        if let pool = pool { check(Self.matches(pool, "^[A-Za-z0-9_.-]{1,64}$"), "pool is not a Proxmox pool id") }
        for tag in tags {
            check(Self.matches(tag, "^[a-z0-9_][a-z0-9_+.-]{0,63}$"), "tag \(tag.debugDescription) is not a Proxmox tag (lower-case letters, digits, _ + . -)")
        }
        check((1...65535).contains(access.port), "access.port must be 1 to 65535")
        check((1...525_600).contains(lifetimeMinutes), "lifetimeMinutes must be 1 to 525600")
        check((1...525_600).contains(idleTimeoutMinutes), "idleTimeoutMinutes must be 1 to 525600")
        check((1...525_600).contains(maxSessionMinutes), "maxSessionMinutes must be 1 to 525600")
        check((0...60).contains(unused.minutes), "unused.minutes must be 0 (off) to 60: Proxmox keeps a point a minute for the last hour only")
        check((0...100).contains(unused.cpuPercent), "unused.cpuPercent must be 0 to 100")
        check(unused.networkKBps >= 0, "unused.networkKBps must not be negative")
        check((1...1440).contains(unused.graceMinutes), "unused.graceMinutes must be 1 to 1440")
        check((0...LabOperations.maxCheckpoints).contains(checkpoints), "checkpoints must be 0 to \(LabOperations.maxCheckpoints)")
        check(checks.count <= Self.maxChecks, "checks may list at most \(Self.maxChecks) checks")
        check(Set(checks.map(\.name)).count == checks.count, "checks must have different names")
        for (index, check) in checks.enumerated() { problems += check.problems(at: "checks[\(index)]") }
        return problems
    }

    /// The most VMs one lab may have.
    public static let maxVMs = 8
    /// The most checks one environment may declare.
    public static let maxChecks = 20

    /// Throws `invalidEnvironment` with every problem, if there is one.
    public func validate() throws(ProvisioningError) {
        let problems = problems
        if !problems.isEmpty { throw .invalidEnvironment(name: name, problems: problems) }
    }

    private static func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: pattern, options: .regularExpression) != nil
    }
}
