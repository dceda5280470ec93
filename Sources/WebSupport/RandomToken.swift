import Foundation
import LabCore
import WebEncoding

/// Unguessable values (state, nonce, codes): 256 bits from the system's CSPRNG, base64url.
public enum RandomToken {
    public static func make(bytes count: Int = 32) -> String {
        Data(SecureRandom.bytes(count)).base64URLEncodedString()
    }
}
