import ArgumentParser
import YibaoClient
import YibaoProto
import YibaoRPC

/// `yibao account`: the methods of `yibao.v1.AccountService`, one subcommand each.
struct AccountCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account", abstract: "Digital accounts (数字账户): everything of one person.",
        subcommands: [
            UnaryMethodCommand<AccountAPI.GetAccount>.self,
            UnaryMethodCommand<AccountAPI.ListAccountRecords>.self,
        ])
}

/// The unary methods of `yibao.v1.AccountService`.
enum AccountAPI {
    enum GetAccount: APIMethod {
        static let commandName = "get"
        static let aliases = ["get-account"]
        static let abstract = "A person's digital account, by certno or psn_no."
        static func call(_ client: RPCClient, _ request: Yibao_V1_GetAccountRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_GetAccountResponse {
            try await Yibao_V1_AccountServiceClient(client).getAccount(request, options: options)
        }
    }

    enum ListAccountRecords: APIMethod {
        static let commandName = "records"
        static let aliases = ["list-account-records"]
        static let abstract = "The invoices and settlements of a person, newest first."
        static func call(_ client: RPCClient, _ request: Yibao_V1_ListAccountRecordsRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_ListAccountRecordsResponse {
            try await Yibao_V1_AccountServiceClient(client).listAccountRecords(request, options: options)
        }
    }
}
