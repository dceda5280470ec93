import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import LTIGateway

@Suite("The outbound filter refuses every special-purpose address")
struct OutboundFilterTests {
    @Test("a table of address forms: each refused before any connection is made")
    func addressForms() async throws {
        let accepted = NIOLockedValueBox(0)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                accepted.withLockedValue { $0 += 1 }
                return channel.close()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        let forms = [
            "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "localhost", "0.0.0.0", "[::1]", "[::127.0.0.1]",
            "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[64:ff9b::7f00:1]", "[64:ff9b:1::7f00:1]", "[::]", "10.0.0.1", "172.16.5.4",
            "192.168.1.1", "169.254.169.254", "100.64.0.1", "198.18.0.1", "198.19.255.254", "192.0.0.8", "192.0.2.1",
            "198.51.100.7", "203.0.113.9", "224.0.0.1", "240.0.0.1", "255.255.255.255", "[fc00::1]", "[fd12:3456::1]",
            "[fe80::1]", "[ff02::1]", "[2001:db8::1]", "[2001::1]", "[2002:7f00:1::]", "[100::1]", "[3fff::1]",
        ]
        let policy = OutboundURLPolicy(allowInsecureLoopback: false, allowPrivateAddresses: false)
        let http = OutboundHTTP(policy: policy)
        for form in forms {
            let url = "https://\(form):\(port)/.well-known/openid-configuration"
            #expect(throws: OutboundURLError.self, "\(form)") { try policy.check(url, checkAddresses: true) }
            do {
                _ = try await http.getJSON([String: String].self, from: url, checkAddresses: true)
                Issue.record("\(form) was fetched")
            } catch {
                guard case .refused = error else {
                    Issue.record("\(form): \(error)")
                    continue
                }
            }
        }
        await http.shutdown()
        try await server.close()
        #expect(accepted.withLockedValue { $0 } == 0)
        // Ordinary public addresses pass the filter (no connection is made here: only the check).
        for form in ["93.184.215.14", "[2606:2800:21f:cb07:6820:80da:af6b:8b2c]", "[64:ff9b::5db8:d70e]"] {
            let checked = try policy.check("https://\(form)/x", checkAddresses: true)
            #expect(checked.address != nil, "\(form)")
        }
    }
}
