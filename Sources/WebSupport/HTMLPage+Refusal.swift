extension HTMLPage {
    /// A refused request as a page: `heading` names what failed (a registration is not a
    /// lab), then the refusal's words and the reference to report.
    public static func refusal(_ refusal: Refusal, heading: String, requestID: String) -> HTMLPage {
        let context = ["heading": heading, "message": refusal.message, "requestID": requestID]
        return HTMLPage(title: heading, body: webTemplates.render("refusal", context), status: refusal.status)
    }
}
