extension SimState {
    /// Why the guest agent cannot take a command, in PVE's words and order: not enabled in
    /// the VM's configuration, the VM stopped, the agent not answering yet.
    func agentAvailable(_ vm: SimVM, now: Double) throws(SimAPIError) {
        guard vm.config["agent"] != nil else { throw .failure("No QEMU guest agent configured") }
        guard vm.running else { throw .failure("VM \(vm.vmid) is not running") }
        guard !faults.agentNeverReady, let readyAt = vm.agentReadyAt, now >= readyAt else {
            throw .failure("QEMU guest agent is not running")
        }
    }

    /// `POST …/agent/exec`: starts the command in the guest and answers its PID at once.
    mutating func exec(node: String, vmid: Int, _ params: SimParameters, now: Double) throws(SimAPIError) -> [String: Any] {
        let vm = try vm(vmid, on: node)
        let argv = params.array("command")
        guard !argv.isEmpty else { throw .missing("command") }
        try agentAvailable(vm, now: now)
        let outcome = SimGuestCommand.outcome(of: argv, vmid: vmid, in: guestCommands)
        nextPID += 1
        vms[vmid]?.processes[nextPID] = SimGuestProcess(endsAt: now + outcome.seconds, outcome: outcome)
        return ["pid": nextPID]
    }

    /// `POST …/agent/set-user-password`: PVE's bounds on the password (5 to 1024 characters),
    /// then the guest's answer, `{"result": {}}`, once the agent runs.
    mutating func setUserPassword(node: String, vmid: Int, _ params: SimParameters, now: Double) throws(SimAPIError) -> [String: Any] {
        let vm = try vm(vmid, on: node)
        let username = try params.string("username")
        let password = try params.string("password")
        guard (5...1024).contains(password.count) else { throw .parameter("password", "value must have at least 5 and at most 1024 characters") }
        _ = try params.bool("crypted")
        try agentAvailable(vm, now: now)
        vms[vmid]?.userPasswords[username] = password
        return ["result": [String: Any]()]
    }

    /// `GET …/agent/exec-status`: `exited: 0` while the process runs; then its exit code and
    /// output (PVE decodes the agent's base64), after which the agent forgets the PID.
    mutating func execStatus(node: String, vmid: Int, _ params: SimParameters, now: Double) throws(SimAPIError) -> [String: Any] {
        let vm = try vm(vmid, on: node)
        guard let pid = try params.int("pid") else { throw .missing("pid") }
        try agentAvailable(vm, now: now)
        guard let process = vm.processes[pid] else { throw .failure("Agent error: Invalid parameter 'pid'") }
        guard now >= process.endsAt else { return ["exited": 0] }
        vms[vmid]?.processes[pid] = nil
        var status: [String: Any] = ["exited": 1, "exitcode": process.outcome.exitCode]
        if !process.outcome.stdout.isEmpty { status["out-data"] = process.outcome.stdout }
        if !process.outcome.stderr.isEmpty { status["err-data"] = process.outcome.stderr }
        return status
    }
}
