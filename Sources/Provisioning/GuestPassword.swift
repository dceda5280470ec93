/// Passwords for guest accounts: 20 characters from an alphabet without look-alikes
/// (about 115 bits), safe in cloud-init and in Guacamole's parameters.
enum GuestPassword {
    static let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
