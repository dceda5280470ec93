import Foundation

/// The parameters of one API request (query for GET/DELETE, form body for POST/PUT),
/// checked the way PVE's schema checks them.
struct SimParameters {
    var values: [String: String]

    /// Parses `a=1&b=x%20y` (with `+` as a space, as forms encode it).
    init(formEncoded text: String) {
        var values: [String: String] = [:]
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            values[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        self.values = values
    }

    subscript(_ name: String) -> String? { values[name] }

    func string(_ name: String) throws(SimAPIError) -> String {
        guard let value = values[name] else { throw .missing(name) }
        return value
    }

    func int(_ name: String) throws(SimAPIError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text) else { throw .parameter(name, "type check ('integer') failed - got '\(text)'") }
        return value
    }

    /// PVE reads form booleans as `0` or `1` and nothing else.
    func bool(_ name: String) throws(SimAPIError) -> Bool? {
        switch values[name] {
        case nil: return nil
        case "0": return false
        case "1": return true
        case let other?: throw .parameter(name, "type check ('boolean') failed - got '\(other)'")
        }
    }
}
