/// A network interface the QEMU guest agent reports.
public struct PVEGuestInterface: Sendable, Hashable, Decodable {
    public var name: String
    public var hardwareAddress: String?
    public var addresses: [Address]

    /// One address of the interface.
    public struct Address: Sendable, Hashable, Decodable {
        public var address: String
        /// `ipv4` or `ipv6`.
        public var type: String
        public var prefix: Int?

        enum CodingKeys: String, CodingKey {
            case address = "ip-address"
            case type = "ip-address-type"
            case prefix
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            address = try c.decode(String.self, forKey: .address)
            type = try c.decode(String.self, forKey: .type)
            prefix = try c.lenientInt(.prefix)
        }
    }

    enum CodingKeys: String, CodingKey {
        case name
        case hardwareAddress = "hardware-address"
        case addresses = "ip-addresses"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        hardwareAddress = try c.decodeIfPresent(String.self, forKey: .hardwareAddress)
        addresses = try c.decodeIfPresent([Address].self, forKey: .addresses) ?? []
    }
}

extension Array where Element == PVEGuestInterface {
    /// The first IPv4 address of the interface with this MAC (any case), if the guest has one yet.
    public func ipv4Address(mac: String) -> String? {
        first { $0.hardwareAddress?.lowercased() == mac.lowercased() }?
            .addresses.first { $0.type == "ipv4" }?.address
    }
}
