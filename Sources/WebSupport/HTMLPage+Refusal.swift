extension HTMLPage {
    /// A refused request as a page: `heading` names what failed (a registration is not a
    /// lab), then the refusal's words and the reference to report.
    public static func refusal(_ refusal: Refusal, heading: String, requestID: String) -> HTMLPage {
        HTMLPage(
            title: heading,
            body: """
                <h1>\(escape(heading))</h1>
                <p>\(escape(refusal.message))</p>
                <p class="note">If you report this, mention reference \(escape(requestID)).</p>
                """, status: refusal.status)
    }
}
