import Foundation
import LabCore

extension LabOperations {
    /// A lab prepared for `session`: the student's own, or a spare (owned by the course's
    /// placeholder `userID`). Within every quota, as a launch's; nil when a quota is full or
    /// the student has a lab of the environment already.
    func prepareLab(for userID: UserID, spare: Bool, of session: ClassSession, environment: Environment) async throws -> LabInstance? {
        let now = clock.now()
        let made = try await admission.findOrCreateWithinQuotas(userID: userID, environment: environment, courseID: session.courseID) { footprint in
            LabInstance(
                userID: userID, environmentID: environment.id, courseID: session.courseID, cores: footprint.cores, memoryMiB: footprint.memoryMiB,
                createdAt: now, preparedFor: session.id, isSpare: spare)
        }
        guard let (instance, created) = made, created else { return nil }
        try await enqueue(instance.id)
        await audit.record(
            AuditEvent(
                at: now, actor: "reconciler", action: spare ? "instance.prepare-spare" : "instance.prepare", subject: "instance/\(instance.id)",
                detail: "for the class at \(session.startsAt)", courseID: session.courseID))
        return instance
    }

    /// Removes a lab prepared for `session` if nobody has taken it: a student who claims the
    /// spare or opens the lab meanwhile keeps it (their save bumps the version this one checks).
    /// Returns whether it is on its way out.
    public func removeUnclaimed(_ id: LabInstanceID, of session: ClassSessionID) async throws -> Bool {
        do {
            return try await perform(.delete, on: id, if: { $0.preparedFor == session }) != nil
        } catch ProvisioningError.notAllowed, ProvisioningError.unknownInstance, StoreError.conflict {
            return false
        }
    }
}
