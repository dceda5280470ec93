import Testing

@testable import Provisioning

/// The in-process wake-up of clones waiting for a slot.
@Suite struct SlotReleaseSignalTests {
    @Test func aWaitEndsWhenItsTimeRunsOutEvenBeforeItIsQueued() async {
        let signal = SlotReleaseSignal()
        for _ in 0..<500 { await signal.wait(timeout: .zero) }
    }

    @Test func aSignalWakesTheLongestWaiterAtOnce() async throws {
        let signal = SlotReleaseSignal()
        let clock = ContinuousClock()
        let start = clock.now
        async let woken: Void = signal.wait(timeout: .seconds(60))
        // Signal until the waiter is queued and woken; each signal finds it or no one.
        let waiting = Task {
            while !Task.isCancelled {
                signal.signal()
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        await woken
        waiting.cancel()
        #expect(clock.now - start < .seconds(30), "woken by the signal, not by its 60 s timeout")
    }
}
