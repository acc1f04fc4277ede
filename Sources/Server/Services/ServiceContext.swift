import Logging
import YibaoCrypto
import YibaoDomain
import YibaoProto
import YibaoRPC

/// What every Yibao handler shares: the domain service, the audit trail, and the steps each call repeats —
/// who is calling, may they, submit an attested batch, map whatever fails to a status (`StatusMapping`).
struct ServiceContext: Sendable {
    let service: InvoiceSettlementService
    /// DOMAIN 1, 7: audited reads and refusals are durable here before the call is answered.
    let audit: AuditTrail
    let logger: Logger
    let clock: @Sendable () -> UInt64

    var ledger: Ledger { service.ledger }

    /// Runs a handler body; any error leaves as the status `StatusMapping` gives it.
    func handle<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw StatusMapping.status(for: error)
        }
    }

    /// The calling org as the permission matrix sees it.
    func caller() throws -> (identity: CallerIdentity, caller: Caller) {
        let identity = try CallerIdentity.required()
        return (identity, try DomainCaller.caller(code: identity.org, role: identity.role))
    }

    /// Asks the permission matrix. An allowed read that carries PII, is made under a grant or by an auditor, and a
    /// refused read, are recorded in the audit trail (durably) before the call goes on.
    func authorize(_ caller: Caller, _ operation: DomainOperation, _ record: RecordOwnership = .none,
                   subject: String, underGrant: Bool = false) async throws {
        let action = operation.rawValue
        do {
            guard try PermissionMatrix.authorize(caller, operation, record) == .allowedAudited || underGrant else { return }
            let reason: AuditEvent.Reason = [.auditor, .regulator].contains(caller.role) ? .auditorRead
                : underGrant ? .underGrant : .personalData
            try await recordAudit(caller, reason, action: action, subject: subject, outcome: "ok")
        } catch let refusal as LedgerError where refusal.code == .permissionDenied {
            try await recordAudit(caller, operation.isRead ? .refusedRead : .refusedWrite, action: action, subject: subject,
                                  outcome: "PERMISSION_DENIED: \(refusal.message)")
            throw refusal
        }
    }

    func recordAudit(_ caller: Caller, _ reason: AuditEvent.Reason, action: String, subject: String, outcome: String) async throws {
        _ = try await audit.record(AuditEvent(timeMs: clock(), reason: reason, org: caller.org,
                                              role: DomainCaller.roleName(caller.role, region: caller.region),
                                              action: action, subject: subject, outcome: outcome))
    }

    /// A write the permission matrix refused leaves a trace in the audit trail (DOMAIN 1).
    private func auditRefusedWrites(_ outcomes: [RecordOutcome], requestId: String) async throws {
        guard outcomes.contains(where: { if case .failure(let e) = $0 { e.code == .permissionDenied } else { false } }) else { return }
        let identity = try CallerIdentity.required()
        for (position, outcome) in outcomes.enumerated() {
            guard case .failure(let error) = outcome, error.code == .permissionDenied else { continue }
            _ = try await audit.record(AuditEvent(timeMs: clock(), reason: .refusedWrite, org: identity.org, role: identity.role,
                                                  action: "write", subject: "request \(requestId) record \(position)",
                                                  outcome: "PERMISSION_DENIED: \(error.message)"))
        }
    }

    /// The request id is the idempotency key of every write: required.
    static func requestId(_ requestId: String) throws -> String {
        guard !requestId.isEmpty else { throw FieldPath.invalid("request_id", "required (the idempotency key of the write)") }
        return requestId
    }

    /// Submits records as one batch the node attests for the authenticated org.
    func submit(requestId: String, records: [LedgerRecord]) async throws -> [RecordOutcome] {
        let identity = try CallerIdentity.required()
        let batch = SignedBatch.attested(org: identity.org, requestId: try Self.requestId(requestId), records: records,
                                         authentication: identity.authentication)
        let outcomes = try await service.submit(batch)
        try await auditRefusedWrites(outcomes, requestId: requestId)
        return outcomes
    }

    /// A write of exactly one record: its receipt, or its refusal thrown.
    func submitOne(requestId: String, record: LedgerRecord) async throws -> Yibao_V1_WriteResponse {
        let outcomes = try await submit(requestId: requestId, records: [record])
        guard outcomes.count == 1 else { throw LedgerError(.internal, "the ledger answered \(outcomes.count) outcomes for one record") }
        var response = Yibao_V1_WriteResponse()
        response.receipt = LedgerMapping.receipt(try outcomes[0].get())
        return response
    }

    /// A batch write where each item either became a record or was refused while converting; the records go to
    /// the ledger together, and the answer has one result per item in request order. The domain names records by
    /// their position in the submitted batch (`records[j]`); messages are renamed to the request's (`invoices[i]`).
    func submitBatch(requestId: String, items: [Result<LedgerRecord, LedgerError>], field: String,
                     limit: Int) async throws -> [Yibao_V1_RecordResult] {
        _ = try Self.requestId(requestId)
        guard !items.isEmpty, items.count <= limit else {
            throw FieldPath.invalid(field, "must hold 1 to \(limit) records, got \(items.count)")
        }
        var positions: [Int] = []
        var records: [LedgerRecord] = []
        for (position, item) in items.enumerated() {
            if case .success(let record) = item {
                positions.append(position)
                records.append(record)
            }
        }
        var results = items.map { item -> Yibao_V1_RecordResult in
            guard case .failure(let error) = item else { return Yibao_V1_RecordResult() }
            return LedgerMapping.result(.failure(error))
        }
        guard !records.isEmpty else { return results }
        let outcomes = try await submit(requestId: requestId, records: records)
        guard outcomes.count == records.count else {
            throw LedgerError(.internal, "the ledger answered \(outcomes.count) outcomes for \(records.count) records")
        }
        for (j, outcome) in outcomes.enumerated() {
            let position = positions[j]
            results[position] = LedgerMapping.result(outcome.mapError { error in
                LedgerError(error.code, Self.rename(error.message, from: "records[\(j)]", to: "\(field)[\(position)]"))
            })
        }
        return results
    }

    static func rename(_ message: String, from old: String, to new: String) -> String {
        message.hasPrefix(old) ? new + message.dropFirst(old.count) : message
    }

    /// Converts request items one by one; a conversion refusal stays with its item.
    static func convert<Item>(_ items: [Item], field: String,
                              _ body: (Item, String) throws(LedgerError) -> LedgerRecord) -> [Result<LedgerRecord, LedgerError>] {
        items.enumerated().map { position, item -> Result<LedgerRecord, LedgerError> in
            do throws(LedgerError) { return .success(try body(item, "\(field)[\(position)]")) } catch { return .failure(error) }
        }
    }

    /// Trace indexes as steps with their entries, and the cursor of the next page.
    func tracePage(_ indexes: [UInt64], limit: Int) throws -> Yibao_V1_TraceResponse {
        var response = Yibao_V1_TraceResponse()
        response.steps = try indexes.map { try LedgerMapping.traceStep(ledger.entry(at: $0)) }
        response.nextPageAfter = indexes.count == limit ? (indexes.last ?? 0) : 0
        return response
    }

    static func pageLimit(_ requested: UInt32, maximum: Int, default fallback: Int? = nil) throws -> Int {
        if requested == 0 { return fallback ?? maximum }
        guard Int(requested) <= maximum else { throw FieldPath.invalid("limit", "must be at most \(maximum), got \(requested)") }
        return Int(requested)
    }
}
