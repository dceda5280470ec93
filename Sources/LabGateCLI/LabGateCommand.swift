import ArgumentParser
import LabGate
import NIOCore
import NIOPosix

/// `labgate`: the gateway that turns a Moodle course into a virtual lab.
@main
struct LabGateCommand: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "labgate",
        abstract: "LabGate turns a Moodle course into a virtual lab: one click in Moodle, a personal VM in the browser.",
        discussion: """
            Settings come from lti-config/labgate.yaml (or --config FILE), each overridable by an \
            environment variable LABGATE_<SECTION>_<KEY> (database.poolSize → LABGATE_DATABASE_POOL_SIZE). \
            With no file at all LabGate runs on embedded defaults: SQLite under ./var and an \
            in-process store and queue. `labgate config check` shows every setting and where it came from.
            """,
        version: version,
        subcommands: [
            ServeCommand.self, WorkerCommand.self, MigrateCommand.self, ConfigCommand.self, PlatformCommand.self, KeysCommand.self,
            EnvironmentCommand.self, InstanceCommand.self, TokenCommand.self, CourseCommand.self, ActivityCommand.self, QuotaCommand.self,
            JobCommand.self, UserCommand.self, AuditCommand.self, NodeCommand.self, DemoCommand.self, PVESimCommand.self, SimulateCommand.self,
            BenchCommand.self,
        ]
    )

    static func main() async {
        // Swift Concurrency's jobs run on NIO's event loops, the threads that already do the
        // HTTP I/O: a handler resumes where its request was read, without a hand-over between
        // two pools of threads on every await (docs/lti.md, "Capacity").
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}
