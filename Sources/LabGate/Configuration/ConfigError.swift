/// Why the configuration was refused. Each says, in one line, which key, what value and what was expected.
package enum ConfigError: Error, Equatable, CustomStringConvertible {
    case invalidValue(key: String, value: String, source: String, expected: String)
    case unknownKey(key: String, file: String)
    case notAScalar(key: String, file: String)
    case unreadableFile(path: String, reason: String)
    case malformedFile(path: String, reason: String)

    package var description: String {
        switch self {
        case .invalidValue(let key, let value, let source, let expected):
            "configuration error: \(key) = \(value) (from \(source)): expected \(expected)"
        case .unknownKey(let key, let file):
            "configuration error: \(key) in \(file) is not a LabGate setting (see `labgate config check` for the list)"
        case .notAScalar(let key, let file):
            "configuration error: \(key) in \(file) must be a single value, not a list or a section"
        case .unreadableFile(let path, let reason):
            "configuration error: cannot read \(path): \(reason)"
        case .malformedFile(let path, let reason):
            "configuration error: \(path) is not valid YAML: \(reason)"
        }
    }
}
