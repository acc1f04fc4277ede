import ArgumentParser
import YibaoClient
import YibaoProto
import YibaoRPC

/// `yibao settlement`: the methods of `yibao.v1.SettlementService`, one subcommand each.
struct SettlementCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settlement", abstract: "Medical-insurance settlements (医保结算): upload, revoke, query, trace, link, reconcile, feed.",
        subcommands: [
            UnaryMethodCommand<SettlementAPI.UploadSettlements>.self,
            UnaryMethodCommand<SettlementAPI.RevokeSettlement>.self,
            UnaryMethodCommand<SettlementAPI.GetSettlement>.self,
            UnaryMethodCommand<SettlementAPI.TraceSettlement>.self,
            UnaryMethodCommand<SettlementAPI.LinkInvoice>.self,
            UnaryMethodCommand<SettlementAPI.Reconcile>.self,
            FeedSettlementsCommand.self,
        ])
}

/// The unary methods of `yibao.v1.SettlementService`.
enum SettlementAPI {
    enum UploadSettlements: APIMethod {
        static let commandName = "upload"
        static let aliases = ["upload-settlements"]
        static let abstract = "Upload settlements in a batch (hospital)."
        static func call(_ client: RPCClient, _ request: Yibao_V1_UploadSettlementsRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_UploadSettlementsResponse {
            try await Yibao_V1_SettlementServiceClient(client).uploadSettlements(request, options: options)
        }
        static func outcome(of response: Yibao_V1_UploadSettlementsResponse) -> ExitStatus { BatchOutcome.of(response.results) }
    }

    enum RevokeSettlement: APIMethod {
        static let commandName = "revoke"
        static let aliases = ["revoke-settlement"]
        static let abstract = "Revoke a settlement (撤销)."
        static func call(_ client: RPCClient, _ request: Yibao_V1_RevokeSettlementRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_WriteResponse {
            try await Yibao_V1_SettlementServiceClient(client).revokeSettlement(request, options: options)
        }
    }

    enum GetSettlement: APIMethod {
        static let commandName = "get"
        static let aliases = ["get-settlement"]
        static let abstract = "A settlement as uploaded, with its state and linked invoices."
        static func call(_ client: RPCClient, _ request: Yibao_V1_GetSettlementRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_GetSettlementResponse {
            try await Yibao_V1_SettlementServiceClient(client).getSettlement(request, options: options)
        }
    }

    enum TraceSettlement: APIMethod {
        static let commandName = "trace"
        static let aliases = ["trace-settlement"]
        static let abstract = "Every ledger entry that touched a settlement, oldest first."
        static func call(_ client: RPCClient, _ request: Yibao_V1_TraceSettlementRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_TraceResponse {
            try await Yibao_V1_SettlementServiceClient(client).traceSettlement(request, options: options)
        }
    }

    enum LinkInvoice: APIMethod {
        static let commandName = "link"
        static let aliases = ["link-invoice"]
        static let abstract = "Link an invoice to a settlement (票据关联结算)."
        static func call(_ client: RPCClient, _ request: Yibao_V1_LinkInvoiceRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_WriteResponse {
            try await Yibao_V1_SettlementServiceClient(client).linkInvoice(request, options: options)
        }
    }

    enum Reconcile: APIMethod {
        static let commandName = "reconcile"
        static let abstract = "Reconcile an invoice with its settlement, or an institution over a date range (票实核对)."
        static func call(_ client: RPCClient, _ request: Yibao_V1_ReconcileRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_ReconcileResponse {
            try await Yibao_V1_SettlementServiceClient(client).reconcile(request, options: options)
        }
    }
}
