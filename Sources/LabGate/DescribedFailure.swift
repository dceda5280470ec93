/// A failure LabGate has already put into words for people: printed as it is, on one line.
struct DescribedFailure: Error, CustomStringConvertible {
    var description: String
}
