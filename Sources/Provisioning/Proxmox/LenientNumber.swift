/// A number PVE may send as a JSON number or as a string (`"maxmem": "2147483648"`).
public struct LenientNumber: Sendable, Hashable, Decodable {
    public let value: Double

    public var int: Int { Int(value) }

    public init(_ value: Double) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Double(text) {
            value = number
        } else if let flag = try? container.decode(Bool.self) {
            value = flag ? 1 : 0
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a number")
        }
    }
}

extension KeyedDecodingContainer {
    /// An integer that may arrive as a number or a string.
    func lenientInt(_ key: Key) throws -> Int? { try decodeIfPresent(LenientNumber.self, forKey: key)?.int }

    func lenientDouble(_ key: Key) throws -> Double? { try decodeIfPresent(LenientNumber.self, forKey: key)?.value }

    /// A PVE boolean: `1`, `"1"`, `true`.
    func lenientBool(_ key: Key) throws -> Bool { (try decodeIfPresent(LenientNumber.self, forKey: key)?.value ?? 0) != 0 }
}
