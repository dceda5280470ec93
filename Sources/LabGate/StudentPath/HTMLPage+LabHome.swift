import Foundation
import LabCore
import WebSupport

/// What the student's lab page shows once the lab is ready, besides the lab itself.
struct LabHomeView {
    var instance: LabInstance
    var environment: Environment?
    /// How many checks the environment declares.
    var checkCount: Int
    var lastRun: CheckRun?
    /// Whether the activity the student came from has a gradebook column.
    var gradable: Bool
    var grade: Grade?
    /// How many checkpoints the lab may keep (0: the environment offers none), and those it has.
    var checkpointLimit: Int
    var checkpoints: [LabCheckpoint]
    /// Set while the lab, connected but unused, is about to be paused.
    var unusedWarning: UnusedWarning?
    var notice: String?
    var csrf: String
    var windowPass: String

    /// Whether the page has more to offer than the desktop; otherwise a launch goes straight to the desktop.
    var hasWork: Bool { checkCount > 0 || gradable || checkpointLimit > 0 }
}

extension HTMLPage {
    /// The student's home for a ready lab: the desktop, "Check my work" with the last results, "Hand in" and reset.
    static func labHome(_ view: LabHomeView) -> HTMLPage {
        var context: [String: Any] = ["id": view.instance.id.rawValue, "csrf": view.csrf, "windowPass": view.windowPass]
        context["environment"] = view.environment?.title
        context["notice"] = view.notice
        context["pausesAt"] = view.unusedWarning.map { $0.pausesAt.formatted(Date.ISO8601FormatStyle().time(includingFractionalSeconds: false)) }
        if view.checkCount > 0 {
            var checks: [String: Any] = ["count": view.checkCount]
            if let run = view.lastRun {
                checks["run"] =
                    [
                        "ranAt": run.ranAt.formatted(readableTime), "score": run.score, "maxScore": run.maxScore, "handedIn": run.handedInAt != nil,
                        "results": run.results.map { result -> [String: Any] in
                            var row: [String: Any] = [
                                "name": result.name, "passed": result.passed, "points": result.points, "maxPoints": result.maxPoints,
                            ]
                            row["output"] = result.output.isEmpty ? nil : result.output
                            row["problem"] = result.problem
                            return row
                        },
                    ] as [String: Any]
            }
            context["checks"] = checks
        }
        if view.checkpointLimit > 0 {
            context["checkpoints"] = checkpointsContext(view)
        }
        if view.gradable {
            context["handIn"] = ["graded": view.checkCount > 0, "state": gradeState(view.grade)]
        }
        return HTMLPage(title: "Your lab is ready", body: pageTemplates.render("lab-home", context), scripts: ["lab.js"])
    }

    /// The lab's checkpoints with what each offers, and whether another may be saved.
    private static func checkpointsContext(_ view: LabHomeView) -> [String: Any] {
        let counted = view.checkpoints.filter(\.status.counts).count
        let rows = view.checkpoints.map { checkpoint -> [String: Any] in
            var row: [String: Any] = [
                "name": checkpoint.name, "label": checkpoint.label, "savedAt": checkpoint.createdAt.formatted(readableTime),
                "saved": checkpoint.status == .saved,
            ]
            row["status"] =
                switch checkpoint.status {
                case .saved: nil
                case .failed: "not saved: \(checkpoint.problem ?? "Proxmox refused it")"
                case .saving: "being saved"
                case .restoring: "your lab is going back to it"
                case .deleting: "being deleted"
                }
            return row
        }
        return ["rows": rows, "limit": view.checkpointLimit, "full": counted >= view.checkpointLimit, "maxLength": 60]
    }

    /// What a notice code in the page's address says (codes only: no text comes from the address).
    static func labNotice(_ code: String?, wait: Int?) -> String? {
        switch code {
        case "checked": "Your work was checked: the results are below."
        case "handed-in": "Handed in. Your course's gradebook gets it within a minute."
        case "running": CheckRefusal.running.description.prefix(1).uppercased() + CheckRefusal.running.description.dropFirst() + "."
        case "too-soon": "Your work was checked a moment ago; you can check again in \(wait ?? 60) seconds."
        case "no-activity": "Open the lab from its activity in your course to hand it in."
        case "checkpoint-saved": "Your checkpoint is saved."
        case "checkpoint-deleted": "The checkpoint is deleted."
        case "checkpoint-full": "Your lab keeps as many checkpoints as it can: delete one to save another."
        case "checkpoint-quota": "The checkpoints allowed to you or your course are all in use: delete one of yours, or ask your teacher."
        case "checkpoint-label": "Give the checkpoint a name of 1 to 60 characters, in plain text."
        case "checkpoint-gone": "That checkpoint is no longer there."
        case "busy": "Your lab is busy with another change; wait until it is ready and try again."
        default: nil
        }
    }
}
