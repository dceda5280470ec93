/// Why a page of the student's path was refused; `Refusal` words it for the student.
enum LabPageError: Error, Equatable {
    /// No valid session cookie: the browser did not come from a launch, or long ago.
    case sessionRequired
    /// No such lab, or not this student's (the same answer, so ids cannot be probed).
    case noSuchLab
    /// A form without the session's CSRF token.
    case staleForm
    /// The preview exists only where there is no Guacamole.
    case noPreview
    /// A form posted from another site.
    case crossSite
}
