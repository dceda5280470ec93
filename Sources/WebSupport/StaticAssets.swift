import Crypto
import Foundation
import Hummingbird

/// The pages' stylesheet and scripts, served from memory under `/static/`. Their addresses
/// carry a hash of their content, so a browser keeps each for a year and fetches it again
/// only when a new LabGate changed it.
public struct StaticAssets: Sendable {
    struct Asset: Sendable {
        var body: ByteBuffer
        var contentType: String
        var version: String
    }

    /// The files built into LabGate (`Sources/WebSupport/Static`).
    public static let bundled = StaticAssets(folder: Bundle.module.url(forResource: "Static", withExtension: nil))

    private let assets: [String: Asset]

    init(folder: URL?) {
        let files = folder.flatMap { try? FileManager.default.contentsOfDirectory(at: $0, includingPropertiesForKeys: nil) } ?? []
        var assets: [String: Asset] = [:]
        for file in files {
            guard let data = try? Data(contentsOf: file), let type = Self.contentTypes[file.pathExtension] else { continue }
            let version = SHA256.hash(data: data).prefix(6).map { String(format: "%02x", $0) }.joined()
            assets[file.lastPathComponent] = Asset(body: ByteBuffer(bytes: data), contentType: type, version: version)
        }
        precondition(!assets.isEmpty, "no static files in \(folder?.path ?? "WebSupport's resources")")
        self.assets = assets
    }

    private static let contentTypes = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"]

    /// The address of `name`, with its version.
    public func url(_ name: String) -> String {
        guard let asset = assets[name] else { preconditionFailure("no static file \(name)") }
        return "/static/\(name)?v=\(asset.version)"
    }

    /// `GET /static/<name>`: an address with the current version is kept for a year; one
    /// without (or with an old one) is checked again each time, by its `ETag`.
    public func endpoints<Context: RequestContext>(context: Context.Type = Context.self) -> RouteCollection<Context> {
        let collection = RouteCollection(context: Context.self)
        collection.get("/static/{name}") { request, context in
            guard let name = context.parameters.get("name"), let asset = assets[name] else {
                throw HTTPError(.notFound, message: "There is no such file.")
            }
            let etag = "\"\(asset.version)\""
            var headers: HTTPFields = [
                .contentType: asset.contentType, .eTag: etag,
                .cacheControl: request.uri.queryParameters["v"].map(String.init) == asset.version ? "public, max-age=31536000, immutable" : "no-cache",
            ]
            if request.headers[.ifNoneMatch] == etag {
                headers[.contentType] = nil
                return Response(status: .notModified, headers: headers)
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
        }
        return collection
    }
}
