/// A failure LabGate has already put into words for people: printed as it is, on one line.
package struct DescribedFailure: Error, Equatable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) { self.description = description }

    /// A YAML or JSON decoding error as "where: what", without Swift's type names.
    package static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): "the key \(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: "\(error)"
        }
    }

    /// The field a decoding error is about, named as in `describe`; nil for the document as a whole.
    package static func field(of error: DecodingError) -> String? {
        let keys: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let context): keys = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): keys = context.codingPath
        @unknown default: keys = []
        }
        return keys.isEmpty ? nil : path(keys)
    }

    /// `nodes[0].subnet`, as a person writing the file would name the place.
    private static func path(_ keys: [any CodingKey]) -> String {
        keys.reduce("") { path, key in
            if let index = key.intValue { return path + "[\(index)]" }
            return path.isEmpty ? key.stringValue : path + "." + key.stringValue
        }
    }
}
