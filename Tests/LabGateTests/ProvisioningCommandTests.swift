import Foundation
import LabCore
import PVESim
import Storage
import TestSupport
import Testing

/// `labgate env …` and `labgate instance …`, run as an admin would, against a PVESim the
/// test keeps running between commands (with `proxmox.url` pointing at it).
@Suite("labgate env and instance")
struct ProvisioningCommandTests {
    static let token = SimTokenSpec(id: "labgate@pve!cli", secret: "c1d2e3f4-0000-4000-8000-000000000001")

    func labgate(_ arguments: [String], in folder: String, simulator: String) async throws -> (status: Int32, output: String, error: String) {
        try await ChildProcess.run(
            CommandLineTests.binary, arguments, in: folder,
            environment: [
                "LABGATE_PROXMOX_URL": simulator, "LABGATE_PROXMOX_TOKEN_ID": Self.token.id, "LABGATE_PROXMOX_TOKEN_SECRET": Self.token.secret,
                "LABGATE_PROVISIONING_ADDRESS_TIMEOUT_SECONDS": "10",
            ])
    }

    /// A user, their course and its activity in the folder's SQLite database, as a launch would have made them.
    func makeUser(in folder: String) async throws -> (user: UserID, course: CourseID, activity: ActivityID) {
        let database = try await SQLiteDatabase.open(path: folder + "/var/labgate.sqlite")
        return try await withCleanup {
            try await Migrator(database: database).migrate()
            let repositories = database.repositories()
            let platform = Platform(
                issuer: "https://moodle.example.edu", clientID: "c", authURL: "https://moodle.example.edu/a",
                tokenURL: "https://moodle.example.edu/t", jwksURL: "https://moodle.example.edu/j", createdAt: Date())
            try await repositories.platforms.insert(platform)
            let course = try await repositories.courses.upsert(
                Course(platformID: platform.id, deploymentID: "1", contextID: "os-101", title: "Operating Systems"))
            let activity = try await repositories.courses.upsertActivity(Activity(courseID: course.id, resourceLinkID: "lab-1", title: "Shell lab"))
            return (try await repositories.users.upsert(User(platformID: platform.id, subject: "ada")).id, course.id, activity.id)
        } cleanup: {
            await database.shutdown()
        }
    }

    func write(_ text: String, to name: String, in folder: String) throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("an environment is checked against Proxmox, then an instance is created, stopped, reset and deleted")
    func environmentAndInstanceLifecycle() async throws {
        let cluster = try SimCluster(configuration: .small(nodeCount: 2, token: Self.token, timeScale: 1000))
        try await PVESimServer(cluster: cluster, requestLog: try? SimRequestLog(path: Self.requestLogPath)).serving { url in
            let folder = try CommandLineTests().scratchFolder()
            let missing = try write("name: linux\nvms: [{template: 9999}]\n", to: "missing.yaml", in: folder)
            let refused = try await labgate(["env", "add", missing], in: folder, simulator: url)
            #expect(refused.status == 1)
            #expect(refused.error.contains("vms[0].template: there is no VM 9999 in the cluster"), "\(refused.error)")
            let badNode = try write("name: linux\nvms: [{template: 9000, node: pve9}]\n", to: "node.yaml", in: folder)
            #expect(try await labgate(["env", "add", badNode], in: folder, simulator: url).error.contains("there is no node pve9"))

            let good = try write("name: linux\ntitle: Linux\nvms: [{template: 9000, cores: 2, cloudInit: {user: student}}]\n", to: "good.yaml", in: folder)
            let added = try await labgate(["env", "add", good], in: folder, simulator: url)
            #expect(added.status == 0, "\(added.error)")
            #expect(try await labgate(["env", "list"], in: folder, simulator: url).output.hasPrefix("linux\tLinux\ttemplate 9000 (linked)"))

            let unknown = try await labgate(["instance", "create", "--environment", "linux", "--user", "nobody"], in: folder, simulator: url)
            #expect(unknown.status == 1 && unknown.error.contains("no user nobody"))

            let (user, course, activity) = try await makeUser(in: folder)
            let created = try await labgate(["instance", "create", "--environment", "linux", "--user", user.rawValue, "--wait"], in: folder, simulator: url)
            #expect(created.status == 0, "\(created.error)")
            let id = try #require(created.output.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
            #expect(created.output.contains("\(id)\tready\tuser \(user)\tVM 1"))
            #expect(cluster.virtualMachines().filter { !$0.isTemplate }.count == 1)

            #expect(try await labgate(["instance", "stop", id], in: folder, simulator: url).output.contains("\tstopped\t"))
            #expect(try await labgate(["instance", "reset", id], in: folder, simulator: url).output.contains("\tready\t"))
            let shown = try await labgate(["instance", "show", id], in: folder, simulator: url).output
            #expect(shown.contains("  clone\tattempt 1\tsucceeded") && shown.contains("  reset\tattempt 1\tsucceeded"))
            #expect(try await labgate(["instance", "list"], in: folder, simulator: url).output.contains(id))

            let deleted = try await labgate(["instance", "delete", id], in: folder, simulator: url)
            #expect(deleted.output.contains("\tdeleted\t"))
            #expect(cluster.virtualMachines().filter { !$0.isTemplate }.isEmpty)
            let again = try await labgate(["instance", "stop", id], in: folder, simulator: url)
            #expect(again.status == 1 && again.error.contains("cannot stop a lab instance that is deleted"))
            #expect(try await labgate(["env", "remove", "nothing"], in: folder, simulator: url).error.contains("no environment named nothing"))

            #expect(try await labgate(["course", "list"], in: folder, simulator: url).output.hasPrefix("\(course)\tOperating Systems\tplatform "))
            #expect(try await labgate(["activity", "set-environment", activity.rawValue, "linux"], in: folder, simulator: url).status == 0)
            #expect(
                try await labgate(["activity", "list", "--course", course.rawValue], in: folder, simulator: url).output
                    == "\(activity)\tShell lab\tlink lab-1\tlinux\n")
            let courseShown = try await labgate(["course", "show", course.rawValue], in: folder, simulator: url).output
            #expect(courseShown.contains("  \(activity)\tShell lab\tlinux") && courseShown.contains("windows: always open"), "\(courseShown)")
            let unknownEnvironment = try await labgate(["activity", "set-environment", activity.rawValue, "windows"], in: folder, simulator: url)
            #expect(unknownEnvironment.status == 1 && unknownEnvironment.error.contains("there is no environment named windows"))
            #expect(
                try await labgate(["activity", "set-environment", activity.rawValue, "--none"], in: folder, simulator: url).output.contains("no environment"))
            #expect(try await labgate(["course", "show", "nope"], in: folder, simulator: url).error.contains("there is no course nope"))

            let nodes = try await labgate(["node", "list"], in: folder, simulator: url).output.split(separator: "\n")
            #expect(nodes.count == 2 && nodes.allSatisfy { $0.contains("\tonline\t") && $0.hasSuffix("\tschedulable") }, "\(nodes)")

            let actions = try await labgate(["audit", "list"], in: folder, simulator: url).output.split(separator: "\n").map { $0.split(separator: "\t")[3] }
            #expect(
                actions.reversed() == [
                    "env.add", "env.add", "env.add", "instance.create", "instance.create", "instance.stop", "instance.reset", "instance.delete",
                    "instance.stop", "env.remove", "activity.set-environment", "activity.set-environment", "activity.set-environment",
                ])
        }
    }

    /// The CLI's own run on the in-process queue retries what the worker would retry, says
    /// so, and when the trouble lasts fails the instance with the reason instead of leaving it
    /// half-way (`stopping`), so that every other operation stays possible.
    @Test("instance stop|delete --wait retries lock timeouts, then completes, or fails the instance with the reason")
    func operationsRetryTransientTrouble() async throws {
        let cluster = try SimCluster(configuration: .small(nodeCount: 2, token: Self.token, timeScale: 1000))
        try await PVESimServer(cluster: cluster, requestLog: try? SimRequestLog(path: Self.requestLogPath)).serving { url in
            let folder = try CommandLineTests().scratchFolder()
            let run = { (arguments: [String]) in
                try await ChildProcess.run(
                    CommandLineTests.binary, arguments, in: folder,
                    environment: [
                        "LABGATE_PROXMOX_URL": url, "LABGATE_PROXMOX_TOKEN_ID": Self.token.id, "LABGATE_PROXMOX_TOKEN_SECRET": Self.token.secret,
                        "LABGATE_QUEUE_RETRY_DELAY_MILLISECONDS": "20",
                    ])
            }
            let environment = try write("name: linux\nvms: [{template: 9000}]\n", to: "linux.yaml", in: folder)
            #expect(try await run(["env", "add", environment]).status == 0)
            let (user, _, _) = try await makeUser(in: folder)
            let created = try await run(["instance", "create", "--environment", "linux", "--user", user.rawValue, "--wait"])
            let id = try #require(created.output.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
            let lockTimeout = "can't lock file '/var/lock/qemu-server/lock-"

            // A lock timeout that outlasts the client's own retries of one call, then passes.
            cluster.faults.calls = [SimCallFault(method: "POST", path: "/status/shutdown", trouble: .lockTimeout, times: 5)]
            let stopped = try await run(["instance", "stop", id, "--wait"])
            #expect(stopped.status == 0, "\(stopped.error)")
            #expect(stopped.output.contains(lockTimeout) && stopped.output.contains("retrying in"), "\(stopped.output)")
            #expect(stopped.output.contains("\tstopped\t"), "\(stopped.output)")

            // A lock timeout that lasts: the instance fails with it, and can still be deleted.
            #expect(try await run(["instance", "start", id, "--wait"]).output.contains("\tready\t"))
            cluster.faults.calls = [SimCallFault(method: "POST", path: "/status/shutdown", trouble: .lockTimeout)]
            let refused = try await run(["instance", "stop", id, "--wait"])
            #expect(refused.status == 1)
            #expect(refused.output.contains("\tfailed\t"), "\(refused.output)")
            let shown = try await run(["instance", "show", id]).output
            #expect(shown.contains("failed: gave up stopping after 5 failed attempts: ") && shown.contains(lockTimeout), "\(shown)")
            #expect(shown.contains("stopping\tattempt 1 failed at"), "each attempt is kept: \(shown)")
            cluster.faults.calls = []
            let deleted = try await run(["instance", "delete", id, "--wait"])
            #expect(deleted.output.contains("\tdeleted\t"), "\(deleted.output) \(deleted.error)")
            #expect(cluster.virtualMachines().filter { !$0.isTemplate }.isEmpty)
        }
    }

    static var requestLogPath: String {
        ProcessInfo.processInfo.environment["LABGATE_PVESIM_REQUEST_LOG"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("labgate-pve-requests.jsonl").path
    }
}
