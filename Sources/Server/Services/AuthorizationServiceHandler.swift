import YibaoCrypto
import YibaoDomain
import YibaoLedger
import YibaoMapping
import YibaoProto
import YibaoRPC

/// yibao.v1.AuthorizationService: grants (授权) given and revoked through operator orgs, and a channel's usage
/// records (渠道授权登记).
struct AuthorizationServiceHandler: Yibao_V1_AuthorizationServiceProvider {
    let context: ServiceContext

    func grantAccess(_ request: Yibao_V1_GrantAccessRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_GrantAccessResponse {
        try await context.handle {
            let grant = AuthorizationGrant(
                certno: request.certno, channel: request.channel, scope: try AccountMapping.scope(request.scope, at: "scope"),
                invoices: try request.invoices.enumerated().map { i, reference throws(LedgerError) in
                    try InvoiceMapping.reference(reference, at: "invoices[\(i)]")
                },
                validFromMs: try FieldPath.milliseconds(request.validFromMs, "valid_from_ms"),
                validUntilMs: try FieldPath.milliseconds(request.validUntilMs, "valid_until_ms"), purpose: request.purpose)
            let written = try await context.submitOne(requestId: request.requestId, record: AuthorizationRecords.grant(grant),
                                                       paths: .requestFields)
            var response = Yibao_V1_GrantAccessResponse()
            response.receipt = written.receipt
            response.grantId = written.receipt?.txHash ?? []  // the grant id is its entry's transaction hash
            return response
        }
    }

    func revokeAccess(_ request: Yibao_V1_RevokeAccessRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_WriteResponse {
        try await context.handle {
            let revocation = GrantRevocation(grantId: try FieldPath.digest(request.grantId, "grant_id"), certno: request.certno,
                                             reason: request.reason)
            return try await context.submitOne(requestId: request.requestId, record: AuthorizationRecords.revoke(revocation),
                                                 paths: .requestFields)
        }
    }

    func listGrants(_ request: Yibao_V1_ListGrantsRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_ListGrantsResponse {
        try await context.handle {
            guard !request.certno.isEmpty else { throw FieldPath.invalid("certno", "required") }
            try await context.authorizePersonRead(subject: "grants of \(context.personSubject(certno: request.certno))")
            let limit = try ServiceContext.pageLimit(request.limit, maximum: InvoiceSettlementService.maxGrantPage)
            var response = Yibao_V1_ListGrantsResponse()
            response.grants = try context.service.listGrants(certno: request.certno, limit: limit).map(AccountMapping.grant)
            return response
        }
    }

    func recordUsage(_ request: Yibao_V1_RecordUsageRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_WriteResponse {
        try await context.handle {
            let usage = GrantUsage(grantId: try FieldPath.digest(request.grantId, "grant_id"),
                                   invoice: try InvoiceMapping.key(request.invoice, at: "invoice"),
                                   readTimeMs: try FieldPath.milliseconds(request.readTimeMs, "read_time_ms"), purpose: request.purpose)
            return try await context.submitOne(requestId: request.requestId, record: AuthorizationRecords.recordUsage(usage),
                                                 paths: .invoiceKey)
        }
    }

    /// The person's operators and auditors list a grant's usage; so does the channel that holds the grant.
    func listUsage(_ request: Yibao_V1_ListUsageRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_ListUsageResponse {
        try await context.handle {
            let id = try FieldPath.digest(request.grantId, "grant_id")
            guard let grant = try context.service.grant(id: id) else { throw LedgerError(.notFound, "grant \(id) does not exist") }
            let (_, caller) = try context.caller()
            if !(caller.role == .channel && caller.org == grant.channel) {
                try await context.authorizePersonRead(subject: "usage of grant \(id)")
            }
            let limit = try ServiceContext.pageLimit(request.limit, maximum: InvoiceSettlementService.maxUsagePage)
            let usages = try context.service.listUsage(grant: id, after: request.pageAfter == 0 ? nil : request.pageAfter, limit: limit)
            var response = Yibao_V1_ListUsageResponse()
            response.usages = usages.map { usage in
                var m = Yibao_V1_Usage()
                m.ledgerIndex = usage.index
                m.readTimeMs = Int64(clamping: usage.readTimeMs)
                m.invoice = InvoiceMapping.key(usage.invoice)
                return m
            }
            response.nextPageAfter = usages.count == limit ? (usages.last?.index ?? 0) : 0
            return response
        }
    }
}
