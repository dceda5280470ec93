/// A setting's effective value and where it came from.
struct ResolvedSetting: Sendable, Hashable {
    /// Where a value came from, later sources overriding earlier ones.
    enum Source: Sendable, Hashable, CustomStringConvertible {
        case defaultValue
        case file(String)
        case environment(String)
        case commandLine(String)

        var description: String {
            switch self {
            case .defaultValue: "default"
            case .file(let path): path
            case .environment(let name): name
            case .commandLine(let option): option
            }
        }
    }

    let key: ConfigKey
    let value: String
    let source: Source

    /// The value as it may be shown: secrets are masked.
    var displayValue: String {
        guard key.isSecret else { return value.isEmpty ? "\"\"" : value }
        return value.isEmpty ? "(not set)" : "******** (set)"
    }
}
