import Foundation

/// Tells a student about their lab where they are when they are not on LabGate's pages
/// (a message in Moodle, say).
public protocol LabNotices: Sendable {
    /// The student's new lab became ready `waited` after they asked for it.
    func labReady(_ instance: LabInstance, waited: TimeInterval) async
    /// The student's lab, connected but unused, is paused at `pausesAt` unless they use it.
    func labUnused(_ instance: LabInstance, pausesAt: Date) async
}
