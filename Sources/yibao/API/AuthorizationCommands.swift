import ArgumentParser
import YibaoClient
import YibaoProto
import YibaoRPC

/// `yibao auth`: the methods of `yibao.v1.AuthorizationService`, one subcommand each.
struct AuthorizationCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth", abstract: "Authorization (授权管理): grants to channels and their recorded reads.",
        subcommands: [
            UnaryMethodCommand<AuthorizationAPI.GrantAccess>.self,
            UnaryMethodCommand<AuthorizationAPI.RevokeAccess>.self,
            UnaryMethodCommand<AuthorizationAPI.ListGrants>.self,
            UnaryMethodCommand<AuthorizationAPI.RecordUsage>.self,
            UnaryMethodCommand<AuthorizationAPI.ListUsage>.self,
        ])
}

/// The unary methods of `yibao.v1.AuthorizationService`.
enum AuthorizationAPI {
    enum GrantAccess: APIMethod {
        static let commandName = "grant"
        static let aliases = ["grant-access"]
        static let abstract = "Grant a channel read access to a person's invoices."
        static func call(_ client: RPCClient, _ request: Yibao_V1_GrantAccessRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_GrantAccessResponse {
            try await Yibao_V1_AuthorizationServiceClient(client).grantAccess(request, options: options)
        }
    }

    enum RevokeAccess: APIMethod {
        static let commandName = "revoke"
        static let aliases = ["revoke-access"]
        static let abstract = "Revoke a grant."
        static func call(_ client: RPCClient, _ request: Yibao_V1_RevokeAccessRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_WriteResponse {
            try await Yibao_V1_AuthorizationServiceClient(client).revokeAccess(request, options: options)
        }
    }

    enum ListGrants: APIMethod {
        static let commandName = "grants"
        static let aliases = ["list-grants"]
        static let abstract = "The grants given for a person, newest first."
        static func call(_ client: RPCClient, _ request: Yibao_V1_ListGrantsRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_ListGrantsResponse {
            try await Yibao_V1_AuthorizationServiceClient(client).listGrants(request, options: options)
        }
    }

    enum RecordUsage: APIMethod {
        static let commandName = "record-usage"
        static let abstract = "Record a channel's read under a grant (渠道授权登记)."
        static func call(_ client: RPCClient, _ request: Yibao_V1_RecordUsageRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_WriteResponse {
            try await Yibao_V1_AuthorizationServiceClient(client).recordUsage(request, options: options)
        }
    }

    enum ListUsage: APIMethod {
        static let commandName = "usage"
        static let aliases = ["list-usage"]
        static let abstract = "The reads recorded under a grant."
        static func call(_ client: RPCClient, _ request: Yibao_V1_ListUsageRequest, options: RPCCallOptions) async throws
            -> Yibao_V1_ListUsageResponse {
            try await Yibao_V1_AuthorizationServiceClient(client).listUsage(request, options: options)
        }
    }
}
