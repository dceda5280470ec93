#if canImport(Glibc)
    import Glibc
#endif

/// Bytes from the system's CSPRNG, up to 256 in one system call (`getentropy`), where
/// `SystemRandomNumberGenerator` makes one per eight bytes: four for a token, and every login
/// draws two tokens.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        #if canImport(Glibc)
            while filled < count {
                let chunk = min(count - filled, 256)  // getentropy's limit
                guard bytes.withUnsafeMutableBytes({ getentropy($0.baseAddress! + filled, chunk) }) == 0 else { break }
                filled += chunk
            }
        #endif
        // Where getentropy is missing or fails, the standard generator fills the rest.
        var generator = SystemRandomNumberGenerator()
        for index in filled..<count { bytes[index] = generator.next() }
        return bytes
    }
}
