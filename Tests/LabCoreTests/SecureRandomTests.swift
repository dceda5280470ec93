import Testing

@testable import LabCore

@Suite("Random bytes from the system")
struct SecureRandomTests {
    @Test("as many bytes as asked, random throughout, also past getentropy's 256 per call", arguments: [0, 1, 32, 256, 300, 700])
    func bytes(count: Int) {
        let first = SecureRandom.bytes(count)
        let second = SecureRandom.bytes(count)
        #expect(first.count == count && second.count == count)
        guard count >= 16 else { return }
        #expect(first != second)
        // Each 16-byte stretch is filled: all zero by chance has a probability of 2^-128.
        for start in stride(from: 0, to: count - 15, by: 16) {
            #expect(first[start..<start + 16].contains { $0 != 0 }, "bytes \(start)..<\(start + 16) of \(count) were not filled")
        }
        #expect(first.suffix(16).contains { $0 != 0 })
    }
}
