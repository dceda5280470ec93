import Crypto
import LabCore
import WebEncoding

/// Guacamole's stored password: SHA-256 of the password followed by the salt written as
/// upper-case hex (guacamole-auth-jdbc); lower-case hex would never match.
enum GuacamolePassword {
    static func hash(_ password: String, salt: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: Array((password + salt.hexEncodedString(uppercase: true)).utf8)))
    }

    /// An account whose random password nobody ever sees: students come in by auth-json.
    static func unusableAccount(username: String) -> GuacamoleAccount {
        let password = SecureRandom.bytes(32).hexEncodedString()
        let salt = SecureRandom.bytes(32)
        return GuacamoleAccount(username: username, passwordHash: hash(password, salt: salt), passwordSalt: salt)
    }
}
