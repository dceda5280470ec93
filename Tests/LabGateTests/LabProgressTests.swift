import Foundation
@testable import LabGate
import LabCore
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// What the waiting page says and how its stream behaves while nothing changes.
@Suite("The waiting page's progress")
struct LabProgressTests {
    static func instance(_ state: LabInstanceState, reason: String? = nil) -> LabInstance {
        LabInstance(userID: UserID("ada"), environmentID: EnvironmentID("linux"), state: state, failureReason: reason, createdAt: Date())
    }

    @Test("a failure reason ends in exactly one full stop, whatever punctuation it brought")
    func oneFullStop() {
        for reason in ["the threshold was reached.", "the threshold was reached", "the threshold was reached. ", "is it down?"] {
            let text = LabProgress(Self.instance(.failed, reason: reason)).text
            #expect(!text.contains("..") && !text.contains("?."), "\(text)")
            #expect(text.contains(". Try again") || text.contains("? Try again"), "\(text)")
        }
    }

    @Test("a quiet stream carries keep-alive comments, and only while nothing changes")
    func keepAlive() async throws {
        let waiting = Self.instance(.cloning)
        let written = NIOLockedValueBox<[String]>([])
        let stream = LabProgressStream(pollInterval: .milliseconds(10), lifetime: .seconds(1), keepAliveInterval: .milliseconds(100))
        try await stream.run(waiting, reload: { _ in waiting }, link: { _ in "" }) { buffer in
            written.withLockedValue { $0.append(String(buffer: buffer)) }
        }
        let lines = written.withLockedValue { $0 }
        #expect(lines.first?.hasPrefix("event: progress\n") == true)
        #expect(lines.filter { $0.contains("event: progress") }.count == 1, "the state did not change")
        let comments = lines.filter { $0 == ": keep-alive\n\n" }.count
        #expect((2...10).contains(comments), "\(comments) comments in 1 s at most one per 100 ms")
    }
}
