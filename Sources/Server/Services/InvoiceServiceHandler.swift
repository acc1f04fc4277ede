import YibaoDomain
import YibaoLedger
import YibaoMapping
import YibaoProto
import YibaoRPC

/// yibao.v1.InvoiceService over the domain: the invoice platform issues, reverses and exchanges; the bureau locks
/// and enters; readers get the state and the trace.
struct InvoiceServiceHandler: Yibao_V1_InvoiceServiceProvider {
    let context: ServiceContext

    func issueInvoices(_ request: Yibao_V1_IssueInvoicesRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_IssueInvoicesResponse {
        try await context.handle {
            let items = ServiceContext.convert(request.invoices, field: "invoices") { invoice, path throws(LedgerError) in
                InvoiceSettlementRecords.issue([try InvoiceMapping.invoice(invoice, colour: .blue, at: path)])[0]
            }
            var response = Yibao_V1_IssueInvoicesResponse()
            response.results = try await context.submitBatch(requestId: request.requestId, items: items, field: "invoices",
                                                             limit: context.ledger.configuration.maxRecordsPerBatch)
            return response
        }
    }

    func reverseInvoice(_ request: Yibao_V1_ReverseInvoiceRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_WriteResponse {
        try await context.handle {
            let red = try InvoiceMapping.invoice(try FieldPath.required(request.redInvoice, "red_invoice"), colour: .red, at: "red_invoice")
            return try await context.submitOne(requestId: request.requestId, record: InvoiceSettlementRecords.reverse(red),
                                                 paths: .redInvoice)
        }
    }

    func exchangePaper(_ request: Yibao_V1_ExchangePaperRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_WriteResponse {
        try await context.handle {
            let exchange = PaperExchange(reference: try InvoiceMapping.reference(request.invoice, at: "invoice"),
                                         exchangeTime: request.exchangeTime, paperInvoiceCode: request.paperInvoiceCode,
                                         paperInvoiceNumber: request.paperInvoiceNumber)
            return try await context.submitOne(requestId: request.requestId, record: InvoiceSettlementRecords.exchangePaper(exchange),
                                                 paths: .invoiceReference)
        }
    }

    func lockInvoice(_ request: Yibao_V1_InvoiceActionRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_WriteResponse {
        try await act(.lock, request)
    }

    func unlockInvoice(_ request: Yibao_V1_InvoiceActionRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_WriteResponse {
        try await act(.unlock, request)
    }

    func recordEntry(_ request: Yibao_V1_InvoiceActionRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_WriteResponse {
        try await act(.recordEntry, request)
    }

    func revokeEntry(_ request: Yibao_V1_InvoiceActionRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_WriteResponse {
        try await act(.revokeEntry, request)
    }

    func getInvoice(_ request: Yibao_V1_GetInvoiceRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_GetInvoiceResponse {
        try await context.handle {
            let key = InvoiceKey(invoiceCode: request.invoiceCode, invoiceNumber: request.invoiceNumber)
            let invoice = try await context.readableInvoice(key, checkCode: request.checkCode)
            var response = Yibao_V1_GetInvoiceResponse()
            response.invoice = InvoiceMapping.message(invoice.invoice)
            response.state = InvoiceMapping.state(invoice.state)
            response.issueIndex = invoice.issueIndex
            response.linkedSetlId = invoice.linkedSetlId ?? ""
            return response
        }
    }

    func traceInvoice(_ request: Yibao_V1_TraceInvoiceRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_TraceResponse {
        try await context.handle {
            let key = InvoiceKey(invoiceCode: request.invoiceCode, invoiceNumber: request.invoiceNumber)
            _ = try await context.readableInvoice(key, checkCode: request.checkCode)
            let limit = try ServiceContext.pageLimit(request.limit, maximum: InvoiceSettlementService.maxTracePage)
            let entries = try context.service.traceEntries(invoice: key, after: request.pageAfter == 0 ? nil : request.pageAfter,
                                                           limit: limit)
            return try context.tracePage(entries, limit: limit)
        }
    }

    private func act(_ action: InvoiceAction, _ request: Yibao_V1_InvoiceActionRequest) async throws -> Yibao_V1_WriteResponse {
        try await context.handle {
            let record = InvoiceSettlementRecords.statusChange(
                InvoiceStatusChange(action: action, reference: try InvoiceMapping.reference(request.invoice, at: "invoice"),
                                    operatedTime: request.operatedTime, remark: request.remark))
            return try await context.submitOne(requestId: request.requestId, record: record, paths: .invoiceReference)
        }
    }
}
