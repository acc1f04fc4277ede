import ArgumentParser
import YibaoClient
import YibaoProto
import YibaoRPC

/// `yibao invoice`: the methods of `yibao.v1.InvoiceService`, one subcommand each.
struct InvoiceCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoice", abstract: "Medical e-invoices (医疗收费电子票据): issue, reverse, exchange, lock, enter, query, trace.",
        subcommands: [
            UnaryMethodCommand<InvoiceAPI.IssueInvoices>.self,
            UnaryMethodCommand<InvoiceAPI.ReverseInvoice>.self,
            UnaryMethodCommand<InvoiceAPI.ExchangePaper>.self,
            UnaryMethodCommand<InvoiceAPI.LockInvoice>.self,
            UnaryMethodCommand<InvoiceAPI.UnlockInvoice>.self,
            UnaryMethodCommand<InvoiceAPI.RecordEntry>.self,
            UnaryMethodCommand<InvoiceAPI.RevokeEntry>.self,
            UnaryMethodCommand<InvoiceAPI.GetInvoice>.self,
            UnaryMethodCommand<InvoiceAPI.TraceInvoice>.self,
        ])
}

/// The unary methods of `yibao.v1.InvoiceService`.
enum InvoiceAPI {
    enum IssueInvoices: APIMethod {
        static let commandName = "issue"
        static let aliases = ["issue-invoices"]
        static let abstract = "Issue blue invoices in a batch (invoice platform)."
        static func call(_ client: RPCClient, _ request: Yibao_V1_IssueInvoicesRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_IssueInvoicesResponse {
            try await Yibao_V1_InvoiceServiceClient(client).issueInvoices(request, options: options)
        }
        static func outcome(of response: Yibao_V1_IssueInvoicesResponse) -> ExitStatus { BatchOutcome.of(response.results) }
    }

    enum ReverseInvoice: APIMethod {
        static let commandName = "reverse"
        static let aliases = ["reverse-invoice"]
        static let abstract = "Reverse a blue invoice with a red one (冲红)."
        static func call(_ client: RPCClient, _ request: Yibao_V1_ReverseInvoiceRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_WriteResponse {
            try await Yibao_V1_InvoiceServiceClient(client).reverseInvoice(request, options: options)
        }
    }

    enum ExchangePaper: APIMethod {
        static let commandName = "exchange-paper"
        static let abstract = "Record the exchange for a paper invoice (换开纸质, once)."
        static func call(_ client: RPCClient, _ request: Yibao_V1_ExchangePaperRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_WriteResponse {
            try await Yibao_V1_InvoiceServiceClient(client).exchangePaper(request, options: options)
        }
    }

    enum LockInvoice: APIMethod {
        static let commandName = "lock"
        static let aliases = ["lock-invoice"]
        static let abstract = "Lock an invoice for reimbursement (insurance bureau)."
        static func call(_ client: RPCClient, _ request: Yibao_V1_InvoiceActionRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_WriteResponse {
            try await Yibao_V1_InvoiceServiceClient(client).lockInvoice(request, options: options)
        }
    }

    enum UnlockInvoice: APIMethod {
        static let commandName = "unlock"
        static let aliases = ["unlock-invoice"]
        static let abstract = "Unlock an invoice the same org locked."
        static func call(_ client: RPCClient, _ request: Yibao_V1_InvoiceActionRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_WriteResponse {
            try await Yibao_V1_InvoiceServiceClient(client).unlockInvoice(request, options: options)
        }
    }

    enum RecordEntry: APIMethod {
        static let commandName = "enter"
        static let aliases = ["record-entry"]
        static let abstract = "Enter a locked invoice (入账); a second entry is refused."
        static func call(_ client: RPCClient, _ request: Yibao_V1_InvoiceActionRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_WriteResponse {
            try await Yibao_V1_InvoiceServiceClient(client).recordEntry(request, options: options)
        }
    }

    enum RevokeEntry: APIMethod {
        static let commandName = "revoke-entry"
        static let abstract = "Revoke the entry of an invoice (撤销入账)."
        static func call(_ client: RPCClient, _ request: Yibao_V1_InvoiceActionRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_WriteResponse {
            try await Yibao_V1_InvoiceServiceClient(client).revokeEntry(request, options: options)
        }
    }

    enum GetInvoice: APIMethod {
        static let commandName = "get"
        static let aliases = ["get-invoice"]
        static let abstract = "An invoice as issued, with its current state and flags."
        static func call(_ client: RPCClient, _ request: Yibao_V1_GetInvoiceRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_GetInvoiceResponse {
            try await Yibao_V1_InvoiceServiceClient(client).getInvoice(request, options: options)
        }
    }

    enum TraceInvoice: APIMethod {
        static let commandName = "trace"
        static let aliases = ["trace-invoice"]
        static let abstract = "Every ledger entry that touched an invoice (轨迹), oldest first."
        static func call(_ client: RPCClient, _ request: Yibao_V1_TraceInvoiceRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_TraceResponse {
            try await Yibao_V1_InvoiceServiceClient(client).traceInvoice(request, options: options)
        }
    }
}
