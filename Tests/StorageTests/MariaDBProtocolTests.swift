import Foundation
import LabCore
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import Storage

/// Connections a test server accepted.
private final class AcceptedCount: Sendable {
    let value = Atomic(0)
}

@Suite("MariaDB protocol")
struct MariaDBProtocolTests {
    @Test("length-encoded integers round-trip at each width's edges")
    func lengthEncodedIntegers() {
        let values: [UInt64] = [0, 250, 251, 0xFFFF, 0x1_0000, 0xFF_FFFF, 0x100_0000, .max]
        var buffer = ByteBuffer()
        for value in values { buffer.writeLengthEncodedInteger(value) }
        #expect(buffer.readableBytes == 1 + 1 + 3 + 3 + 4 + 4 + 9 + 9)
        for value in values { #expect(buffer.readLengthEncodedInteger() == value) }
        #expect(buffer.readLengthEncodedInteger() == nil)
        var null = ByteBuffer(bytes: [0xFB])
        #expect(null.readLengthEncodedInteger() == nil)
    }

    @Test("a payload longer than one packet is split and joined again", arguments: [MariaDBPacket.longest, MariaDBPacket.longest + 10])
    func longPayload(length: Int) throws {
        let payload = ByteBuffer(repeating: 7, count: length)
        var wire = ByteBuffer()
        let last = MariaDBPacket.write(payload, sequence: 3, to: &wire)
        #expect(last == 4)
        // The first packet is full; the second holds the rest, empty when nothing is left.
        #expect(wire.readableBytes == length + 8)
        var framing = MariaDBPacketDecoder()
        // In two pieces, cut inside the first header's successor, as TCP may deliver it.
        var received = wire.getSlice(at: 0, length: MariaDBPacket.longest + 6)!
        let early = framing.next(from: &received)
        #expect(early == nil)
        received.writeBytes(wire.getSlice(at: MariaDBPacket.longest + 6, length: wire.readableBytes - MariaDBPacket.longest - 6)!.readableBytesView)
        let next = framing.next(from: &received)
        let packet = try #require(next)
        #expect(packet.sequence == 4)
        #expect(packet.payload == payload)
        let after = framing.next(from: &received)
        #expect(received.readableBytes == 0 && after == nil)
    }

    @Test("the native password proof matches one computed independently (Python's hashlib)")
    func nativePasswordProof() {
        let proof = MariaDBHandshake.proof(password: "secret", nonce: Array(1...20))
        #expect(proof.map { String(format: "%02x", $0) }.joined() == "b32bb3a583e1340c0a1108d58b1be49781ad8c2f")
        #expect(MariaDBHandshake.proof(password: "", nonce: Array(1...20)).isEmpty)
    }

    @Test("the answer to a greeting names the user and database and proves the password over the greeting's nonce")
    func greetingAnswer() throws {
        var answer = handshake.answer(try handshake.greeting(Self.greeting(capabilities: Self.withoutTLS)), allocator: ByteBufferAllocator())
        let flags = answer.readInteger(endianness: .little, as: UInt32.self) ?? 0
        #expect(flags & 2 != 0, "CLIENT_FOUND_ROWS")
        #expect(flags & Self.tls == 0, "CLIENT_SSL, not asked for")
        answer.moveReaderIndex(forwardBy: 4 + 1 + 23)
        let user = answer.readNullTerminatedString()
        #expect(user == "labgate")
        let length = answer.readInteger(as: UInt8.self) ?? 0
        let proof = answer.readBytes(length: Int(length))
        #expect(proof == MariaDBHandshake.proof(password: "secret", nonce: Array(1...20)))
        let database = answer.readNullTerminatedString()
        let method = answer.readNullTerminatedString()
        #expect(database == "lab")
        #expect(method == "mysql_native_password")
        #expect(answer.readableBytes == 0)
    }

    @Test("after the answer: OK logs in, a switch to the native method is proved over the new nonce, another method and an error are refused")
    func afterTheAnswer() throws {
        let allocator = ByteBufferAllocator()
        #expect(try handshake.next(after: ByteBuffer(bytes: [0x00, 0, 0, 2, 0, 0, 0]), allocator: allocator) == nil)

        var native = ByteBuffer(bytes: [0xFE])
        native.writeNullTerminatedString("mysql_native_password")
        native.writeBytes(Array(21...40) + [0])
        let proof = try #require(try handshake.next(after: native, allocator: allocator))
        #expect(Array(proof.readableBytesView) == MariaDBHandshake.proof(password: "secret", nonce: Array(21...40)))

        var other = ByteBuffer(bytes: [0xFE])
        other.writeNullTerminatedString("client_ed25519")
        other.writeBytes(Array(1...32))
        #expect {
            try handshake.next(after: other, allocator: allocator)
        } throws: { error in
            "\(error)".contains("client_ed25519") && "\(error)".contains("IDENTIFIED BY") && !"\(error)".contains("secret")
        }

        var refused = ByteBuffer(bytes: [0xFF])
        refused.writeInteger(UInt16(1045), endianness: .little)
        refused.writeString("#28000Access denied for user 'labgate'")
        #expect {
            try handshake.next(after: refused, allocator: allocator)
        } throws: { error in
            (error as? MariaDBServerError).map { $0.code == 1045 && $0.message == "Access denied for user 'labgate'" } ?? false
        }
    }

    @Test("with TLS required: a server without it is refused with what to do; the request for it is the answer's first 32 bytes, with CLIENT_SSL")
    func tlsRequest() throws {
        let secured = MariaDBHandshake(settings: MariaDBSettings(user: "labgate", password: "secret", database: "lab", tls: ServerTLS()))
        #expect {
            try secured.greeting(Self.greeting(capabilities: Self.withoutTLS))
        } throws: { error in
            "\(error)".contains("does not offer TLS") && "\(error)".contains("ssl_cert")
        }

        let greeting = try secured.greeting(Self.greeting(capabilities: Self.withoutTLS | Self.tls))
        let allocator = ByteBufferAllocator()
        let request = secured.tlsRequest(greeting, allocator: allocator)
        let answer = secured.answer(greeting, allocator: allocator)
        #expect(request.readableBytes == 32)
        #expect((request.getInteger(at: 0, endianness: .little, as: UInt32.self) ?? 0) & Self.tls != 0)
        #expect(answer.getSlice(at: 0, length: 32) == request)
        #expect(answer.readableBytes > 32 + "labgate".utf8.count)
    }

    private let handshake = MariaDBHandshake(settings: MariaDBSettings(user: "labgate", password: "secret", database: "lab"))

    /// A MariaDB 10.11 server's capabilities, without CLIENT_SSL.
    private static let withoutTLS: UInt32 = 0xF7FE | (0x81BF << 16)
    private static let tls: UInt32 = 0x800

    /// A `Handshake v10` with the nonce 1...20.
    private static func greeting(capabilities: UInt32) -> ByteBuffer {
        var greeting = ByteBuffer(bytes: [10])
        greeting.writeNullTerminatedString("10.11.19-MariaDB")
        greeting.writeInteger(UInt32(42), endianness: .little)
        greeting.writeBytes(Array(1...8))
        greeting.writeInteger(UInt8(0))
        greeting.writeInteger(UInt16(capabilities & 0xFFFF), endianness: .little)
        greeting.writeBytes([45, 2, 0])
        greeting.writeInteger(UInt16(capabilities >> 16), endianness: .little)
        greeting.writeInteger(UInt8(21))
        greeting.writeRepeatingByte(0, count: 10)
        greeting.writeBytes(Array(9...20) + [0])
        greeting.writeNullTerminatedString("mysql_native_password")
        return greeting
    }

    @Test("a server that accepts connections but never greets is given up on after the connect timeout and one more connection, not the query timeout")
    func silentServer() async throws {
        // As a server whose queue of connections to accept overflowed looks to its client.
        let accepted = AcceptedCount()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                accepted.value.add(1, ordering: .relaxed)
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let settings = MariaDBSettings(
            port: server.localAddress!.port!, user: "labgate", password: "secret", database: "lab", timeout: .milliseconds(500),
            queryTimeout: .seconds(120))
        let started = ContinuousClock.now
        await #expect {
            _ = try await MariaDBConnection.connect(settings)
        } throws: { error in
            guard case .unavailable(_, let reason) = error as? StoreError else { return false }
            return reason.contains("no greeting")
        }
        #expect(started.duration(to: .now) < .seconds(60), "waited for the query timeout")
        #expect(accepted.value.load(ordering: .relaxed) == 2)
    }

    @Test("a binary row becomes values by column, NULLs from the bitmap, signedness from the flags")
    func binaryRow() throws {
        let columns = try [
            column("t", .tiny), column("u", .short, unsigned: true), column("n", .long), column("missing", .longLong),
            column("f", .float), column("when", .dateTime, decimals: 3), column("span", .time), column("name", .varString),
            column("bytes", .blob, characterSet: 63), column("price", .newDecimal, characterSet: 63),
        ]
        var row = ByteBuffer(bytes: [0x00])
        // Bit 0 and 1 are unused; column 3 ("missing") is NULL: bit 5 of the first byte.
        row.writeBytes([0b0010_0000, 0b0000_0000])
        row.writeInteger(UInt8(0xFF))
        row.writeInteger(UInt16(0xFFFF), endianness: .little)
        row.writeInteger(Int32(-7), endianness: .little)
        row.writeInteger(Float(1.5).bitPattern, endianness: .little)
        row.writeBytes([11])
        row.writeInteger(UInt16(2026), endianness: .little)
        row.writeBytes([12, 6, 9, 5, 7])
        row.writeInteger(UInt32(250_000), endianness: .little)
        row.writeBytes([8, 1])
        row.writeInteger(UInt32(1), endianness: .little)
        row.writeBytes([2, 3, 4])
        row.writeLengthEncodedBytes(Array("Grüße".utf8))
        row.writeLengthEncodedBytes([0, 255])
        row.writeLengthEncodedBytes(Array("12.50".utf8))

        var rows = MariaDBResultRows(columns: columns)
        let appended = rows.append(binaryRow: row)
        #expect(appended)
        let read = try #require(rows.rows.first)
        #expect(read["t"] == .int(-1))
        #expect(read["u"] == .int(65535))
        #expect(read["n"] == .int(-7))
        #expect(read["missing"] == .null)
        #expect(read["f"] == .double(1.5))
        #expect(read["when"] == .text("2026-12-06 09:05:07.250"))
        #expect(read["span"] == .text("-26:03:04"))
        #expect(read["name"] == .text("Grüße"))
        #expect(read["bytes"] == .blob([0, 255]))
        #expect(read["price"] == .text("12.50"))
        // Cut short: refused, never read past the end.
        let cut = rows.append(binaryRow: row.getSlice(at: 0, length: row.readableBytes - 3)!)
        #expect(!cut)
    }

    /// A column-definition packet as the server sends it.
    private func column(
        _ name: String, _ type: MariaDBColumn.FieldType, unsigned: Bool = false, characterSet: UInt16 = 45, decimals: UInt8 = 0
    ) throws -> MariaDBColumn {
        var packet = ByteBuffer()
        for part in ["def", "labgate", "t", "t", name, name] { packet.writeLengthEncodedBytes(Array(part.utf8)) }
        packet.writeLengthEncodedInteger(0x0C)
        packet.writeInteger(characterSet, endianness: .little)
        packet.writeInteger(UInt32(255), endianness: .little)
        packet.writeInteger(type.rawValue)
        packet.writeInteger(UInt16(unsigned ? 32 : 0), endianness: .little)
        packet.writeInteger(decimals)
        packet.writeInteger(UInt16(0), endianness: .little)
        return try #require(MariaDBColumn(packet: packet))
    }
}
