import YibaoDomain
import YibaoLedger
import YibaoMapping
import YibaoProto
import YibaoRPC

/// yibao.v1.SettlementService over the domain: hospitals upload, revoke and link; readers trace and reconcile;
/// FeedSettlements takes a hospital's stream of batches and answers each with its receipts, in order.
struct SettlementServiceHandler: Yibao_V1_SettlementServiceProvider {
    let context: ServiceContext

    func uploadSettlements(_ request: Yibao_V1_UploadSettlementsRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_UploadSettlementsResponse {
        try await context.handle {
            var response = Yibao_V1_UploadSettlementsResponse()
            response.results = try await upload(requestId: request.requestId, request.settlements)
            return response
        }
    }

    func revokeSettlement(_ request: Yibao_V1_RevokeSettlementRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_WriteResponse {
        try await context.handle {
            let revocation = SettlementRevocation(setlId: request.setlId, mdtrtId: request.mdtrtId, psnNo: request.psnNo,
                                                  revokeTime: request.revokeTime, reason: request.reason)
            return try await context.submitOne(requestId: request.requestId, record: InvoiceSettlementRecords.revoke(revocation),
                                                 paths: .requestFields)
        }
    }

    func getSettlement(_ request: Yibao_V1_GetSettlementRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_GetSettlementResponse {
        try await context.handle {
            let settlement = try await context.readableSettlement(request.setlId)
            var response = Yibao_V1_GetSettlementResponse()
            response.settlement = SettlementMapping.message(settlement.settlement)
            response.state = SettlementMapping.state(settlement.state)
            response.uploadIndex = settlement.uploadIndex
            response.linkedInvoices = try context.service.linkedInvoices(of: request.setlId).map(InvoiceMapping.key)
            return response
        }
    }

    func traceSettlement(_ request: Yibao_V1_TraceSettlementRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_TraceResponse {
        try await context.handle {
            _ = try await context.readableSettlement(request.setlId)
            let limit = try ServiceContext.pageLimit(request.limit, maximum: InvoiceSettlementService.maxTracePage)
            let entries = try context.service.traceEntries(settlement: request.setlId,
                                                           after: request.pageAfter == 0 ? nil : request.pageAfter, limit: limit)
            return try context.tracePage(entries, limit: limit)
        }
    }

    func linkInvoice(_ request: Yibao_V1_LinkInvoiceRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_WriteResponse {
        try await context.handle {
            let record = InvoiceSettlementRecords.link(try InvoiceMapping.reference(request.invoice, at: "invoice"), setlId: request.setlId)
            return try await context.submitOne(requestId: request.requestId, record: record, paths: .invoiceReference)
        }
    }

    func reconcile(_ request: Yibao_V1_ReconcileRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_ReconcileResponse {
        try await context.handle {
            var response = Yibao_V1_ReconcileResponse()
            switch request.target {
            case .pair(let pair):
                let key = InvoiceKey(invoiceCode: pair.invoiceCode, invoiceNumber: pair.invoiceNumber)
                _ = try await context.readableInvoice(key, checkCode: pair.checkCode, operation: .reconcile)
                guard let report = try context.service.reconcile(invoice: key, settlement: pair.setlId.isEmpty ? nil : pair.setlId) else {
                    throw LedgerError(.notFound, pair.setlId.isEmpty
                                      ? "invoice \(key) is not linked to a settlement on the ledger"
                                      : "settlement \(pair.setlId) does not exist")
                }
                response.result = .pair(SettlementMapping.report(report))
            case .range(let range):
                let (_, caller) = try context.caller()
                try await context.authorize(caller, .reconcile, .ofSettlement(fixmedinsCode: range.institution),
                                      subject: "institution \(range.institution) \(range.from)…\(range.through)")
                let listLimit = try ServiceContext.pageLimit(range.listLimit, field: "range.list_limit",
                                                             maximum: ReconciliationBatch.maxListLimit,
                                                             default: ReconciliationBatch.defaultListLimit)
                let scanLimit = try ServiceContext.pageLimit(range.scanLimit, field: "range.scan_limit",
                                                             maximum: InstitutionReconciliation.maxScanLimit,
                                                             default: InstitutionReconciliation.defaultScanLimit)
                let result: InstitutionReconciliation
                do {
                    result = try context.service.reconcile(institution: range.institution, from: range.from, through: range.through,
                                                           listLimit: listLimit, scanLimit: scanLimit)
                } catch let error as LedgerError where error.code == .invalidArgument {
                    // The domain names the range's own fields (`from`); the request holds them under `range`.
                    throw LedgerError(error.code, FieldPath.join("range", error.message))
                }
                response.result = .range(SettlementMapping.range(result))
            case nil:
                throw FieldPath.invalid("target", "required: a pair or a range")
            }
            return response
        }
    }

    /// Batches are answered one at a time, in order; the next batch is read only after the answer is written, so a
    /// hospital that sends faster than the ledger commits is held back by flow control, not buffered here.
    /// A batch refused as a whole is answered with its error and the feed goes on.
    func feedSettlements(_ requests: RPCMessageStream<Yibao_V1_FeedSettlementsRequest>, context rpc: RPCServerContext,
                         responses: RPCMessageWriter<Yibao_V1_FeedSettlementsResponse>) async throws {
        do {
            for try await batch in requests {
                var response = Yibao_V1_FeedSettlementsResponse()
                response.requestId = batch.requestId
                do {
                    response.results = try await upload(requestId: batch.requestId, batch.settlements)
                } catch let error as LedgerError {
                    response.error = StatusMapping.recordError(error)
                }
                try await responses.write(response)
            }
        } catch {
            throw StatusMapping.status(for: error)
        }
    }

    private func upload(requestId: String, _ settlements: [Yibao_V1_Settlement]) async throws -> [Yibao_V1_RecordResult] {
        let items = ServiceContext.convert(settlements, field: "settlements") { settlement, path throws(LedgerError) in
            InvoiceSettlementRecords.upload([try SettlementMapping.settlement(settlement, at: path)])[0]
        }
        return try await context.submitBatch(requestId: requestId, items: items, field: "settlements",
                                             limit: context.ledger.configuration.maxRecordsPerBatch)
    }
}
