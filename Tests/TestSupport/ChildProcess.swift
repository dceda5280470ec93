import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A program the tests run, with its output captured in files.
///
/// posix_spawn and waitpid rather than Foundation's Process, whose waitUntilExit was seen
/// to miss the exit of a script that leaves a daemon behind; and with an empty signal
/// mask, because the test's threads block signals and a child inherits that mask (a
/// server started from a test would then ignore SIGTERM). The child gets no other descriptor
/// of the test process than `descriptors`: NIO accepts connections without close-on-exec, so a
/// child would hold every connection the test's servers had open when it started, and a
/// connection those servers closed stayed open until the child ended (a test that waited for
/// the server's close saw none for as long as another test's servers ran).
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: the fields are set once in init and only read afterwards.
    public let pid: pid_t
    private let outputFile: URL
    private let errorFile: URL

    /// Starts `executable` with `arguments`, in `directory`, with `environment` added to this process's.
    /// `descriptors` hands the child more open files: child descriptor number → this process's descriptor.
    public init(
        _ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
        descriptors: [Int32: Int32] = [:]
    ) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        outputFile = folder.appendingPathComponent("stdout")
        errorFile = folder.appendingPathComponent("stderr")

        // env --chdir stands in for posix_spawn_file_actions_addchdir_np, which Swift does not see here.
        let command = directory.map { ["/usr/bin/env", "--chdir=\($0)", executable] } ?? [executable]
        var argv = (command + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        var envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        for (child, parent) in descriptors { posix_spawn_file_actions_adddup2(&actions, parent, child) }
        guard let closeFrom, closeFrom(&actions, (descriptors.keys.max() ?? 2) + 1) == 0 else {
            throw ChildProcessError(message: "cannot start \(executable): glibc 2.34 or later is needed to close what it must not inherit")
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))

        var pid: pid_t = 0
        let status = posix_spawn(&pid, command[0], &actions, &attributes, &argv, &envp)
        guard status == 0 else { throw ChildProcessError(message: "cannot start \(executable): \(String(cString: strerror(status)))") }
        self.pid = pid
    }

    /// Runs a program to its end and returns its exit status and output.
    public static func run(
        _ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]
    ) async throws -> (status: Int32, output: String, error: String) {
        let child = try ChildProcess(executable, arguments, in: directory, environment: environment)
        let status = await child.exitStatus()
        return (status, child.output, child.errorOutput)
    }

    /// Waits for the program to end; returns its exit status (128 + signal if a signal ended it).
    public func exitStatus() async -> Int32 {
        let pid = pid
        return await onOwnThread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let signal = status & 0x7f
            return signal == 0 ? (status >> 8) & 0xff : 128 + signal
        }
    }

    /// Whether the program still runs (an exited one that nobody waited for yet is a zombie).
    public var isRunning: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    /// Sends a signal (SIGTERM by default).
    public func signal(_ signal: Int32 = SIGTERM) {
        kill(pid, signal)
    }

    public var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }
    public var errorOutput: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which its header
/// declares only for GNU sources, so Swift does not see it.
private let closeFrom = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np").map {
    unsafeBitCast($0, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
}

/// A program could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}
