import LabCore

/// Asks Redis Sentinels where the primary they monitor under `masterName` is. The first
/// Sentinel that answers is believed: once a failover is over, each names the new primary.
struct RedisSentinels {
    let settings: RedisSettings

    /// The primary's address.
    func primary() async throws -> RedisAddress {
        var problems: [String] = []
        for sentinel in settings.sentinels {
            do {
                let connection = try await RedisChannel.connect(
                    to: sentinel, on: SharedEventLoops.preferred(), timeout: min(settings.timeout, .seconds(2)), tls: settings.tls,
                    handshake: RedisHandshake(password: settings.sentinelPassword, setting: "redis.sentinelPassword"), retryingFor: .zero)
                defer { connection.close() }
                let parts = try await connection.run([["SENTINEL", "get-master-addr-by-name", settings.masterName]])[0].checked().array.compactMap(\.string)
                guard parts.count == 2, let address = RedisAddress("\(parts[0]):\(parts[1])") else {
                    problems.append("\(sentinel) monitors no primary named \(settings.masterName)")
                    continue
                }
                return address
            } catch {
                problems.append("\(sentinel): \(error)")
            }
        }
        throw StoreError.unavailable(component: "redis", reason: "no Sentinel named the primary: " + problems.joined(separator: "; "))
    }
}
