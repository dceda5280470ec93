#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether the peer of an idle socket has closed it or it has failed, seen without a
/// round trip: a server that restarted closed its end, so a peek finds end-of-file.
func socketPeerHasClosed(_ fd: Int32) -> Bool {
    guard fd >= 0 else { return true }
    var byte: UInt8 = 0
    let received = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
    if received < 0 {
        return !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
    }
    // 0 is end-of-file; unread bytes on an idle connection are an error packet announcing
    // that the server is going away. Either way the connection is done.
    return true
}
