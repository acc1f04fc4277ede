// grpc-swift-invoice-server --data DIR --registry FILE [--port P] [--no-fsync]: the InvoiceService subset
// (IssueInvoices, GetInvoice) on grpc-swift-2 (NIO Posix HTTP/2 transport, plaintext), storing through the same
// durable YibaoDomain ledger and rules as the node, in development identity (the org named by `yibao-org`).
// The suite's comparison peer. Prints "listening <port>" once bound; runs until killed.
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import YibaoCrypto
import YibaoDomain
import YibaoLedger

/// The node's handler logic for the two methods, without its RPC layer: mapping, the attested batch, the ledger.
struct InvoiceService: Yibao_V1_InvoiceService.ServiceProtocol {
    let service: InvoiceSettlementService

    func caller(_ metadata: Metadata) throws -> String {
        guard let org = metadata[stringValues: "yibao-org"].first(where: { _ in true }), service.ledger.org(org) != nil else {
            throw RPCError(code: .unauthenticated, message: "yibao-org must name a registered org")
        }
        return org
    }

    func issueInvoices(request: ServerRequest<Yibao_V1_IssueInvoicesRequest>, context: ServerContext) async throws
        -> ServerResponse<Yibao_V1_IssueInvoicesResponse> {
        let org = try caller(request.metadata)
        let message = request.message
        guard !message.requestID.isEmpty else { throw RPCError(code: .invalidArgument, message: "request_id is required") }
        var results = [Yibao_V1_RecordResult](repeating: Yibao_V1_RecordResult(), count: message.invoices.count)
        var positions: [Int] = []
        var records: [LedgerRecord] = []
        for (position, invoice) in message.invoices.enumerated() {
            do {
                records.append(InvoiceSettlementRecords.issue([try InvoiceMessages.invoice(invoice)])[0])
                positions.append(position)
            } catch {
                results[position].error = Self.recordError(error)
            }
        }
        if !records.isEmpty {
            let batch = SignedBatch.attested(org: org, requestId: message.requestID, records: records, authentication: .development)
            let outcomes: [RecordOutcome]
            do { outcomes = try await service.submit(batch) } catch let error as LedgerError { throw Self.rpcError(error) }
            for (j, outcome) in outcomes.enumerated() {
                switch outcome {
                case .success(let receipt):
                    var r = Yibao_V1_Receipt()
                    r.txHash = Data(receipt.transactionHash.bytes)
                    r.ledgerIndex = receipt.index
                    r.treeSize = receipt.treeSize
                    r.commitTimeMs = Int64(clamping: receipt.commitTimeMs)
                    results[positions[j]].receipt = r
                case .failure(let error):
                    results[positions[j]].error = Self.recordError(error)
                }
            }
        }
        var response = Yibao_V1_IssueInvoicesResponse()
        response.results = results
        return ServerResponse(message: response)
    }

    func getInvoice(request: ServerRequest<Yibao_V1_GetInvoiceRequest>, context: ServerContext) async throws
        -> ServerResponse<Yibao_V1_GetInvoiceResponse> {
        _ = try caller(request.metadata)
        let m = request.message
        let key = InvoiceKey(invoiceCode: m.invoiceCode, invoiceNumber: m.invoiceNumber)
        let found: LedgerInvoice?
        do { found = try service.invoice(key) } catch let error as LedgerError { throw Self.rpcError(error) }
        guard let found else { throw RPCError(code: .notFound, message: "invoice \(key) does not exist") }
        if !m.checkCode.isEmpty, m.checkCode != found.state.checkCode {
            throw RPCError(code: .invalidArgument, message: "check_code: does not match invoice \(key)")
        }
        var response = Yibao_V1_GetInvoiceResponse()
        response.invoice = InvoiceMessages.message(found.invoice)
        var state = Yibao_V1_InvoiceState()
        state.status = Yibao_V1_InvoiceStatus(rawValue: Int(found.state.status.rawValue)) ?? .unspecified
        state.colour = found.state.colour == .blue ? .blue : .red
        state.issuingOrg = found.state.issuingOrg
        response.state = state
        response.issueIndex = found.issueIndex
        response.linkedSetlID = found.linkedSetlId ?? ""
        return ServerResponse(message: response)
    }

    // The rest of InvoiceService is not part of the comparison.
    func reverseInvoice(request: ServerRequest<Yibao_V1_ReverseInvoiceRequest>, context: ServerContext) async throws -> ServerResponse<Yibao_V1_WriteResponse> { throw Self.unimplemented }
    func exchangePaper(request: ServerRequest<Yibao_V1_ExchangePaperRequest>, context: ServerContext) async throws -> ServerResponse<Yibao_V1_WriteResponse> { throw Self.unimplemented }
    func lockInvoice(request: ServerRequest<Yibao_V1_InvoiceActionRequest>, context: ServerContext) async throws -> ServerResponse<Yibao_V1_WriteResponse> { throw Self.unimplemented }
    func unlockInvoice(request: ServerRequest<Yibao_V1_InvoiceActionRequest>, context: ServerContext) async throws -> ServerResponse<Yibao_V1_WriteResponse> { throw Self.unimplemented }
    func recordEntry(request: ServerRequest<Yibao_V1_InvoiceActionRequest>, context: ServerContext) async throws -> ServerResponse<Yibao_V1_WriteResponse> { throw Self.unimplemented }
    func revokeEntry(request: ServerRequest<Yibao_V1_InvoiceActionRequest>, context: ServerContext) async throws -> ServerResponse<Yibao_V1_WriteResponse> { throw Self.unimplemented }
    func traceInvoice(request: ServerRequest<Yibao_V1_TraceInvoiceRequest>, context: ServerContext) async throws -> ServerResponse<Yibao_V1_TraceResponse> { throw Self.unimplemented }

    static let unimplemented = RPCError(code: .unimplemented, message: "not part of the grpc-swift-2 peer")

    static func code(_ code: LedgerError.Code) -> (RPCError.Code, Int32) {
        switch code {
        case .invalidArgument: (.invalidArgument, 3)
        case .failedPrecondition: (.failedPrecondition, 9)
        case .notFound: (.notFound, 5)
        case .alreadyExists: (.alreadyExists, 6)
        case .permissionDenied: (.permissionDenied, 7)
        case .unauthenticated: (.unauthenticated, 16)
        case .resourceExhausted: (.resourceExhausted, 8)
        case .unavailable: (.unavailable, 14)
        case .dataLoss: (.dataLoss, 15)
        case .internal: (.internalError, 13)
        }
    }

    static func rpcError(_ error: LedgerError) -> RPCError { RPCError(code: code(error.code).0, message: error.message) }

    static func recordError(_ error: any Error) -> Yibao_V1_RecordError {
        let ledger = error as? LedgerError ?? LedgerError(.internal, "\(error)")
        var e = Yibao_V1_RecordError()
        e.code = code(ledger.code).1
        e.message = ledger.message
        return e
    }
}

var options: [String: String] = [:]
var durable = true
var arguments = Array(CommandLine.arguments.dropFirst())
while let flag = arguments.first {
    arguments.removeFirst()
    if flag == "--no-fsync" { durable = false; continue }
    guard flag.hasPrefix("--"), let value = arguments.first else {
        FileHandle.standardError.write(Data("usage: grpc-swift-invoice-server --data DIR --registry FILE [--port P] [--no-fsync]\n".utf8))
        exit(2)
    }
    arguments.removeFirst()
    options[String(flag.dropFirst(2))] = value
}
guard let data = options["data"], let registryPath = options["registry"] else {
    FileHandle.standardError.write(Data("usage: grpc-swift-invoice-server --data DIR --registry FILE [--port P] [--no-fsync]\n".utf8))
    exit(2)
}
var configuration = InvoiceSettlementService.configuration()
configuration.durable = durable
let ledger = try Ledger(directory: data, nodeKey: SM2PrivateKey(), configuration: configuration)
let service = try InvoiceSettlementService(ledger: ledger)
try await ledger.apply(try OrgRegistryFile(path: registryPath))
let server = GRPCServer(
    transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: Int(options["port"] ?? "0") ?? 0),
                              transportSecurity: .plaintext),
    services: [InvoiceService(service: service)])
try await withThrowingDiscardingTaskGroup { group in
    group.addTask { try await server.serve() }
    if let address = try await server.listeningAddress?.ipv4 {
        // Unbuffered: the suite reads this line from a pipe.
        FileHandle.standardOutput.write(Data("listening \(address.port)\n".utf8))
    }
}
