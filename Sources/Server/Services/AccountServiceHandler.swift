import YibaoDomain
import YibaoLedger
import YibaoMapping
import YibaoProto
import YibaoRPC

/// yibao.v1.AccountService: a person's digital account (数字账户) and its records, newest first.
struct AccountServiceHandler: Yibao_V1_AccountServiceProvider {
    let context: ServiceContext

    func getAccount(_ request: Yibao_V1_GetAccountRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_GetAccountResponse {
        try await context.handle {
            let account: DigitalAccount?
            switch request.person {
            case .certno(let certno):
                try await context.authorizePersonRead(subject: "account of \(context.personSubject(certno: certno))")
                account = try context.service.account(certno: certno)
            case .psnNo(let psnNo):
                try await context.authorizePersonRead(subject: "account by psn_no")
                account = try context.service.account(psnNo: psnNo)
            case nil: throw FieldPath.invalid("person", "required: certno or psn_no")
            }
            guard let account else { throw LedgerError(.notFound, "no digital account for this person") }
            var response = Yibao_V1_GetAccountResponse()
            response.account = AccountMapping.account(account)
            return response
        }
    }

    func listAccountRecords(_ request: Yibao_V1_ListAccountRecordsRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_ListAccountRecordsResponse {
        try await context.handle {
            guard !request.certno.isEmpty else { throw FieldPath.invalid("certno", "required") }
            try await context.authorizePersonRead(subject: "records of \(context.personSubject(certno: request.certno))")
            let pageSize = request.pageSize == 0 ? 50 : Int(request.pageSize)
            let page = try context.service.accountRecords(certno: request.certno, pageSize: pageSize,
                                                          after: request.pageAfter == 0 ? nil : request.pageAfter)
            var response = Yibao_V1_ListAccountRecordsResponse()
            response.records = page.records.map(AccountMapping.record)
            response.nextPageAfter = page.next ?? 0
            return response
        }
    }
}
