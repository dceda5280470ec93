/// A setting's effective value and where it came from.
package struct ResolvedSetting: Sendable, Hashable {
    /// Where a value came from, later sources overriding earlier ones.
    package enum Source: Sendable, Hashable, CustomStringConvertible {
        case defaultValue
        case file(String)
        case environment(String)
        /// A file of the folder systemd's `LoadCredential=` fills (`$CREDENTIALS_DIRECTORY`), named after the key.
        case credential(String)
        case commandLine(String)

        package var description: String {
            switch self {
            case .defaultValue: "default"
            case .file(let path): path
            case .environment(let name): name
            case .credential(let path): path
            case .commandLine(let option): option
            }
        }
    }

    package let key: ConfigKey
    let value: String
    package let source: Source

    /// The value as it may be shown: secrets are masked, and so is what a URL carries before its `@`.
    package var displayValue: String {
        guard key.isSecret else { return value.isEmpty ? "\"\"" : Self.maskingUserInfo(value) }
        return value.isEmpty ? "(not set)" : "******** (set)"
    }

    /// `https://root:secret@pve:8006` → `https://***@pve:8006`; other text unchanged.
    static func maskingUserInfo(_ value: String) -> String {
        guard let schemeEnd = value.range(of: "://") else { return value }
        let authorityEnd = value[schemeEnd.upperBound...].firstIndex { "/?#".contains($0) } ?? value.endIndex
        guard let at = value[schemeEnd.upperBound..<authorityEnd].lastIndex(of: "@") else { return value }
        return String(value[..<schemeEnd.upperBound]) + "***" + String(value[at...])
    }
}
