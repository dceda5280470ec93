import WebEncoding

/// The parameters of one Moodle web-service call, as the form Moodle's REST server reads:
/// lists as `name[0]=…`, structures as `name[key]=…`, nested by concatenation
/// (`options[0][name]=onlyactive`), in the order they are added.
struct MoodleParameters: Sendable {
    private(set) var pairs: [(name: String, value: String)] = []

    /// A plain value; booleans go as 0 and 1, the only forms Moodle's REST layer accepts.
    mutating func set(_ name: String, _ value: String) { pairs.append((name, value)) }
    mutating func set(_ name: String, _ value: Int) { set(name, String(value)) }
    mutating func set(_ name: String, _ value: Bool) { set(name, value ? "1" : "0") }

    /// A list of plain values: `name[0]`, `name[1]`, ….
    mutating func list(_ name: String, _ values: [String]) {
        for (index, value) in values.enumerated() { set("\(name)[\(index)]", value) }
    }

    /// A list of structures: `name[0][key]`, … with each item's keys in their given order.
    mutating func records(_ name: String, _ items: [[(key: String, value: String)]]) {
        for (index, item) in items.enumerated() {
            for (key, value) in item { set("\(name)[\(index)][\(key)]", value) }
        }
    }

    /// Name/value option lists as many functions take them (`options[0][name]=…&options[0][value]=…`).
    mutating func options(_ name: String, _ options: [(name: String, value: String)]) {
        records(name, options.map { [("name", $0.name), ("value", $0.value)] })
    }

    var formEncoded: String { FormURLEncoding.encode(pairs.map { ($0.name, $0.value) }) }
}
