import Foundation
import LabCore

/// What a student is told about their lab in each state: how far along it is and, when it
/// rests somewhere other than ready, what they can do.
package struct LabProgress: Codable, Equatable, Sendable {
    package var state: String
    /// 1-based position in the way to ready; 0 off that way (stopped, failed, removed).
    var step: Int
    var steps: Int
    package var text: String
    /// Set when the student has to act: `start` (stopped), `retry` (failed), `relaunch` (removed).
    var action: String?

    /// The states a new lab passes on its way to ready, in order.
    static let path: [LabInstanceState] = [.requested, .allocating, .cloning, .configuring, .starting, .waitingForAddress, .ready]

    init(_ instance: LabInstance) {
        state = instance.state.rawValue
        step = (Self.path.firstIndex(of: instance.state) ?? -1) + 1
        steps = Self.path.count
        switch instance.state {
        case .requested: text = "Waiting for a free worker…"
        case .allocating: text = "Choosing a server for your lab…"
        case .cloning: text = "Copying the lab's template for you…"
        case .configuring: text = "Setting up your machine…"
        case .starting: text = "Starting your machine…"
        case .waitingForAddress: text = "Waiting for your machine to come online…"
        case .ready: text = "Your lab is ready. Opening it…"
        case .claiming: text = "Setting up a lab prepared for your class…"
        case .stopping: text = "Your lab is being stopped…"
        case .stopped:
            let why = instance.pauseReason.map { "Your lab was paused \($0)." } ?? "Your lab is stopped (by your teacher, or outside the course's hours)."
            text = why + " Start it again to continue where you left off: your files are kept."
            action = "start"
        case .resetting: text = "Your lab is going back to its starting point, or to the checkpoint you chose…"
        case .checkpointing: text = "Saving or deleting your checkpoint; your lab keeps what you did…"
        case .deleting, .deleted:
            text = "This lab was removed. Open the activity again from your course to get a new one."
            action = "relaunch"
        case .failed:
            text =
                "Your lab could not be prepared: \(Self.sentence(instance.failureReason ?? "no reason was recorded")) Try again; "
                + "if it fails again, tell your teacher and mention reference \(instance.id)."
            action = "retry"
        }
    }

    /// `reason` ending in exactly one full stop, whatever punctuation it brought.
    static func sentence(_ reason: String) -> String {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.last.map { ".!?".contains($0) } == true ? trimmed : trimmed + "."
    }

    /// Whether the page can stop listening: nothing changes without the student or a teacher.
    var isFinal: Bool { action != nil || state == LabInstanceState.ready.rawValue }
}
