import Foundation
import LabCore

/// Registering, approving and removing platforms: the one path shared by the declarative
/// files, the CLI and Dynamic Registration, so the three always agree.
public struct PlatformRegistry: Sendable {
    let repository: any PlatformRepository
    let directory: PlatformDirectory?

    public init(repository: any PlatformRepository, directory: PlatformDirectory? = nil) {
        self.repository = repository
        self.directory = directory
    }

    /// Stores a platform, or updates the one with the same issuer and client id (keeping its
    /// id, and its approval unless `platform` is active), and adds the deployments.
    @discardableResult
    public func save(_ platform: Platform, deployments: [String], now: Date) async throws -> Platform {
        defer { directory?.invalidate() }
        var saved = platform
        if var existing = try await repository.find(issuer: platform.issuer, clientID: platform.clientID) {
            existing.authURL = platform.authURL
            existing.tokenURL = platform.tokenURL
            existing.jwksURL = platform.jwksURL
            if platform.status == .active { existing.status = .active }
            _ = try await repository.update(existing)
            saved = existing
        } else {
            do {
                try await repository.insert(platform)
            } catch StoreError.duplicate {
                // Registered by someone else a moment ago: update theirs.
                return try await save(platform, deployments: deployments, now: now)
            }
        }
        for deployment in deployments where !deployment.isEmpty {
            try await repository.addDeployment(deployment, to: saved.id)
        }
        return saved
    }

    /// Lets launches from a pending platform in; returns it, or nil if there is no such platform.
    public func approve(id: PlatformID) async throws -> Platform? {
        defer { directory?.invalidate() }
        guard var platform = try await repository.find(id: id) else { return nil }
        if platform.status != .active {
            platform.status = .active
            guard try await repository.update(platform) else { return nil }
        }
        return platform
    }

    /// Removes a platform with its deployments; returns false if there was none.
    public func remove(id: PlatformID) async throws -> Bool {
        defer { directory?.invalidate() }
        return try await repository.remove(id: id)
    }

    /// Every platform with its deployments.
    public func list() async throws -> [(platform: Platform, deployments: [String])] {
        var result: [(Platform, [String])] = []
        for platform in try await repository.list() {
            result.append((platform, try await repository.deployments(of: platform.id)))
        }
        return result
    }
}
