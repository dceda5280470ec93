import Foundation
import LabCore
import NIOConcurrencyHelpers
import WebSupport

/// Each platform's Moodle web services, for what LTI does not carry: roles, groups, the
/// timetable and messages. The token is kept sealed and opened only to call; what the
/// token may call (`core_webservice_get_site_info`) is asked once every few minutes, and a
/// function it may not call switches its feature off with a message naming it.
public final class MoodleWebServices: Sendable {
    /// A platform's web services as LabGate last found them.
    public enum Status: Sendable, Equatable {
        case notConfigured
        /// The site or the token does not work.
        case failing(MoodleWebServiceError)
        /// The token works; `missing` are the functions its service lacks.
        case ready(siteName: String, missing: [MoodleSite.Function])
    }

    private struct Session {
        var site: String
        var token: String
        var info: MoodleSite.Info
    }

    private struct Cached {
        var result: Result<Session, MoodleWebServiceError>
        var until: ContinuousClock.Instant
    }

    private let repository: any WebServiceAccessRepository
    private let sealing: any AtRestSealing
    private let client: MoodleWebServiceClient
    private let cache = NIOLockedValueBox<[PlatformID: Cached]>([:])
    /// Each course's participants for a minute, one reading at a time: a page every student
    /// opens at 9:00 must not ask Moodle once per student.
    private let participantsCache = NIOLockedValueBox<[CourseID: (task: Task<[MoodleSite.Participant], any Error>, until: ContinuousClock.Instant)]>([:])
    static let participantsLifetime = Duration.seconds(60)
    /// How long what the site said about the token is trusted; a failure is asked again sooner.
    static let infoLifetime = Duration.seconds(300)
    static let failureLifetime = Duration.seconds(30)
    /// Participants read per call (Moodle's `limitnumber`).
    static let participantsPage = 500
    static let maxParticipantPages = 40

    /// Tokens are sealed with `box` under a purpose of their own.
    public init(repository: any WebServiceAccessRepository, box: SecretBox, http: OutboundHTTP) {
        self.repository = repository
        self.sealing = box.atRest(purpose: "moodle-web-service-token")
        self.client = MoodleWebServiceClient(http: http)
    }

    // MARK: Configuration

    /// Gives a platform a site and token (sealed before it is stored), or replaces them.
    public func configure(_ platformID: PlatformID, siteURL: String, token: String, now: Date) async throws {
        let site = try Self.checkedSite(siteURL, policy: client.http.policy)
        guard Self.isPlausibleToken(token) else {
            throw MoodleWebServiceError.moodle(
                errorcode: "invalidtoken", message: "a web-service token is letters and digits (Moodle makes 32 hex digits), without spaces")
        }
        try await repository.save(WebServiceAccess(platformID: platformID, siteURL: site, sealedToken: try sealing.seal(token), updatedAt: now))
        forget(platformID)
    }

    /// Forgets a platform's site and token; false when it had none.
    public func remove(_ platformID: PlatformID) async throws -> Bool {
        defer { forget(platformID) }
        return try await repository.remove(platformID: platformID)
    }

    /// The platforms that have a site and token.
    public func configuredPlatforms() async throws -> [PlatformID] {
        try await repository.list().map(\.platformID)
    }

    /// The site's address, without a path's trailing slash; an http(s) URL the outbound policy allows.
    static func checkedSite(_ text: String, policy: OutboundURLPolicy) throws -> String {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let url = URL(string: trimmed), url.query == nil, url.fragment == nil, url.user == nil else {
            throw OutboundURLError.invalid(text)
        }
        _ = try policy.check(trimmed, checkAddresses: false)
        return trimmed
    }

    static func isPlausibleToken(_ token: String) -> Bool {
        (8...128).contains(token.count) && token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    // MARK: Status

    /// The platform's web services now, asking the site when what it said last is old.
    public func status(of platformID: PlatformID) async -> Status {
        do {
            let session = try await session(platformID)
            let granted = Set(session.info.functions.map(\.name))
            return .ready(siteName: session.info.sitename, missing: MoodleSite.Function.allCases.filter { !granted.contains($0.rawValue) })
        } catch .notConfigured {
            return .notConfigured
        } catch {
            return .failing(error)
        }
    }

    /// Forgets what a site said, so the next call asks again (its token changed or was refused).
    func forget(_ platformID: PlatformID) {
        cache.withLockedValue { _ = $0.removeValue(forKey: platformID) }
    }

    private func session(_ platformID: PlatformID) async throws(MoodleWebServiceError) -> Session {
        let now = ContinuousClock.now
        if let hit = cache.withLockedValue({ $0[platformID] }), now < hit.until { return try hit.result.get() }
        let result: Result<Session, MoodleWebServiceError>
        do {
            result = .success(try await openSession(platformID))
        } catch {
            result = .failure(error)
        }
        let lifetime = (try? result.get()) == nil ? Self.failureLifetime : Self.infoLifetime
        cache.withLockedValue { $0[platformID] = Cached(result: result, until: now + lifetime) }
        return try result.get()
    }

    private func openSession(_ platformID: PlatformID) async throws(MoodleWebServiceError) -> Session {
        let access: WebServiceAccess
        do {
            guard let found = try await repository.find(platformID: platformID) else { throw MoodleWebServiceError.notConfigured }
            access = found
        } catch let error as MoodleWebServiceError {
            throw error
        } catch {
            throw .unavailable("LabGate's database: \(error)")
        }
        guard let token = try? sealing.open(access.sealedToken) else {
            throw .unavailable("the stored token was sealed under another secret key; give it again (labgate platform webservices)")
        }
        let info = try await client.call(MoodleSite.Function.siteInfo.rawValue, site: access.siteURL, token: token, as: MoodleSite.Info.self)
        return Session(site: access.siteURL, token: token, info: info)
    }

    // MARK: Calls

    /// Calls one of LabGate's functions once the site said the token may.
    private func call<T: Decodable>(
        _ function: MoodleSite.Function, _ parameters: MoodleParameters, platformID: PlatformID, as type: T.Type
    ) async throws(MoodleWebServiceError) -> T {
        let session = try await session(platformID)
        guard session.info.functions.contains(where: { $0.name == function.rawValue }) else { throw .notAllowed(function: function.rawValue) }
        do {
            return try await client.call(function.rawValue, parameters, site: session.site, token: session.token, as: type)
        } catch .moodle(let code, let message) where ["invalidtoken", "accessexception"].contains(code) {
            // Revoked or restricted since the site said it worked: ask again before the next call.
            forget(platformID)
            throw .moodle(errorcode: code, message: message)
        }
    }

    /// Moodle's id of LabGate's course: the LTI context id Moodle sends is the course id.
    static func courseNumber(_ course: Course) throws(MoodleWebServiceError) -> Int {
        guard let number = Int(course.contextID), number > 0 else { throw .notAMoodleCourse(course.contextID) }
        return number
    }

    /// Everyone enrolled in the course (active enrolments), with their roles and groups, as
    /// read at most a minute ago.
    public func participants(of course: Course) async throws(MoodleWebServiceError) -> [MoodleSite.Participant] {
        let now = ContinuousClock.now
        let task = participantsCache.withLockedValue { entries in
            if let entry = entries[course.id], now < entry.until { return entry.task }
            // Courses looked at once are not kept for ever.
            entries = entries.filter { now < $0.value.until }
            let task = Task { try await self.readParticipants(of: course) }
            entries[course.id] = (task, now + Self.participantsLifetime)
            return task
        }
        do {
            return try await task.value
        } catch {
            participantsCache.withLockedValue { entries in
                // A failed reading is not kept: the next page asks again.
                if entries[course.id]?.task == task { entries[course.id] = nil }
            }
            throw error as? MoodleWebServiceError ?? .unavailable("\(error)")
        }
    }

    private func readParticipants(of course: Course) async throws(MoodleWebServiceError) -> [MoodleSite.Participant] {
        let number = try Self.courseNumber(course)
        var everyone: [MoodleSite.Participant] = []
        for page in 0..<Self.maxParticipantPages {
            var parameters = MoodleParameters()
            parameters.set("courseid", number)
            parameters.options(
                "options",
                [
                    ("onlyactive", "1"), ("userfields", "id,fullname,roles,groups"), ("limitfrom", String(page * Self.participantsPage)),
                    ("limitnumber", String(Self.participantsPage)),
                ])
            let batch = try await call(.enrolledUsers, parameters, platformID: course.platformID, as: [MoodleSite.Participant].self)
            everyone += batch
            if batch.count < Self.participantsPage { break }
        }
        return everyone
    }

    /// The course's groups.
    public func groups(of course: Course) async throws(MoodleWebServiceError) -> [MoodleSite.Group] {
        var parameters = MoodleParameters()
        parameters.set("courseid", try Self.courseNumber(course))
        return try await call(.courseGroups, parameters, platformID: course.platformID, as: [MoodleSite.Group].self)
    }

    /// The course's calendar events that start between `from` and `to`, earliest first.
    public func events(of course: Course, from: Date, to: Date) async throws(MoodleWebServiceError) -> [MoodleSite.Event] {
        var parameters = MoodleParameters()
        parameters.list("events[courseids]", [String(try Self.courseNumber(course))])
        parameters.set("options[userevents]", false)
        parameters.set("options[siteevents]", false)
        parameters.set("options[timestart]", Int(from.timeIntervalSince1970))
        parameters.set("options[timeend]", Int(to.timeIntervalSince1970))
        let answer = try await call(.calendarEvents, parameters, platformID: course.platformID, as: MoodleSite.Events.self)
        return answer.events.sorted { ($0.timestart, $0.id) < ($1.timestart, $1.id) }
    }

    /// Sends a plain-text message to the Moodle user `subject` (the `sub` of their launches).
    /// Returns nil when Moodle took it, else Moodle's reason for not delivering it (a user
    /// who blocks messages, say): that is an outcome to record, not an error.
    public func send(_ text: String, to subject: String, platformID: PlatformID, reference: String) async throws(MoodleWebServiceError) -> String? {
        guard let user = Int(subject), user > 0 else { return "the user id \(subject) is not a Moodle user id" }
        var parameters = MoodleParameters()
        parameters.records(
            "messages",
            [[("touserid", String(user)), ("text", text), ("textformat", "2"), ("clientmsgid", Self.clientMessageID(reference))]])
        let outcomes = try await call(.sendMessages, parameters, platformID: platformID, as: [MoodleSite.SentMessage].self)
        guard let outcome = outcomes.first else { throw .unavailable("\(MoodleSite.Function.sendMessages.rawValue) answered no outcome") }
        return outcome.msgid > 0 ? nil : (outcome.errormessage ?? "Moodle did not deliver the message")
    }

    /// `clientmsgid` is PARAM_ALPHANUMEXT: letters, digits, `_` and `-` only.
    static func clientMessageID(_ reference: String) -> String {
        String(
            reference.unicodeScalars.map { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") ? Character($0) : "-" }.prefix(100)
        )
    }
}
