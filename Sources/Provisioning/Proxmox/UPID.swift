/// A Proxmox task id, `UPID:node:pid:pstart:starttime:type:id:user:`; it names the node
/// the task runs on, which is where its status must be asked.
public struct UPID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public let node: String
    public let type: String

    public init(_ rawValue: String) throws(ProxmoxError) {
        let fields = rawValue.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count >= 8, fields[0] == "UPID", !fields[1].isEmpty else {
            throw .unexpectedAnswer("'\(rawValue.prefix(80))' is not a task id (UPID)")
        }
        self.rawValue = rawValue
        self.node = String(fields[1])
        self.type = String(fields[5])
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The UPID as one path segment: `:`, `@` and `!` percent-encoded.
    var pathSegment: String { ProxmoxParameters.percentEncoded(rawValue) }

    public var description: String { rawValue }
}
