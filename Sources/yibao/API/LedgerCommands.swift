import ArgumentParser
import YibaoClient
import YibaoProto
import YibaoRPC

/// `yibao ledger`: the methods of `yibao.v1.LedgerService`, one subcommand each.
struct LedgerCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "The ledger: signed tree heads, proofs, exact entries, the live entry stream.",
        subcommands: [
            UnaryMethodCommand<LedgerAPI.GetTreeHead>.self,
            UnaryMethodCommand<LedgerAPI.GetInclusionProof>.self,
            UnaryMethodCommand<LedgerAPI.GetConsistencyProof>.self,
            UnaryMethodCommand<LedgerAPI.GetEntry>.self,
            StreamEntriesCommand.self,
        ])
}

/// The unary methods of `yibao.v1.LedgerService`.
enum LedgerAPI {
    enum GetTreeHead: APIMethod {
        static let commandName = "tree-head"
        static let aliases = ["get-tree-head"]
        static let abstract = "The newest signed tree head (or the one at tree_size)."
        static func call(_ client: RPCClient, _ request: Yibao_V1_GetTreeHeadRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_GetTreeHeadResponse {
            try await Yibao_V1_LedgerServiceClient(client).getTreeHead(request, options: options)
        }
    }

    enum GetInclusionProof: APIMethod {
        static let commandName = "inclusion-proof"
        static let aliases = ["get-inclusion-proof"]
        static let abstract = "An inclusion proof for an entry (by ledger_index or tx_hash) with its signed tree head; check it with `yibao proof verify`."
        static func call(_ client: RPCClient, _ request: Yibao_V1_GetInclusionProofRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_GetInclusionProofResponse {
            try await Yibao_V1_LedgerServiceClient(client).getInclusionProof(request, options: options)
        }
    }

    enum GetConsistencyProof: APIMethod {
        static let commandName = "consistency-proof"
        static let aliases = ["get-consistency-proof"]
        static let abstract = "A consistency proof between two tree sizes."
        static func call(_ client: RPCClient, _ request: Yibao_V1_GetConsistencyProofRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_GetConsistencyProofResponse {
            try await Yibao_V1_LedgerServiceClient(client).getConsistencyProof(request, options: options)
        }
    }

    enum GetEntry: APIMethod {
        static let commandName = "entry"
        static let aliases = ["get-entry"]
        static let abstract = "An entry's exact leaf bytes and the fields they encode."
        static func call(_ client: RPCClient, _ request: Yibao_V1_GetEntryRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_GetEntryResponse {
            try await Yibao_V1_LedgerServiceClient(client).getEntry(request, options: options)
        }
    }
}
