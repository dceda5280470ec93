import Hummingbird
import NIOCore
import NIOPosix

// As `labgate serve` runs: Swift Concurrency's jobs on NIO's event loops, one route, no middleware.
_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
guard CommandLine.arguments.count == 2, let port = Int(CommandLine.arguments[1]) else {
    fatalError("usage: HummingbirdFloor PORT")
}
let body = ByteBuffer(string: #"{"status":"ok"}"#)
let router = Router()
router.get("healthz") { _, _ in
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
}
try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port))).runService()
