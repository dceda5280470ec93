/// What an admin operation turns down, for the API and the CLI alike; each edge words it once.
package enum AdminError: Error, Equatable, CustomStringConvertible {
    /// The thing named does not exist.
    case notFound(String)
    /// One field of the request is wrong: which, and what it must be.
    case invalid(field: String, message: String)
    /// A thing of that name exists already.
    case duplicate(String)

    package var description: String {
        switch self {
        case .notFound(let what): "there is no \(what)"
        case .invalid(_, let message): message
        case .duplicate(let what): "\(what) exists already"
        }
    }
}
