import Foundation
import NIOCore
import NIOHTTP1
import PVESim
import Testing

@testable import Provisioning

/// PVE's failures reach the caller as PVE worded them, and only transient ones are retried.
@Suite struct ProxmoxFaultTests {
    @Test func aDownNodeAnswers595AndIsRetriedThenReported() async throws {
        try await SimTestbed.run { bed in
            bed.cluster.faults.downNodes = ["pve2"]
            let before = bed.cluster.taskCounts().started
            await #expect(throws: ProxmoxError.nodeUnreachable("No route to host")) {
                try await bed.client.status(node: "pve2", vmid: 9000)
            }
            #expect(bed.cluster.taskCounts().started == before)
            let nodes = try await bed.client.nodes()
            #expect(nodes.first { $0.node == "pve2" }?.online == false)
            #expect(ProxmoxError.nodeUnreachable("x").isTransient)
        }
    }

    @Test func aCloneIntoABusyStorageFailsWithPVEsLockTimeout() async throws {
        let configuration = SimTestbed.configuration { sim in
            sim.storages[0].maxConcurrentClones = 1
            sim.storages[0].linkedCloneSeconds = 100_000  // the first holds the lock for the whole test
            sim.durations.lockTimeout = 2
        }
        try await SimTestbed.run(configuration) { bed in
            guard case .started(let first) = try await bed.client.clone(node: "pve1", vmid: 9000, CloneRequest(newID: 301)),
                case .started(let second) = try await bed.client.clone(node: "pve1", vmid: 9000, CloneRequest(newID: 302))
            else {
                Issue.record("expected two clone tasks")
                return
            }
            let expected = ProxmoxError.taskFailed(
                upid: second.rawValue, status: "can't lock file '/var/lock/pve-manager/pve-storage-shared' - got timeout")
            await #expect(throws: expected) { try await bed.client.wait(for: second, timeout: .seconds(5)) }
            #expect(expected.isTransient)
            #expect(try await bed.client.taskStatus(first).running)
            #expect(bed.cluster.virtualMachines().map(\.vmid) == [301, 9000], "the clone that timed out leaves no VM")
        }
    }

    @Test func aTakenVMIDIsReportedSoAnotherCanBeChosen() async throws {
        try await SimTestbed.run { bed in
            guard case .started(let upid) = try await bed.client.clone(node: "pve1", vmid: 9000, CloneRequest(newID: 400)) else {
                Issue.record("expected a clone task")
                return
            }
            try await bed.client.wait(for: upid, timeout: .seconds(5))
            await #expect(throws: ProxmoxError.vmidTaken(400)) {
                _ = try await bed.client.clone(node: "pve1", vmid: 9000, CloneRequest(newID: 400))
            }
        }
    }

    @Test func aFailedTaskCarriesPVEsTextAndWarningsAreSuccess() async throws {
        try await SimTestbed.run { bed in
            bed.cluster.faults.taskFailureRate = 1
            guard case .started(let failing) = try await bed.client.clone(node: "pve1", vmid: 9000, CloneRequest(newID: 500)) else {
                Issue.record("expected a clone task")
                return
            }
            await #expect(throws: ProxmoxError.taskFailed(upid: failing.rawValue, status: "clone failed: copy of drive scsi0 failed: simulated fault")) {
                try await bed.client.wait(for: failing, timeout: .seconds(5))
            }
            #expect(try await bed.client.taskLog(failing).last?.t == "TASK ERROR: clone failed: copy of drive scsi0 failed: simulated fault")
            #expect(try await bed.client.guest(vmid: 500) == nil, "a failed clone leaves no VM behind")

            bed.cluster.faults = SimFaults(taskWarningRate: 1)
            guard case .started(let warned) = try await bed.client.clone(node: "pve1", vmid: 9000, CloneRequest(newID: 501)) else {
                Issue.record("expected a clone task")
                return
            }
            #expect(try await bed.client.wait(for: warned, timeout: .seconds(5)) == .warnings(1))
        }
    }

    @Test func aTokenWithoutThePrivilegeGetsPVEsOwnMessage() async throws {
        let configuration = SimTestbed.configuration { sim in
            sim.tokens[0].privileges = ["VM.Audit", "Sys.Audit"]
        }
        try await SimTestbed.run(configuration) { bed in
            await #expect(throws: ProxmoxError.api(status: 403, message: "Permission check failed (/vms/9000, VM.Clone)")) {
                _ = try await bed.client.clone(node: "pve1", vmid: 9000, CloneRequest(newID: 600))
            }
        }
    }

    @Test func aWrongSecretIsRefusedWithoutRetry() async throws {
        try await SimTestbed.run(settings: { $0.tokenSecret = "wrong" }) { bed in
            await #expect(throws: ProxmoxError.unauthorized("authentication failure")) { try await bed.client.version() }
        }
    }

    @Test func theAgentMayNeverAnswer() async throws {
        try await SimTestbed.run { bed in
            bed.cluster.faults.agentNeverReady = true
            guard case .started(let upid) = try await bed.client.clone(node: "pve1", vmid: 9000, CloneRequest(newID: 700)) else {
                Issue.record("expected a clone task")
                return
            }
            try await bed.client.wait(for: upid, timeout: .seconds(5))
            try await bed.client.wait(for: try await bed.client.start(node: "pve1", vmid: 700), timeout: .seconds(5))
            try await Task.sleep(for: .milliseconds(50))
            await #expect(throws: ProxmoxError.api(status: 500, message: "QEMU guest agent is not running")) {
                try await bed.client.interfaces(node: "pve1", vmid: 700)
            }
        }
    }

    @Test func aRefusedConnectionIsTransientAndCertainlyNotApplied() async throws {
        let settings = ProxmoxSettings(
            baseURL: "http://127.0.0.1:1", tokenID: SimTestbed.token.id, tokenSecret: SimTestbed.token.secret, connectTimeout: .milliseconds(200),
            retry: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(1), maxDelay: .milliseconds(2)))
        let client = try ProxmoxClient(settings: settings)
        await #expect {
            try await client.version()
        } throws: { error in
            guard let error = error as? ProxmoxError, case .connection(_, sent: false) = error else { return false }
            return error.isTransient && error.certainlyNotApplied
        }
        try await client.shutdown()
    }

    @Test func extraLatencyMakesACallTimeOut() async throws {
        try await SimTestbed.run(settings: {
            $0.requestTimeout = .milliseconds(50)
            $0.retry = RetryPolicy(maxAttempts: 1)
        }) { bed in
            bed.cluster.faults.extraLatencyMs = 400
            await #expect(throws: ProxmoxError.self) { try await bed.client.version() }
        }
    }

    @Test func strictBooleansAreEnforcedBySimulatorAndSentByClient() async throws {
        // Sends `full=true` on purpose, so it stays out of the request log the contract check reads.
        try await SimTestbed.run(logRequests: false) { bed in
            var params = ProxmoxParameters()
            params.set("newid", 800)
            params.set("full", "true")
            await #expect(throws: ProxmoxError.api(status: 400, message: "Parameter verification failed. full: type check ('boolean') failed - got 'true'")) {
                let _: UPID = try await bed.client.call(.POST, "/nodes/pve1/qemu/9000/clone", params, idempotent: false)
            }
        }
        var params = ProxmoxParameters()
        params.set("full", true)
        params.set("start", false)
        #expect(params.encoded == "full=1&start=0")
    }
}

/// The small parts of PVE's wire format.
@Suite struct ProxmoxWireFormatTests {
    @Test func aUPIDNamesItsNodeAndIsEncodedAsOnePathSegment() throws {
        let upid = try UPID("UPID:pve2:00001A2B:0000B3C4:6741F00D:qmclone:9000:labgate@pve!provisioning:")
        #expect(upid.node == "pve2" && upid.type == "qmclone")
        #expect(upid.pathSegment == "UPID%3Apve2%3A00001A2B%3A0000B3C4%3A6741F00D%3Aqmclone%3A9000%3Alabgate%40pve%21provisioning%3A")
        #expect(throws: ProxmoxError.self) { try UPID("not a upid") }
    }

    @Test func numbersThatArriveAsStringsAreDecoded() throws {
        let json = #"[{"id":"qemu/101","type":"qemu","vmid":"101","maxmem":"2147483648","template":"1","cpu":"0.25","node":"pve1"}]"#
        let resources = try JSONDecoder().decode([PVEResource].self, from: Data(json.utf8))
        #expect(resources[0].vmid == 101 && resources[0].maxMemoryBytes == 2_147_483_648 && resources[0].isTemplate && resources[0].cpu == 0.25)
    }

    @Test func errorTextComesFromTheBodyOrTheReasonPhrase() {
        let withBody = ProxmoxClient.apiError(
            status: HTTPResponseStatus(statusCode: 400, reasonPhrase: "Parameter verification failed."),
            body: ByteBuffer(string: #"{"data":null,"message":"Parameter verification failed.\n","errors":{"newid":"value must be at least 100\n"}}"#))
        #expect(withBody == .api(status: 400, message: "Parameter verification failed. newid: value must be at least 100"))
        let statusLineOnly = ProxmoxClient.apiError(status: .forbidden, body: ByteBuffer(string: "{\"data\":null}"))
        #expect(statusLineOnly == .api(status: 403, message: "Forbidden"))
        let unreachable = ProxmoxClient.apiError(status: HTTPResponseStatus(statusCode: 595), body: ByteBuffer())
        #expect(unreachable == .nodeUnreachable("HTTP status 595"))
    }

    @Test func sshKeysAreEncodedTwiceAsPVEExpects() {
        var params = ProxmoxParameters()
        params.setURLEncoded("sshkeys", "ssh-ed25519 AA+B/C= a@b\nssh-rsa X")
        #expect(params.encoded == "sshkeys=ssh-ed25519%2520AA%252BB%252FC%253D%2520a%2540b%250Assh-rsa%2520X")
    }

    @Test func backoffDoublesUpToTheCap() {
        let policy = RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(100), maxDelay: .milliseconds(400))
        for (attempt, full) in [(1, 100), (2, 200), (3, 400), (6, 400)] {
            let delay = policy.delay(after: attempt)
            #expect(delay >= .milliseconds(full / 2) && delay <= .milliseconds(full))
        }
    }
}
