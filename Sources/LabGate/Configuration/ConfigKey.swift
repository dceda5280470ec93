import Foundation
import Storage

/// One setting of LabGate: where it sits in the YAML file, the environment variable that
/// overrides it, what values it takes and its default.
package struct ConfigKey: Sendable, Hashable {
    /// What values a key takes.
    enum Kind: Sendable, Hashable {
        case text
        case integer(ClosedRange<Int>)
        case choice([String])
        case boolean
        /// `FROM-TO` inside the bounds, or empty for none.
        case span(ClosedRange<Int>)
        /// `http(s)://host[:port]` with no path, or empty for none.
        case serverURL
        /// An absolute `http(s)://` address, or empty for none.
        case webURL
        /// At least this many characters (UTF-8 bytes), or empty for none.
        case longSecret(minimum: Int)
        /// Exactly this many hexadecimal digits, or empty for none.
        case hexDigits(Int)
        /// A time zone's name from the system's database (`UTC`, `Europe/Zurich`).
        case timeZone
        /// `host:port` addresses separated by commas, or empty for none.
        case addresses
    }

    /// Dotted path in the YAML file: `database.poolSize` is `poolSize` under `database:`.
    package let path: String
    let kind: Kind
    let defaultValue: String
    /// Never printed, logged or repeated in an error message.
    let isSecret: Bool
    /// One line for `labgate config check` and the docs.
    let help: String

    init(_ path: String, _ kind: Kind, default defaultValue: String, secret: Bool = false, help: String) {
        self.path = path
        self.kind = kind
        self.defaultValue = defaultValue
        self.isSecret = secret
        self.help = help
    }

    /// `LABGATE_` and the path in upper snake case: `database.poolSize` → `LABGATE_DATABASE_POOL_SIZE`.
    package var environmentName: String {
        var name = "LABGATE_"
        for character in path {
            if character == "." {
                name.append("_")
            } else if character.isUppercase {
                name.append("_")
                name.append(character)
            } else {
                name.append(Character(character.uppercased()))
            }
        }
        return name
    }

    /// What a valid value looks like, for error messages.
    var expectation: String {
        switch kind {
        case .text: "a text value"
        case .integer(let range): "a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .choice(let options): "one of " + options.joined(separator: ", ")
        case .boolean: "true or false"
        case .span(let range): "empty, or FROM-TO with whole numbers from \(range.lowerBound) to \(range.upperBound)"
        case .serverURL: "empty, or only the server as https://host:port, without a path (LabGate adds /api2/json itself)"
        case .webURL: "empty, or an absolute address starting with https:// (or http://)"
        case .longSecret(let minimum): "empty, or at least \(minimum) characters"
        case .hexDigits(let count): "empty, or exactly \(count) hexadecimal digits (0-9, a-f), \(count * 4) bits"
        case .timeZone: "a time zone's name, such as UTC or Europe/Zurich"
        case .addresses: "empty, or host:port addresses separated by commas, such as 10.0.0.1:26379,10.0.0.2:26379"
        }
    }

    /// Whether `value` is acceptable for this key.
    func accepts(_ value: String) -> Bool {
        switch kind {
        case .text: true
        case .integer(let range): Int(value).map(range.contains) ?? false
        case .choice(let options): options.contains(value)
        case .boolean: ["true", "false"].contains(value)
        case .span(let range): value.isEmpty || Self.span(value).map { range.contains($0.lowerBound) && range.contains($0.upperBound) } ?? false
        case .serverURL: value.isEmpty || Self.isServerURL(value)
        case .webURL: value.isEmpty || Self.isWebURL(value)
        case .longSecret(let minimum): value.isEmpty || value.utf8.count >= minimum
        case .hexDigits(let count): value.isEmpty || (value.utf8.count == count && value.allSatisfy(\.isHexDigit))
        case .timeZone: TimeZone(identifier: value) != nil
        case .addresses: Self.addresses(value) != nil
        }
    }

    /// The addresses of a `.addresses` value; nil when one of them is not `host:port`.
    static func addresses(_ value: String) -> [RedisAddress]? {
        guard !value.isEmpty else { return [] }
        let parts = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let addresses = parts.compactMap(RedisAddress.init)
        return addresses.count == parts.count ? addresses : nil
    }

    /// `2000-2999` as a range; nil when it is not one.
    static func span(_ value: String) -> ClosedRange<Int>? {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let from = Int(parts[0]), let to = Int(parts[1]), from <= to else { return nil }
        return from...to
    }

    private static func isServerURL(_ value: String) -> Bool {
        guard isWebURL(value), let url = URL(string: value) else { return false }
        return (url.path.isEmpty || url.path == "/") && url.query == nil && url.fragment == nil
    }

    private static func isWebURL(_ value: String) -> Bool {
        guard let url = URL(string: value), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme) else { return false }
        return url.host?.isEmpty == false
    }
}
