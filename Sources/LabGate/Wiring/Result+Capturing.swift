extension Result where Failure == any Error {
    /// What `body` returned or threw, so that cleanup runs either way before it is rethrown.
    package static func capturing(_ body: () async throws -> Success) async -> Self {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }
}
