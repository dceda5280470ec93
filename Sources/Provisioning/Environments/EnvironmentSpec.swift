import LabCore

/// What an environment (a lab) is made of, as admins write it in
/// `lti-config/environments/*.yaml` and as it is kept, as JSON, in `Environment.specification`.
public struct EnvironmentSpec: Sendable, Hashable, Codable {
    /// Unique, lower-case: `linux-basics`.
    public var name: String
    public var title: String?
    /// The machines of one student's lab, all on one node; students connect to the first.
    public var vms: [VMSpec]
    /// The Proxmox pool clones go into; the configured default when absent.
    public var pool: String?
    /// Proxmox tags put on every clone, besides LabGate's own.
    public var tags: [String]
    public var access: AccessSpec
    /// How long an instance lives before it is torn down.
    public var lifetimeMinutes: Int
    /// How long a ready lab may go without a desktop session open before it is stopped (paused).
    public var idleTimeoutMinutes: Int
    /// How long a lab may run from its start, used or not, before it is paused.
    public var maxSessionMinutes: Int
    /// When a lab with a session open counts as unused, warned, then paused.
    public var unused: UnusedSpec
    /// How many checkpoints a student may keep in one lab (0, the default: none, and a launch
    /// of a lab with nothing else on its page goes straight to the desktop).
    public var checkpoints: Int
    /// Checks of the student's work, run in the first VM ("Check my work", "Hand in").
    public var checks: [CheckSpec]

    public init(
        name: String, title: String? = nil, vms: [VMSpec], pool: String? = nil, tags: [String] = [],
        access: AccessSpec = AccessSpec(), lifetimeMinutes: Int = 240, idleTimeoutMinutes: Int = 20, maxSessionMinutes: Int = 240, checkpoints: Int = 0,
        checks: [CheckSpec] = []
    ) {
        self.name = name
        self.title = title
        self.vms = vms
        self.pool = pool
        self.tags = tags
        self.access = access
        self.lifetimeMinutes = lifetimeMinutes
        self.idleTimeoutMinutes = idleTimeoutMinutes
        self.maxSessionMinutes = maxSessionMinutes
        self.unused = UnusedSpec()
        self.checkpoints = checkpoints
        self.checks = checks
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        vms = try container.decode([VMSpec].self, forKey: .vms)
        pool = try container.decodeIfPresent(String.self, forKey: .pool)
        tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
        access = try container.decodeIfPresent(AccessSpec.self, forKey: .access) ?? AccessSpec()
        lifetimeMinutes = try container.decodeIfPresent(Int.self, forKey: .lifetimeMinutes) ?? 240
        idleTimeoutMinutes = try container.decodeIfPresent(Int.self, forKey: .idleTimeoutMinutes) ?? 20
        maxSessionMinutes = try container.decodeIfPresent(Int.self, forKey: .maxSessionMinutes) ?? 240
        unused = try container.decodeIfPresent(UnusedSpec.self, forKey: .unused) ?? UnusedSpec()
        checkpoints = try container.decodeIfPresent(Int.self, forKey: .checkpoints) ?? 0
        checks = try container.decodeIfPresent([CheckSpec].self, forKey: .checks) ?? []
    }

    /// The machine students connect to.
    public var primary: VMSpec { vms[0] }

    /// How the student reaches the first VM: the access protocol and port, as the cloud-init user.
    public var desktopAccess: DesktopAccess {
        DesktopAccess(protocolName: access.protocol.rawValue, port: access.port, username: primary.cloudInit?.user)
    }
}

/// When a lab whose student has a desktop session open counts as unused: its first VM's CPU
/// and network (Proxmox's `rrddata`, a point a minute) below both thresholds for `minutes`.
/// The student is warned, and the lab is paused `graceMinutes` later unless used meanwhile.
public struct UnusedSpec: Sendable, Hashable, Codable {
    /// 0 turns the check off.
    public var minutes: Int
    /// Of all the VM's cores.
    public var cpuPercent: Double
    /// Received and sent together.
    public var networkKBps: Double
    public var graceMinutes: Int

    public init(minutes: Int = 30, cpuPercent: Double = 5, networkKBps: Double = 2, graceMinutes: Int = 10) {
        self.minutes = minutes
        self.cpuPercent = cpuPercent
        self.networkKBps = networkKBps
        self.graceMinutes = graceMinutes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = UnusedSpec()
        minutes = try c.decodeIfPresent(Int.self, forKey: .minutes) ?? defaults.minutes
        cpuPercent = try c.decodeIfPresent(Double.self, forKey: .cpuPercent) ?? defaults.cpuPercent
        networkKBps = try c.decodeIfPresent(Double.self, forKey: .networkKBps) ?? defaults.networkKBps
        graceMinutes = try c.decodeIfPresent(Int.self, forKey: .graceMinutes) ?? defaults.graceMinutes
    }
}

/// One machine of an environment: which template it is cloned from, and how.
public struct VMSpec: Sendable, Hashable, Codable {
    /// Linked clones are fast and share the template's disks; full clones are independent copies.
    public enum CloneMode: String, Sendable, Hashable, Codable {
        case linked, full
    }

    /// The template's VMID.
    public var template: Int
    /// Where clones must go; any node that can reach the template's storage when absent.
    public var node: String?
    /// The target storage of a full clone.
    public var storage: String?
    public var clone: CloneMode
    /// Cores and memory of the clone; the template's when absent.
    public var cores: Int?
    public var memoryMiB: Int?
    public var network: NetworkSpec?
    public var cloudInit: CloudInitSpec?

    public init(
        template: Int, node: String? = nil, storage: String? = nil, clone: CloneMode = .linked, cores: Int? = nil,
        memoryMiB: Int? = nil, network: NetworkSpec? = nil, cloudInit: CloudInitSpec? = nil
    ) {
        self.template = template
        self.node = node
        self.storage = storage
        self.clone = clone
        self.cores = cores
        self.memoryMiB = memoryMiB
        self.network = network
        self.cloudInit = cloudInit
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        template = try container.decode(Int.self, forKey: .template)
        node = try container.decodeIfPresent(String.self, forKey: .node)
        storage = try container.decodeIfPresent(String.self, forKey: .storage)
        clone = try container.decodeIfPresent(CloneMode.self, forKey: .clone) ?? .linked
        cores = try container.decodeIfPresent(Int.self, forKey: .cores)
        memoryMiB = try container.decodeIfPresent(Int.self, forKey: .memoryMiB)
        network = try container.decodeIfPresent(NetworkSpec.self, forKey: .network)
        cloudInit = try container.decodeIfPresent(CloudInitSpec.self, forKey: .cloudInit)
    }
}

/// The clone's first network card: which bridge, and which VLAN.
public struct NetworkSpec: Sendable, Hashable, Codable {
    public var bridge: String
    public var vlan: VLANSpec?

    public init(bridge: String, vlan: VLANSpec? = nil) {
        self.bridge = bridge
        self.vlan = vlan
    }
}

/// Which VLAN tag a clone's network card gets.
public enum VLANSpec: Sendable, Hashable, Codable {
    /// The same tag for every student: `vlan: 100`.
    case fixed(Int)
    /// A tag of their own for each student, from a range: `vlan: {from: 2000, to: 2099}`.
    case perStudent(ClosedRange<Int>)
    /// One tag per course, shared by its students, from a range: `vlan: {from: 3000, to: 3099, per: course}`.
    case perCourse(ClosedRange<Int>)
    /// One tag per group of the course (Moodle's groups), shared by its members, for team
    /// labs; a student in no group gets a tag of their own: `vlan: {from: 3100, to: 3199, per: group}`.
    case perGroup(ClosedRange<Int>)

    private struct Range: Codable {
        var from: Int
        var to: Int
        /// `student` (the default), `course` or `group`.
        var per: String?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let tag = try? container.decode(Int.self) {
            self = .fixed(tag)
        } else if let range = try? container.decode(Range.self) {
            guard range.from <= range.to else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "the VLAN range's from is above its to")
            }
            switch range.per ?? "student" {
            case "student": self = .perStudent(range.from...range.to)
            case "course": self = .perCourse(range.from...range.to)
            case "group": self = .perGroup(range.from...range.to)
            default: throw DecodingError.dataCorruptedError(in: container, debugDescription: "per is student, course or group")
            }
        } else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "a VLAN is a tag (vlan: 100) or a range with a tag per student, course or group (vlan: {from: 2000, to: 2099, per: course})")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .fixed(let tag): try container.encode(tag)
        case .perStudent(let range): try container.encode(Range(from: range.lowerBound, to: range.upperBound, per: "student"))
        case .perCourse(let range): try container.encode(Range(from: range.lowerBound, to: range.upperBound, per: "course"))
        case .perGroup(let range): try container.encode(Range(from: range.lowerBound, to: range.upperBound, per: "group"))
        }
    }
}

/// What cloud-init sets up in the guest.
public struct CloudInitSpec: Sendable, Hashable, Codable {
    public var user: String
    /// Generate a password for `user`, kept by LabGate and handed to Guacamole.
    public var generatePassword: Bool
    /// Public keys allowed to log in as `user`.
    public var sshKeys: [String]

    public init(user: String, generatePassword: Bool = true, sshKeys: [String] = []) {
        self.user = user
        self.generatePassword = generatePassword
        self.sshKeys = sshKeys
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        user = try container.decode(String.self, forKey: .user)
        generatePassword = try container.decodeIfPresent(Bool.self, forKey: .generatePassword) ?? true
        sshKeys = try container.decodeIfPresent([String].self, forKey: .sshKeys) ?? []
    }
}

/// How students reach the desktop through Guacamole.
public struct AccessSpec: Sendable, Hashable, Codable {
    /// Guacamole's remote-desktop protocols.
    public enum RemoteProtocol: String, Sendable, Hashable, Codable {
        case rdp, vnc, ssh

        public var defaultPort: Int {
            switch self {
            case .rdp: 3389
            case .vnc: 5900
            case .ssh: 22
            }
        }
    }

    public var `protocol`: RemoteProtocol
    public var port: Int

    public init(protocol: RemoteProtocol = .rdp, port: Int? = nil) {
        self.protocol = `protocol`
        self.port = port ?? `protocol`.defaultPort
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let remote = try container.decodeIfPresent(RemoteProtocol.self, forKey: .protocol) ?? .rdp
        self.init(protocol: remote, port: try container.decodeIfPresent(Int.self, forKey: .port))
    }
}
