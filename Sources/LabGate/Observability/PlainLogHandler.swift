import Foundation
import Logging

/// Writes one line per event, `time level label: key=value … message`. Values come from
/// outside (an issuer, a URL from a query): any value with a blank, a quote or a control
/// character is written quoted with those escaped, so no value can end the line and start
/// a forged one.
struct PlainLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    private let label: String

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
            .sorted { $0.key < $1.key }
            .map { "\(Self.quoted($0.key))=\(Self.quoted($0.value.description))" }
        let time = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())
        let line =
            ([time, event.level.rawValue, label + ":"] + fields + [Self.escaped(event.message.description)])
            .joined(separator: " ") + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// The value as it is, when it is made of plain characters; otherwise in double quotes,
    /// escaped.
    static func quoted(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f && $0 != "\"" && $0 != "\\" && $0 != "=" }
        return plain ? value : "\"" + escaped(value) + "\""
    }

    /// Quotes, backslashes and control characters (line breaks above all) as escapes.
    static func escaped(_ value: String) -> String {
        var escaped = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}":
                escaped += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
