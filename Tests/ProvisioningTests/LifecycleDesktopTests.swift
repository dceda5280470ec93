import Foundation
import GuacBridge
import LabCore
import Testing

@testable import Provisioning

/// The lifecycle and Guacamole's records: published when ready, withdrawn while stopped,
/// gone when deleted or failed.
@Suite struct LifecycleDesktopTests {
    @Test func aReadyInstanceIsPublishedForItsStudentAndLeavesNoRecordWhenDeleted() async throws {
        try await LifecycleTestbed.run { bed in
            var instance = try await bed.provision()
            let id = try #require(try await bed.guacamole.connectionID(named: instance.id.rawValue, in: "labgate"))
            let stored = try #require(try await bed.guacamole.connection(id: id))
            #expect(stored.connection.protocolName == "rdp")
            #expect(stored.connection.parameters["hostname"] == instance.address)
            #expect(stored.connection.parameters["port"] == "3389")
            #expect(stored.connection.parameters["username"] == "student")
            #expect(stored.connection.parameters["password"] == instance.guestPassword)
            #expect(stored.readers == [GuacBridge.username(of: bed.student)])

            instance = try await bed.perform(.stop, on: instance)
            #expect(try await bed.guacamole.connection(id: id)?.readers == [])
            instance = try await bed.perform(.start, on: instance)
            #expect(try await bed.guacamole.connection(id: id)?.readers == [GuacBridge.username(of: bed.student)])

            instance = try await bed.perform(.delete, on: instance)
            #expect(try await bed.guacamole.connection(id: id) == nil)
            #expect(try await bed.guacamole.connectionID(named: instance.id.rawValue, in: "labgate") == nil)
        }
    }
}
