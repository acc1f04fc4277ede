import YibaoRPC

/// The methods whose handlers run on their call's connection event loop (`RPCHandlerPlacement.connectionLoop`):
/// point reads that answer from one LMDB snapshot in tens of microseconds, where the hop to a handler thread and
/// back costs more than the read. Writes, batches, traces, listings and streams stay on the handler threads, so a
/// 1,000-record admission never holds up a connection's socket I/O. Signed calls verify off the loop
/// (`AuthenticatedRouter`'s `signatureExecutor`).
enum ConnectionLoopMethods {
    static let paths = [
        "/yibao.v1.InvoiceService/GetInvoice",
        "/yibao.v1.SettlementService/GetSettlement",
        "/yibao.v1.AccountService/GetAccount",
        "/yibao.v1.LedgerService/GetEntry",
        "/yibao.v1.LedgerService/GetTreeHead",
        "/yibao.v1.LedgerService/GetInclusionProof",
        "/yibao.v1.LedgerService/GetConsistencyProof",
    ]
}
