import Foundation

/// The parameters of one API request (query for GET/DELETE, form body for POST/PUT),
/// checked the way PVE's schema checks them.
struct SimParameters {
    /// Every value of each name, in order: PVE reads a repeated name as an array (`command`).
    private(set) var lists: [String: [String]]
    /// The last value of each name, as PVE reads a parameter that is not an array.
    var values: [String: String] { lists.compactMapValues(\.last) }

    /// Parses `a=1&b=x%20y` (with `+` as a space, as forms encode it).
    init(formEncoded text: String) {
        var lists: [String: [String]] = [:]
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            lists[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        self.lists = lists
    }

    subscript(_ name: String) -> String? { lists[name]?.last }

    /// Every value of an array parameter.
    func array(_ name: String) -> [String] { lists[name] ?? [] }

    /// Adds `other`'s parameters; a name in both takes `other`'s values (the body's over the query's).
    mutating func merge(_ other: SimParameters) {
        lists.merge(other.lists) { _, body in body }
    }

    func string(_ name: String) throws(SimAPIError) -> String {
        guard let value = self[name] else { throw .missing(name) }
        return value
    }

    func int(_ name: String) throws(SimAPIError) -> Int? {
        guard let text = self[name] else { return nil }
        guard let value = Int(text) else { throw .parameter(name, "type check ('integer') failed - got '\(text)'") }
        return value
    }

    /// PVE reads form booleans as `0` or `1` and nothing else.
    func bool(_ name: String) throws(SimAPIError) -> Bool? {
        switch self[name] {
        case nil: return nil
        case "0": return false
        case "1": return true
        case let other?: throw .parameter(name, "type check ('boolean') failed - got '\(other)'")
        }
    }
}
