import Hummingbird

extension Request {
    /// The value of the first cookie named `name` in the request's `Cookie` headers
    /// (RFC 6265 §4.2: `name=value` pairs separated by `; `), or nil.
    ///
    /// Read straight from the header's bytes: Hummingbird's `cookies` splits every cookie
    /// into `Character`s each time it is asked, and a launch asks three times (2 % of its CPU).
    public func cookie(_ name: String) -> String? {
        let wanted = name.utf8
        for header in headers[values: .cookie] {
            var pairs = header.utf8[...]
            while !pairs.isEmpty {
                let end = pairs.firstIndex(of: UInt8(ascii: ";")) ?? pairs.endIndex
                var pair = pairs[..<end]
                pairs = end == pairs.endIndex ? pairs[end...] : pairs[pairs.index(after: end)...]
                while let first = pair.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { pair = pair.dropFirst() }
                guard let equals = pair.firstIndex(of: UInt8(ascii: "=")), pair[..<equals].elementsEqual(wanted) else { continue }
                return String(Substring(pair[pair.index(after: equals)...]))
            }
        }
        return nil
    }
}
