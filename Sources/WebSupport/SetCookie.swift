import HTTPTypes

/// A `Set-Cookie` for pages shown inside the platform's iframe: the browser sends it back
/// only over HTTPS (`Secure`), scripts cannot read it (`HttpOnly`), it survives the
/// cross-site form post from the platform (`SameSite=None`), and browsers that block
/// third-party cookies keep it in a jar of its own for the platform's site (`Partitioned`).
public struct SetCookie: Sendable {
    public var name: String
    public var value: String
    public var path: String
    public var maxAge: Int

    public init(name: String, value: String, path: String, maxAge: Int) {
        self.name = name
        self.value = value
        self.path = path
        self.maxAge = maxAge
    }

    public var field: HTTPField {
        HTTPField(name: .setCookie, value: "\(name)=\(value); Path=\(path); Max-Age=\(maxAge); Secure; HttpOnly; SameSite=None; Partitioned")
    }

    /// Tells the browser to forget the cookie.
    public static func expired(_ name: String, path: String) -> SetCookie {
        SetCookie(name: name, value: "", path: path, maxAge: 0)
    }
}
