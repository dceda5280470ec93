import Foundation
import Hummingbird
import WebEncoding

extension Request {
    /// The fields of a form post (`application/x-www-form-urlencoded`); a repeated field keeps every value.
    public func formFields(limit: Int = 64 * 1024) async throws -> [String: [String]] {
        var request = self
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw HTTPError(.contentTooLarge, message: "The form is larger than \(limit / 1024) KB.")
        }
        return Self.decodeForm(FormURLEncoding.decode(bytes: Array(buffer: buffer)))
    }

    /// The query parameters, as a form.
    public var queryFields: [String: [String]] {
        Self.decodeForm(FormURLEncoding.decode(uri.query ?? ""))
    }

    /// The fields by name; a repeated field keeps every value, in order.
    private static func decodeForm(_ decoded: [(String, String)]) -> [String: [String]] {
        var fields: [String: [String]] = [:]
        for (name, value) in decoded {
            fields[name, default: []].append(value)
        }
        return fields
    }
}

extension Dictionary where Key == String, Value == [String] {
    /// The first value of each field.
    public var firstValues: [String: String] {
        compactMapValues(\.first)
    }
}
