import YibaoRPC

/// The methods whose handlers run on their call's connection event loop (`RPCHandlerPlacement.connectionLoop`):
/// point reads that answer from one LMDB snapshot in tens of microseconds, where the hop to a handler thread and
/// back costs more than the read. Writes, batches, traces, listings and streams stay on the handler threads, so a
/// 1,000-record admission never holds up a connection's socket I/O. Signed calls verify off the loop
/// (`AuthenticatedRouter`'s `signatureExecutor`).
enum ConnectionLoopMethods {
    static let paths = [
        Yibao_V1_InvoiceServicePaths.getInvoice,
        Yibao_V1_SettlementServicePaths.getSettlement,
        Yibao_V1_AccountServicePaths.getAccount,
        Yibao_V1_LedgerServicePaths.getEntry,
        Yibao_V1_LedgerServicePaths.getTreeHead,
        Yibao_V1_LedgerServicePaths.getInclusionProof,
        Yibao_V1_LedgerServicePaths.getConsistencyProof,
    ]
}
