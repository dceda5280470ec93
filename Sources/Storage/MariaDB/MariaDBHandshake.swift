import Crypto
import LabCore
import NIOCore

/// Logging in to MariaDB: the server's greeting, TLS when the settings ask for it, the
/// client's answer with the `mysql_native_password` proof, and a switch of method when the
/// server asks for one.
struct MariaDBHandshake {
    /// The only authentication method spoken: a SHA-1 proof of the password over the server's nonce.
    static let nativePassword = "mysql_native_password"
    /// utf8mb4_general_ci, what libmariadb's "utf8mb4" chooses.
    private static let utf8mb4: UInt8 = 45

    private enum Capability {
        static let longPassword: UInt32 = 1
        /// An UPDATE reports the rows it matched, as SQLite does, so a compare-and-set that
        /// rewrites equal values still counts as a success.
        static let foundRows: UInt32 = 2
        static let longFlag: UInt32 = 4
        static let connectWithDatabase: UInt32 = 8
        static let protocol41: UInt32 = 512
        static let ssl: UInt32 = 2048
        static let transactions: UInt32 = 8192
        static let secureConnection: UInt32 = 32768
        static let pluginAuthentication: UInt32 = 1 << 19
    }

    private static let required = Capability.protocol41 | Capability.secureConnection | Capability.pluginAuthentication
    private static let wanted =
        required | Capability.longPassword | Capability.foundRows | Capability.longFlag | Capability.connectWithDatabase
        | Capability.transactions

    let settings: MariaDBSettings

    /// What the server's greeting says the client needs.
    struct Greeting {
        /// The capabilities both sides have and LabGate asks for.
        var capabilities: UInt32
        var nonce: [UInt8]
        var method: String
    }

    /// Reads the server's greeting (`Handshake v10`).
    func greeting(_ packet: ByteBuffer) throws(StoreError) -> Greeting {
        var greeting = packet
        guard greeting.readInteger(as: UInt8.self) == 10, greeting.readNullTerminatedString() != nil,
            greeting.readInteger(endianness: .little, as: UInt32.self) != nil,
            let nonceStart = greeting.readBytes(length: 8), greeting.readInteger(as: UInt8.self) != nil,
            let lowCapabilities = greeting.readInteger(endianness: .little, as: UInt16.self),
            greeting.readBytes(length: 3) != nil,  // character set, status
            let highCapabilities = greeting.readInteger(endianness: .little, as: UInt16.self),
            let nonceLength = greeting.readInteger(as: UInt8.self), greeting.readBytes(length: 10) != nil
        else { throw Self.unreadable }
        let capabilities = UInt32(lowCapabilities) | UInt32(highCapabilities) << 16
        guard capabilities & Self.required == Self.required else {
            throw .failed(
                "the database server at \(settings.host):\(settings.port) is too old for LabGate: it lacks the 4.1 protocol with authentication plugins")
        }
        // The rest of the nonce: at least 13 bytes, of which the last is a NUL.
        guard let nonceEnd = greeting.readBytes(length: max(13, Int(nonceLength) - 8)) else { throw Self.unreadable }
        var agreed = Self.wanted & capabilities
        if settings.tls != nil {
            guard capabilities & Capability.ssl != 0 else {
                throw .failed(
                    "the database server at \(settings.host):\(settings.port) does not offer TLS, which LabGate is set to require (database.tls): give the server ssl_cert and ssl_key"
                )
            }
            agreed |= Capability.ssl
        }
        return Greeting(
            capabilities: agreed, nonce: nonceStart + nonceEnd.prefix(12), method: greeting.readNullTerminatedString() ?? Self.nativePassword)
    }

    /// The request to speak TLS from here on (`SSLRequest`): the answer's first 32 bytes, with
    /// neither the user nor the proof, which follow inside TLS.
    func tlsRequest(_ greeting: Greeting, allocator: ByteBufferAllocator) -> ByteBuffer {
        var request = allocator.buffer(capacity: 32)
        writeFixedPart(greeting, to: &request)
        return request
    }

    /// The answer to the server's greeting (`HandshakeResponse41`).
    func answer(_ greeting: Greeting, allocator: ByteBufferAllocator) -> ByteBuffer {
        var answer = allocator.buffer(capacity: 128)
        writeFixedPart(greeting, to: &answer)
        answer.writeNullTerminatedString(settings.user)
        let proof = greeting.method == Self.nativePassword ? Self.proof(password: settings.password, nonce: greeting.nonce) : []
        answer.writeInteger(UInt8(proof.count))
        answer.writeBytes(proof)
        answer.writeNullTerminatedString(settings.database)
        answer.writeNullTerminatedString(Self.nativePassword)
        return answer
    }

    private func writeFixedPart(_ greeting: Greeting, to buffer: inout ByteBuffer) {
        buffer.writeInteger(greeting.capabilities, endianness: .little)
        buffer.writeInteger(UInt32(1 << 24), endianness: .little)  // the longest packet we take
        buffer.writeInteger(Self.utf8mb4)
        buffer.writeRepeatingByte(0, count: 23)
    }

    /// What follows the server's reply to the answer: nil once logged in, or the next packet to
    /// send when the server asks for `mysql_native_password` again with a new nonce.
    func next(after reply: ByteBuffer, allocator: ByteBufferAllocator) throws -> ByteBuffer? {
        let packet = reply
        var reply = reply
        switch reply.readInteger(as: UInt8.self) {
        case 0x00:
            return nil
        case 0xFF:
            throw MariaDBServerError(packet: packet)
        case 0xFE:
            let method = reply.readNullTerminatedString() ?? ""
            guard method == Self.nativePassword, let nonce = reply.readBytes(length: min(20, reply.readableBytes)), nonce.count == 20 else {
                throw StoreError.failed(
                    "the database asks user \(settings.user) to log in with \(method.isEmpty ? "an unnamed method" : method), which LabGate does not speak; create the user with \(Self.nativePassword) (IDENTIFIED BY a password)"
                )
            }
            var answer = allocator.buffer(capacity: 20)
            answer.writeBytes(Self.proof(password: settings.password, nonce: nonce))
            return answer
        default:
            throw Self.unreadable
        }
    }

    /// `SHA1(password) XOR SHA1(nonce + SHA1(SHA1(password)))`; empty for an empty password.
    static func proof(password: String, nonce: [UInt8]) -> [UInt8] {
        guard !password.isEmpty else { return [] }
        let once = Array(Insecure.SHA1.hash(data: Array(password.utf8)))
        let twice = Array(Insecure.SHA1.hash(data: once))
        let mask = Array(Insecure.SHA1.hash(data: nonce + twice))
        return zip(once, mask).map { $0 ^ $1 }
    }

    private static let unreadable = StoreError.unavailable(component: "database", reason: "the server's greeting could not be read; is it MariaDB?")
}
