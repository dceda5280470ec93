import Foundation
import LabCore
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import LabGate

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

    @Test("a quiet stream carries a keep-alive comment once the interval has passed without a write, and none before")
    func keepAlive() async throws {
        // The lab stays cloning for 20 looks, then stops (the stream ends): no wall-clock timing involved.
        let looks = NIOLockedValueBox(0)
        let reload: @Sendable (LabInstanceID) async throws -> LabInstance? = { _ in
            looks.withLockedValue {
                $0 += 1
                return $0
            } < 20 ? Self.instance(.cloning) : Self.instance(.stopped)
        }
        func comments(every interval: Duration) async throws -> (comments: Int, events: Int) {
            looks.withLockedValue { $0 = 0 }
            let written = NIOLockedValueBox<[String]>([])
            let stream = LabProgressStream(pollInterval: .milliseconds(1), lifetime: .seconds(600), keepAliveInterval: interval)
            try await stream.run(Self.instance(.cloning), reload: reload, link: { _ in "" }) { buffer in
                written.withLockedValue { $0.append(String(buffer: buffer)) }
            }
            let lines = written.withLockedValue { $0 }
            return (lines.filter { $0 == ": keep-alive\n\n" }.count, lines.filter { $0.hasPrefix("event: progress\n") }.count)
        }
        let always = try await comments(every: .zero)
        #expect(always.events == 2, "cloning, then stopped")
        #expect(always.comments == 19, "one on each look that found no change")
        let never = try await comments(every: .seconds(3600))
        #expect(never.events == 2 && never.comments == 0)
    }
}
