import HTTPTypes
import LabCore

extension LaunchRefusal {
    /// The status of the page that says so: a closed course forbids, a full course asks to
    /// come back, a full service is unavailable for now.
    public var status: HTTPResponse.Status {
        switch self {
        case .closed: .forbidden
        case .quota(.global, _): .serviceUnavailable
        case .quota: .tooManyRequests
        }
    }
}
