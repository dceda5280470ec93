import Foundation
import Provisioning

/// A JSON body the API takes: the fields it knows, at every depth, and which may be `null`.
/// Any other field, or a `null` elsewhere, is refused with 422 naming the field, so a typo
/// (`memoryMb`) never stores a quota without its limit or a VM without its memory.
protocol APIRequestBody: Decodable {
    static var shape: JSONShape { get }
}

/// The fields a JSON value may have: an object's (each with the shape of its value), an
/// array's items, or any value at all.
indirect enum JSONShape: Sendable {
    case object([String: JSONShape], nullable: Set<String> = [])
    case array(JSONShape)
    case value

    /// The first field `json` has that this shape does not take, or a `null` it does not
    /// allow, as a path (`vms[0].memoryMb`) with what is wrong; nil when it fits.
    func misfit(of json: Any, at path: String = "") -> (field: String, problem: String)? {
        switch self {
        case .value:
            return nil
        case .array(let items):
            guard let array = json as? [Any] else { return nil }
            for (index, item) in array.enumerated() {
                if let misfit = items.misfit(of: item, at: "\(path)[\(index)]") { return misfit }
            }
            return nil
        case .object(let fields, let nullable):
            guard let object = json as? [String: Any] else { return nil }
            for (name, value) in object.sorted(by: { $0.key < $1.key }) {
                let field = path.isEmpty ? name : "\(path).\(name)"
                guard let shape = fields[name] else {
                    return (field, "\(field) is not a field here; the fields are \(fields.keys.sorted().joined(separator: ", ")).")
                }
                if value is NSNull {
                    if nullable.contains(name) { continue }
                    return (field, "\(field) may not be null; leave it out instead.")
                }
                if let misfit = shape.misfit(of: value, at: field) { return misfit }
            }
            return nil
        }
    }
}

extension QuotaLimits: APIRequestBody {
    static let shape = JSONShape.object(["instances": .value, "cores": .value, "memoryMiB": .value, "checkpoints": .value])
}

extension EnvironmentChoice: APIRequestBody {
    static let shape = JSONShape.object(["environment": .value], nullable: ["environment"])
}

extension InstanceRequest: APIRequestBody {
    static let shape = JSONShape.object(["userId": .value, "environment": .value])
}

extension InvitationRequest: APIRequestBody {
    static let shape = JSONShape.object(["expiresHours": .value])
}

extension TokenRequest: APIRequestBody {
    static let shape = JSONShape.object(["name": .value, "scope": .value, "expiresDays": .value])
}

extension EnvironmentSpec: APIRequestBody {
    static let shape = JSONShape.object([
        "name": .value, "title": .value, "pool": .value, "tags": .value, "lifetimeMinutes": .value, "idleTimeoutMinutes": .value,
        "maxSessionMinutes": .value, "checkpoints": .value,
        "unused": .object(["minutes": .value, "cpuPercent": .value, "networkKBps": .value, "graceMinutes": .value]),
        "access": .object(["protocol": .value, "port": .value]),
        "vms": .array(
            .object([
                "template": .value, "node": .value, "storage": .value, "clone": .value, "cores": .value, "memoryMiB": .value,
                // A VLAN is a number or a range; the range's fields are checked when it is one.
                "network": .object(["bridge": .value, "vlan": .object(["from": .value, "to": .value, "per": .value])]),
                "cloudInit": .object(["user": .value, "generatePassword": .value, "sshKeys": .value]),
            ])),
    ])
}
