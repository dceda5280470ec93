import Foundation
import WebEncoding

/// Unguessable values (state, nonce, codes): 256 bits from the system's CSPRNG, base64url.
public enum RandomToken {
    public static func make(bytes count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64URLEncodedString()
    }
}
