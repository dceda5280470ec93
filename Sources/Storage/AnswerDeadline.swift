import LabCore
import NIOCore

/// A channel handler that gives up on its connection when an answer is late: later answers
/// could no longer be matched to their requests.
protocol EndsOnLateAnswer: AnyObject {
    /// Closes the connection and fails every waiting request with `error`.
    func end(_ context: ChannelHandlerContext, _ error: StoreError)
}

extension EndsOnLateAnswer {
    /// Ends the connection unless the returned task is cancelled within `timeout`. The reason
    /// is written only if it fires, not for every request.
    func deadline(in timeout: TimeAmount, context: ChannelHandlerContext, component: String, late: String = "no answer") -> Scheduled<Void> {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        return context.eventLoop.scheduleTask(in: timeout) {
            handler.value.end(bound.value, .unavailable(component: component, reason: "\(late) within \(timeout.nanoseconds / 1_000_000) ms"))
        }
    }
}
