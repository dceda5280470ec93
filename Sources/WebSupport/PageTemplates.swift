import Foundation
import Mustache

/// A module's page templates (swift-mustache, which escapes every `{{value}}`), read once
/// from the module's resources.
public struct PageTemplates: Sendable {
    private var library = MustacheLibrary()

    /// Every `.mustache` file in `folder`, named by its file name without the extension.
    /// The templates are built into LabGate, so one that cannot be read or parsed is a
    /// defect of the build, which the tests (they render every page) find first.
    public init(folder: URL?) {
        let files = folder.flatMap { try? FileManager.default.contentsOfDirectory(at: $0, includingPropertiesForKeys: nil) } ?? []
        precondition(!files.isEmpty, "no page templates in \(folder?.path ?? "the module's resources")")
        for file in files where file.pathExtension == "mustache" {
            do {
                try library.register(String(contentsOf: file, encoding: .utf8), named: file.deletingPathExtension().lastPathComponent)
            } catch {
                preconditionFailure("page template \(file.lastPathComponent): \(error)")
            }
        }
    }

    /// The template `name` filled with `context` (a dictionary or a struct, read by name).
    public func render(_ name: String, _ context: Any) -> String {
        guard let html = library.render(context, withTemplate: name) else { preconditionFailure("no page template \(name)") }
        return html
    }
}

/// WebSupport's own templates: the page around every body, and the refusal.
let webTemplates = PageTemplates(folder: Bundle.module.url(forResource: "Templates", withExtension: nil))
