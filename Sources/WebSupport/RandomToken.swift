import Foundation
import WebEncoding

/// Unguessable values (state, nonce, codes): 256 bits from the system's CSPRNG, base64url.
public enum RandomToken {
    public static func make(bytes count: Int = 32) -> String {
        // Eight bytes per draw: each draw of the system's generator is a system call.
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(count + 7)
        while bytes.count < count { withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) } }
        return Data(bytes.prefix(count)).base64URLEncodedString()
    }
}
