import Foundation
import Testing

@testable import LabGate

@Suite("Documentation")
struct DocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("docs/configuration.md lists every setting with its environment variable and default")
    func configurationIsDocumented() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        for key in ConfigKey.all {
            let row = text.split(separator: "\n").first { $0.hasPrefix("| `\(key.path)` |") }
            #expect(row != nil, "\(key.path) is not documented")
            #expect(row?.contains("`\(key.environmentName)`") == true, "\(key.path): wrong environment variable")
            if !key.defaultValue.isEmpty {
                #expect(row?.contains("`\(key.defaultValue)`") == true, "\(key.path): wrong default")
            }
        }
    }

    @Test("the example configuration is valid")
    func exampleIsValid() throws {
        let config = try ConfigLoader(environment: [:]).load(file: Self.root.appendingPathComponent("lti-config/labgate.example.yaml").path)
        guard case .mariaDB = config.database, case .redis = config.ephemeral else {
            Issue.record("the example should show the production engines")
            return
        }
    }

    @Test("the example platform file is valid")
    func platformExampleIsValid() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-doc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Self.root.appendingPathComponent("lti-config/platforms/moodle.yaml.example"), to: folder.appendingPathComponent("moodle.yaml"))
        let files = try PlatformFile.load(directory: folder.path)
        #expect(files.first?.platform.issuer == "https://moodle.example.edu")
        #expect(files.first?.platform.deploymentIds == ["1"])
    }

    @Test("a broken platform file names the file and the problem")
    func brokenPlatformFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-doc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "issuer: https://m.example\nclientId: c\n".write(to: folder.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        #expect(throws: PlatformFile.Failure.self) { try PlatformFile.load(directory: folder.path) }
        do {
            _ = try PlatformFile.load(directory: folder.path)
        } catch {
            #expect("\(error)".contains("m.yaml"))
            #expect("\(error)".contains("deploymentIds"))
        }
    }
}
