import Foundation
import WebEncoding

extension LTIClaims {
    /// The claims of an id_token's payload, read as `init(from:)` reads them (the same claims
    /// required, the same leniency) but from `ParsedJSON`: the launch path's own reader.
    public init(payload: Data) throws(LTIError) {
        let parsed: ParsedJSON
        do {
            parsed = try ParsedJSON.parse(payload)
        } catch {
            throw .malformedToken("its claims are not JSON: \(error)")
        }
        guard let members = parsed.object else { throw .malformedToken("its claims are not a JSON object") }
        let claims = ClaimReader(members: members, path: "")
        typealias Key = CodingKeys
        iss = try claims.string(Key.iss)
        sub = try claims.optionalString(Key.sub)
        if case .string(let single) = members[Key.aud.rawValue] {
            aud = [single]
        } else {
            aud = try claims.strings(Key.aud)
        }
        azp = try claims.optionalString(Key.azp)
        exp = try claims.number(Key.exp)
        iat = try claims.number(Key.iat)
        nonce = try claims.optionalString(Key.nonce)
        name = try claims.optionalString(Key.name)
        givenName = try claims.optionalString(Key.givenName)
        familyName = try claims.optionalString(Key.familyName)
        email = try claims.optionalString(Key.email)
        messageType = try claims.optionalString(Key.messageType)
        version = try claims.optionalString(Key.version)
        deploymentID = try claims.optionalString(Key.deploymentID)
        targetLinkURI = try claims.optionalString(Key.targetLinkURI)
        resourceLink = try claims.optionalObject(Key.resourceLink).map { link throws(LTIError) in
            ResourceLink(id: try link.string("id"), title: try link.optionalString("title"))
        }
        roles = try claims.optionalStrings(Key.roles)
        context = try claims.optionalObject(Key.context).map { context throws(LTIError) in
            Context(id: try context.string("id"), label: try context.optionalString("label"), title: try context.optionalString("title"))
        }
        // Custom values are strings by the spec; a platform sending numbers should not break the launch.
        custom = (try? claims.optionalObject(Key.custom)).flatMap { $0.allStrings } ?? [:]
        deepLinkingSettings = try claims.optionalObject(Key.deepLinkingSettings).map { settings throws(LTIError) in
            typealias Setting = DeepLinkingSettings.CodingKeys
            let acceptMultiple: Bool =
                switch settings.members[Setting.acceptMultiple.rawValue] {
                case .bool(let flag): flag
                case .string(let text): text == "true"
                default: false
                }
            return DeepLinkingSettings(
                returnURL: try settings.string(Setting.returnURL), acceptTypes: try settings.optionalStrings(Setting.acceptTypes) ?? [],
                acceptMultiple: acceptMultiple, data: try settings.optionalString(Setting.data))
        }
        // A malformed service claim only means no grades, never a refused launch.
        gradeService = try? claims.optionalObject(Key.gradeService).map { endpoint throws(LTIError) in
            GradeServiceEndpoint(
                scope: try endpoint.strings("scope"), lineitems: try endpoint.optionalString("lineitems"),
                lineitem: try endpoint.optionalString("lineitem"))
        }
        rosterService = try? claims.optionalObject(Key.rosterService).map { service throws(LTIError) in
            RosterServiceEndpoint(contextMembershipsURL: try service.string(RosterServiceEndpoint.CodingKeys.contextMembershipsURL))
        }
    }
}

/// The members of one object of the claims, read by name; a missing or null optional member
/// is nil, a member of another type than the claim's is an error naming it.
private struct ClaimReader {
    let members: [String: ParsedJSON]
    /// Where this object is, for the error: "" for the claims, "name." within one.
    let path: String

    func wrongType(_ name: String, _ expected: String) -> LTIError {
        .malformedToken("its claims are missing or of the wrong type: \(path)\(name) is not \(expected)")
    }

    func string(_ key: some CodingKey) throws(LTIError) -> String { try string(key.stringValue) }
    func optionalString(_ key: some CodingKey) throws(LTIError) -> String? { try optionalString(key.stringValue) }
    func strings(_ key: some CodingKey) throws(LTIError) -> [String] { try strings(key.stringValue) }
    func optionalStrings(_ key: some CodingKey) throws(LTIError) -> [String]? { try optionalStrings(key.stringValue) }
    func optionalObject(_ key: some CodingKey) throws(LTIError) -> ClaimReader? { try optionalObject(key.stringValue) }

    func string(_ name: String) throws(LTIError) -> String {
        guard let value = try optionalString(name) else { throw wrongType(name, "a string") }
        return value
    }

    func optionalString(_ name: String) throws(LTIError) -> String? {
        switch members[name] {
        case nil, .null: nil
        case .string(let value): value
        default: throw wrongType(name, "a string")
        }
    }

    func number(_ key: some CodingKey) throws(LTIError) -> Double {
        guard case .number(let value) = members[key.stringValue] else { throw wrongType(key.stringValue, "a number") }
        return value
    }

    func strings(_ name: String) throws(LTIError) -> [String] {
        guard let value = try optionalStrings(name) else { throw wrongType(name, "a list of strings") }
        return value
    }

    func optionalStrings(_ name: String) throws(LTIError) -> [String]? {
        switch members[name] {
        case nil, .null: return nil
        case .array(let elements):
            var strings: [String] = []
            strings.reserveCapacity(elements.count)
            for element in elements {
                guard case .string(let value) = element else { throw wrongType(name, "a list of strings") }
                strings.append(value)
            }
            return strings
        default: throw wrongType(name, "a list of strings")
        }
    }

    func optionalObject(_ name: String) throws(LTIError) -> ClaimReader? {
        switch members[name] {
        case nil, .null: nil
        case .object(let members): ClaimReader(members: members, path: path + name + ".")
        default: throw wrongType(name, "an object")
        }
    }

    /// The members as strings, if every one is a string.
    var allStrings: [String: String]? {
        var strings: [String: String] = [:]
        for (name, value) in members {
            guard case .string(let text) = value else { return nil }
            strings[name] = text
        }
        return strings
    }
}
