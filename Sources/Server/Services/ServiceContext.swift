import Logging
import YibaoCrypto
import YibaoDomain
import YibaoLedger
import YibaoMapping
import YibaoProto
import YibaoRPC

/// What every Yibao handler shares: the domain service, the audit trail, and the steps each call repeats —
/// who is calling, may they, submit an attested batch, map whatever fails to a status (`StatusMapping`).
struct ServiceContext: Sendable {
    let service: InvoiceSettlementService
    /// docs/requirements.md, Parties and Security: audited reads and refused reads are durable here before the call is answered (or the read is
    /// refused); refused writes are recorded before the answer too, but cannot change it (`auditRefusedWrites`).
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
        try await audit.record(auditEvent(org: caller.org, role: DomainCaller.roleName(caller.role, region: caller.region),
                                          reason, action: action, subject: subject, outcome: outcome))
    }

    func auditEvent(org: String, role: String, _ reason: AuditEvent.Reason, action: String, subject: String,
                    outcome: String) -> AuditEvent {
        AuditEvent(timeMs: clock(), reason: reason, org: org, role: role, action: action, subject: subject, outcome: outcome)
    }

    /// Writes the permission matrix refused leave a trace in the audit trail (docs/requirements.md, Parties): one event per refused
    /// record, all in one audit commit, recorded before the call is answered. The batch was already committed, so
    /// a failure to record cannot take its answer back: it is logged, and the caller still gets the batch's
    /// result (its receipts are real). See docs/api.md, "Reads and the audit trail".
    private func auditRefusedWrites(_ outcomes: [RecordOutcome], paths: [RecordFieldPaths], requestId: String,
                                    identity: CallerIdentity) async {
        let events = zip(outcomes, paths).compactMap { outcome, path -> AuditEvent? in
            guard case .failure(let error) = outcome, error.code == .permissionDenied else { return nil }
            return auditEvent(org: identity.org, role: identity.role, .refusedWrite, action: "write",
                              subject: path.root.isEmpty ? "request \(requestId)" : "request \(requestId) \(path.root)",
                              outcome: "PERMISSION_DENIED: \(error.message)")
        }
        guard !events.isEmpty else { return }
        do {
            try await audit.record(events)  // the events of one call share one durable commit
        } catch {
            // The events themselves go to the log, so what the trail lacks can still be told.
            logger.error("refused writes were not recorded in the audit trail; the batch's result is answered anyway",
                         error: error,
                         metadata: ["org": "\(identity.org)", "request_id": "\(requestId)", "refused": "\(events.count)",
                                    "events": .array(events.map { .string("\($0.subject): \($0.outcome)") })])
        }
    }

    /// The request id is the idempotency key of every write: required.
    static func requestId(_ requestId: String) throws -> String {
        guard !requestId.isEmpty else { throw FieldPath.invalid("request_id", "required (the idempotency key of the write)") }
        return requestId
    }

    /// Submits records as one batch the node attests for the authenticated org. The domain names record `j` as
    /// `records[j]`, a batch the caller never saw: the field of each refusal that names one (`LedgerError.field`) is
    /// renamed with `paths[j]` to the request's field path, then the permission matrix's refusals are audited.
    private func submit(requestId: String, records: [LedgerRecord], paths: [RecordFieldPaths]) async throws -> [RecordOutcome] {
        let identity = try CallerIdentity.required()
        let batch = SignedBatch.attested(org: identity.org, requestId: try Self.requestId(requestId), records: records,
                                         authentication: identity.authentication)
        let outcomes = try await service.submit(batch)
        guard outcomes.count == records.count else {
            throw LedgerError(.internal, "the ledger answered \(outcomes.count) outcomes for \(records.count) records")
        }
        let named = outcomes.enumerated().map { j, outcome in
            outcome.mapError { refusal in
                guard let field = refusal.field else { return refusal }
                return LedgerError(refusal.code, field: paths[j].rename(field.path, record: "records[\(j)]"), field.rule)
            }
        }
        await auditRefusedWrites(named, paths: paths, requestId: requestId, identity: identity)
        return named
    }

    /// A write of exactly one record: its receipt, or its refusal thrown, naming the request's fields by `paths`
    /// (`RecordFieldPaths.invoiceReference`: `invoice.check_code`, `remark`).
    func submitOne(requestId: String, record: LedgerRecord, paths: RecordFieldPaths) async throws -> Yibao_V1_WriteResponse {
        let outcomes = try await submit(requestId: requestId, records: [record], paths: [paths])
        var response = Yibao_V1_WriteResponse()
        response.receipt = LedgerMapping.receipt(try outcomes[0].get())
        return response
    }

    /// A batch write where each item either became a record or was refused while converting; the records go to
    /// the ledger together, and the answer has one result per item in request order, named by the request's
    /// path (`invoices[i]`).
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
        let outcomes = try await submit(requestId: requestId, records: records,
                                        paths: positions.map { RecordFieldPaths.item(field, $0) })
        for (j, outcome) in outcomes.enumerated() {
            results[positions[j]] = LedgerMapping.result(outcome)
        }
        return results
    }

    /// Converts request items one by one; a conversion refusal stays with its item.
    static func convert<Item>(_ items: [Item], field: String,
                              _ body: (Item, String) throws(LedgerError) -> LedgerRecord) -> [Result<LedgerRecord, LedgerError>] {
        items.enumerated().map { position, item -> Result<LedgerRecord, LedgerError> in
            do throws(LedgerError) { return .success(try body(item, "\(field)[\(position)]")) } catch { return .failure(error) }
        }
    }

    /// A trace page's entries (read in one snapshot) as steps, and the cursor of the next page.
    func tracePage(_ entries: [StoredEntry], limit: Int) throws -> Yibao_V1_TraceResponse {
        var response = Yibao_V1_TraceResponse()
        response.steps = try entries.map(LedgerMapping.traceStep)
        response.nextPageAfter = entries.count == limit ? (entries.last?.index ?? 0) : 0
        return response
    }

    /// A requested page or list size: 0 asks for `fallback` (the maximum when nil); above `maximum` is refused
    /// naming `field`, so that no caller makes the node read or answer without bound.
    static func pageLimit(_ requested: UInt32, field: String = "limit", maximum: Int, default fallback: Int? = nil) throws -> Int {
        if requested == 0 { return fallback ?? maximum }
        guard Int(requested) <= maximum else { throw FieldPath.invalid(field, "must be at most \(maximum), got \(requested)") }
        return Int(requested)
    }
}
