// swift-tools-version:6.2
import PackageDescription

// Two servers that answer `GET /healthz` and do nothing else: one on SwiftNIO's HTTP/1
// handlers, one on Hummingbird as LabGate uses it. `scripts/bench-http-floor.sh` measures their
// CPU per request against LabGate's own `/healthz`, to tell the cost of the HTTP server's model
// from the cost of LabGate's work. Not part of LabGate's build.
let package = Package(
    name: "http-floor",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        .executableTarget(
            name: "NIOFloor",
            dependencies: [.product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio")],
            swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(
            name: "HummingbirdFloor",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
