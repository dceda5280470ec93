import LabCore
import NIOCore
import NIOSSL

/// What a command's answer is made of, so that the handler knows where it ends.
enum MariaDBExpectation {
    /// The answer to `COM_STMT_PREPARE`: the statement, its parameters' and columns' definitions.
    case prepared
    /// The answer to `COM_STMT_EXECUTE`: an OK packet or a result set in binary rows.
    case result
    /// Nothing: `COM_STMT_CLOSE` and `COM_QUIT` are not answered.
    case nothing
}

/// A command's answer.
enum MariaDBResponse {
    case prepared(MariaDBStatement)
    /// The rows of a result set, or none and the number of rows the statement matched.
    case result(rows: [SQLRow], matched: Int)
}

/// A server that accepted the connection but sent no greeting within the connect timeout:
/// its queue of connections to accept may have overflowed, which the client never hears of.
struct MariaDBNoGreeting: Error {}

/// An error packet from the server, before it is classified.
struct MariaDBServerError: Error {
    var code: UInt32
    var message: String

    /// Reads an error packet (0xFF, the code, `#` and the SQL state when present, the message).
    init(packet: ByteBuffer) {
        var packet = packet
        packet.moveReaderIndex(forwardBy: 1)
        code = UInt32(packet.readInteger(endianness: .little, as: UInt16.self) ?? 0)
        if packet.getInteger(at: packet.readerIndex, as: UInt8.self) == UInt8(ascii: "#") { packet.moveReaderIndex(forwardBy: min(6, packet.readableBytes)) }
        message = packet.readString(length: packet.readableBytes) ?? ""
    }
}

/// A command to send and what to expect back.
struct MariaDBRequest {
    var payload: ByteBuffer
    /// The statement's columns as its last result had them, for `.result`.
    var shape: MariaDBResultShape? = nil
    var expecting: MariaDBExpectation
    var promise: EventLoopPromise<MariaDBResponse>
}

/// Sends commands on a MariaDB connection and assembles each answer from its packets, in
/// the order the commands were sent. An answer that does not come within its timeout, or
/// that cannot be read, closes the connection: what follows could not be trusted. It cuts the
/// bytes into packets itself: a packet passed between handlers is boxed and cast back each
/// time, and a result brings one packet per column and per row.
final class MariaDBCommandHandler: ChannelDuplexHandler, EndsOnLateAnswer {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = MariaDBRequest
    typealias OutboundOut = ByteBuffer

    /// Where the answer at the head of the queue has got to.
    private enum Progress {
        case start
        /// Definitions still to skip after a prepare's first packet.
        case preparing(MariaDBStatement, remaining: Int)
        /// The column definitions as they came, read only if they differ from the last result's.
        case columns([ByteBuffer], expected: Int)
        case columnsEnd([ByteBuffer])
        case rows(MariaDBResultRows)
    }

    private struct Waiting {
        var expecting: MariaDBExpectation
        var shape: MariaDBResultShape?
        var promise: EventLoopPromise<MariaDBResponse>
        var timer: Scheduled<Void>
    }

    /// Logging in, answered here on the event loop as the packets come, so that a busy
    /// caller cannot keep the server waiting past its connect timeout.
    private struct Login {
        var handshake: MariaDBHandshake
        var done: EventLoopPromise<Void>
        var greeted = false
        var timer: Scheduled<Void>?
    }

    private var waiting = CircularBuffer<Waiting>()
    private var received = ByteBuffer()
    private var framing = MariaDBPacketDecoder()
    private var progress = Progress.start
    private var failure: StoreError?
    private var login: Login?
    /// How long the server may take to greet a new connection.
    private let greetingTimeout: TimeAmount
    /// How long the rest of the login and each answer may take.
    private let timeout: TimeAmount

    /// - Parameter done: completed once logged in, or failed with why not (`MariaDBNoGreeting`
    ///   when the server never spoke).
    init(handshake: MariaDBHandshake, greetingTimeout: TimeAmount, timeout: TimeAmount, done: EventLoopPromise<Void>) {
        login = Login(handshake: handshake, done: done)
        self.greetingTimeout = greetingTimeout
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard login != nil else { return }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        login?.timer = context.eventLoop.scheduleTask(in: greetingTimeout) { handler.value.notGreeted(bound.value) }
    }

    private func notGreeted(_ context: ChannelHandlerContext) {
        guard let login, !login.greeted else { return }
        self.login = nil
        login.done.fail(MariaDBNoGreeting())
        end(context, .unavailable(component: "database", reason: "no greeting from the server within \(greetingTimeout.nanoseconds / 1_000_000) ms"))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.promise.fail(failure)
            promise?.fail(failure)
            return
        }
        if request.expecting == .nothing {
            request.promise.succeed(.result(rows: [], matched: 0))
        } else {
            enqueue(request, context: context)
        }
        send(request.payload, sequence: 0, context: context, promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if received.readableBytes == 0 {
            received = bytes
        } else {
            received.writeBuffer(&bytes)
        }
        while failure == nil, let packet = framing.next(from: &received) {
            handle(packet, context: context)
        }
        received.discardReadBytes()
    }

    private func handle(_ packet: MariaDBPacket, context: ChannelHandlerContext) {
        if login != nil { return logIn(packet, context: context) }
        guard let head = waiting.first else {
            // An error packet nobody asked for: the server is going away (shutdown, idle timeout).
            return end(
                context, .unavailable(component: "database", reason: "the server closed the connection: \(MariaDBServerError(packet: packet.payload).message)"))
        }
        do throws(StoreError) {
            if let response = try read(packet, expecting: head.expecting, shape: head.shape) {
                finishHead()?.succeed(response)
            }
        } catch {
            end(context, error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let error = failure ?? .unavailable(component: "database", reason: "the connection was lost: the server closed it")
        failure = error
        failAll(error)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let login, let tls = login.handshake.settings.tls, ServerTLS.isTLSError(error) {
            let settings = login.handshake.settings
            return end(context, .unavailable(component: "database", reason: tls.failure(error, host: settings.host, port: settings.port)))
        }
        end(context, .unavailable(component: "database", reason: "the connection was lost: \(error)"))
    }

    private func logIn(_ packet: MariaDBPacket, context: ChannelHandlerContext) {
        guard var login else { return }
        do {
            let answer: ByteBuffer?
            if login.greeted {
                answer = try login.handshake.next(after: packet.payload, allocator: context.channel.allocator)
            } else {
                login.greeted = true
                login.timer?.cancel()
                login.timer = deadline(in: timeout, context: context, component: "database", late: "not logged in")
                self.login = login
                // Refused before logging in: too many connections, a blocked host.
                if packet.payload.getInteger(at: packet.payload.readerIndex, as: UInt8.self) == 0xFF { throw MariaDBServerError(packet: packet.payload) }
                let greeting = try login.handshake.greeting(packet.payload)
                var sequence = packet.sequence &+ 1
                if let tls = login.handshake.settings.tls {
                    // The request goes out in the clear; the TLS handler, put before this one,
                    // then holds the answer back until its handshake is done.
                    send(login.handshake.tlsRequest(greeting, allocator: context.channel.allocator), sequence: sequence, context: context, promise: nil)
                    context.flush()
                    try context.pipeline.syncOperations.addHandler(
                        try tls.clientHandler(host: login.handshake.settings.host, component: "database"), position: .first)
                    sequence &+= 1
                }
                send(login.handshake.answer(greeting, allocator: context.channel.allocator), sequence: sequence, context: context, promise: nil)
                return context.flush()
            }
            guard let answer else {
                self.login = nil
                login.timer?.cancel()
                return login.done.succeed()
            }
            send(answer, sequence: packet.sequence &+ 1, context: context, promise: nil)
            context.flush()
        } catch {
            self.login = nil
            login.timer?.cancel()
            login.done.fail(error)
            end(context, .unavailable(component: "database", reason: "not logged in"))
        }
    }

    private func send(_ payload: ByteBuffer, sequence: UInt8, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        var buffer = context.channel.allocator.buffer(capacity: payload.readableBytes + 8)
        MariaDBPacket.write(payload, sequence: sequence, to: &buffer)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    private func enqueue(_ request: MariaDBRequest, context: ChannelHandlerContext) {
        let timer = deadline(in: timeout, context: context, component: "database")
        waiting.append(Waiting(expecting: request.expecting, shape: request.shape, promise: request.promise, timer: timer))
    }

    /// Takes in one packet of the head's answer; returns the answer once it is whole.
    private func read(_ packet: MariaDBPacket, expecting: MariaDBExpectation, shape: MariaDBResultShape?) throws(StoreError) -> MariaDBResponse? {
        let payload = packet.payload
        let first = payload.getInteger(at: payload.readerIndex, as: UInt8.self)
        switch progress {
        case .start:
            if first == 0xFF {
                // Answered, even though with an error: the connection stays usable.
                finishHead()?.fail(MariaDBServerError(packet: payload))
                return nil
            }
            if expecting == .prepared { return try readPrepareHead(payload) }
            if first == 0x00 { return .result(rows: [], matched: try Self.matchedRows(payload)) }
            var head = payload
            guard let count = head.readLengthEncodedInteger(), count > 0, count < 4096 else { throw Self.unreadable("a result set's column count") }
            progress = .columns([], expected: Int(count))
            return nil
        case .preparing(let statement, let remaining):
            guard remaining > 1 else { return .prepared(statement) }
            progress = .preparing(statement, remaining: remaining - 1)
            return nil
        case .columns(var definitions, let expected):
            progress = .start  // so that the append below does not copy the array
            definitions.append(payload)
            progress = definitions.count == expected ? .columnsEnd(definitions) : .columns(definitions, expected: expected)
            return nil
        case .columnsEnd(let definitions):
            guard Self.isEnd(payload) else { throw Self.unreadable("the end of the column definitions") }
            if let known = shape?.rows(for: definitions) {
                progress = .rows(known)
                return nil
            }
            var columns: [MariaDBColumn] = []
            columns.reserveCapacity(definitions.count)
            for definition in definitions {
                guard let column = MariaDBColumn(packet: definition) else { throw Self.unreadable("a column definition") }
                columns.append(column)
            }
            let rows = MariaDBResultRows(columns: columns)
            shape?.remember(definitions, rows)
            progress = .rows(rows)
            return nil
        case .rows(var rows):
            if Self.isEnd(payload) { return .result(rows: rows.rows, matched: rows.rows.count) }
            if first == 0xFF {
                finishHead()?.fail(MariaDBServerError(packet: payload))
                return nil
            }
            // Appended in place: the rows are not copied for each one added.
            progress = .start
            guard rows.append(binaryRow: payload) else { throw Self.unreadable("a row") }
            progress = .rows(rows)
            return nil
        }
    }

    private func readPrepareHead(_ payload: ByteBuffer) throws(StoreError) -> MariaDBResponse? {
        var head = payload
        guard head.readInteger(as: UInt8.self) == 0x00, let id = head.readInteger(endianness: .little, as: UInt32.self),
            let columns = head.readInteger(endianness: .little, as: UInt16.self),
            let parameters = head.readInteger(endianness: .little, as: UInt16.self)
        else { throw Self.unreadable("a prepared statement's description") }
        let statement = MariaDBStatement(id: id, parameterCount: Int(parameters))
        // Each list of definitions is followed by an EOF packet.
        let remaining = (parameters > 0 ? Int(parameters) + 1 : 0) + (columns > 0 ? Int(columns) + 1 : 0)
        guard remaining > 0 else { return .prepared(statement) }
        progress = .preparing(statement, remaining: remaining)
        return nil
    }

    /// The rows an OK packet says the statement matched (found rows, with `CLIENT_FOUND_ROWS`).
    private static func matchedRows(_ payload: ByteBuffer) throws(StoreError) -> Int {
        var ok = payload
        ok.moveReaderIndex(forwardBy: 1)
        guard let affected = ok.readLengthEncodedInteger() else { throw unreadable("an OK packet") }
        return Int(clamping: affected)
    }

    /// An EOF packet: 0xFE and shorter than 9 bytes (a longer one starting 0xFE is a length-encoded integer).
    private static func isEnd(_ payload: ByteBuffer) -> Bool {
        payload.readableBytes < 9 && payload.getInteger(at: payload.readerIndex, as: UInt8.self) == 0xFE
    }

    private static func unreadable(_ what: String) -> StoreError {
        .unavailable(component: "database", reason: "the server sent \(what) that could not be read")
    }

    private func finishHead() -> EventLoopPromise<MariaDBResponse>? {
        progress = .start
        guard let done = waiting.popFirst() else { return nil }
        done.timer.cancel()
        return done.promise
    }

    func end(_ context: ChannelHandlerContext, _ error: StoreError) {
        if failure == nil { failure = error }
        context.close(promise: nil)
        failAll(error)
    }

    private func failAll(_ error: StoreError) {
        progress = .start
        if let login {
            self.login = nil
            login.timer?.cancel()
            login.done.fail(error)
        }
        while let waiter = waiting.popFirst() {
            waiter.timer.cancel()
            waiter.promise.fail(error)
        }
    }
}
