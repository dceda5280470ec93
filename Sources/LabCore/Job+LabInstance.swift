extension Job {
    /// The kind of job that moves a lab instance on to its next resting state.
    public static let advanceLabInstanceKind = "lab.advance"

    /// A job that moves the instance on: whoever saves a state that needs work enqueues it.
    public static func advance(_ instance: LabInstanceID) -> Job {
        Job(kind: advanceLabInstanceKind, payload: instance.rawValue)
    }
}
