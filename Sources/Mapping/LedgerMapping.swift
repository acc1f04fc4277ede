import YibaoCrypto
import YibaoDomain
import YibaoLedger
import YibaoProto

/// Receipts, tree heads, proofs and entries as API messages.
package enum LedgerMapping {
    package static func receipt(_ receipt: Receipt) -> Yibao_V1_Receipt {
        var m = Yibao_V1_Receipt()
        m.txHash = receipt.transactionHash.bytes
        m.ledgerIndex = receipt.index
        m.treeSize = receipt.treeSize
        m.commitTimeMs = Int64(clamping: receipt.commitTimeMs)
        return m
    }

    package static func result(_ outcome: RecordOutcome) -> Yibao_V1_RecordResult {
        var m = Yibao_V1_RecordResult()
        switch outcome {
        case .success(let value): m.outcome = .receipt(receipt(value))
        case .failure(let error): m.outcome = .error(StatusMapping.recordError(error))
        }
        return m
    }

    package static func treeHead(_ head: SignedTreeHead, ledger: Ledger) -> Yibao_V1_SignedTreeHead {
        var m = Yibao_V1_SignedTreeHead()
        m.treeSize = head.head.treeSize
        m.timestampMs = Int64(clamping: head.head.timestampMs)
        m.root = head.head.root.bytes
        m.signature = head.signature
        m.signedBytes = head.head.signedBytes
        m.hashAlgorithm = ledger.hashing.algorithm.rawValue
        m.nodePublicKey = ledger.nodePublicKey.derRepresentation
        return m
    }

    /// A stored entry that does not decode is damage to the store, not the caller's mistake: DATA_LOSS.
    package static func entry(_ stored: StoredEntry) throws -> Yibao_V1_Entry {
        let decoded: LedgerEntry
        do {
            decoded = try stored.decoded()
        } catch {
            throw LedgerError(.dataLoss, "entry \(stored.index) is stored but does not decode: \(error)")
        }
        var m = Yibao_V1_Entry()
        m.ledgerIndex = stored.index
        m.txHash = stored.leafHash.bytes
        m.commitTimeMs = Int64(clamping: stored.commitTimeMs)
        m.leafBytes = stored.bytes
        m.kind = UInt32(decoded.kindNumber)
        m.kindName = EntryKindNames.name(decoded.kindNumber)
        m.org = decoded.org
        m.requestId = decoded.requestId
        m.position = decoded.position
        return m
    }

    package static func traceStep(_ stored: StoredEntry) throws -> Yibao_V1_TraceStep {
        let entry = try entry(stored)
        var m = Yibao_V1_TraceStep()
        m.ledgerIndex = entry.ledgerIndex
        m.txHash = entry.txHash
        m.commitTimeMs = entry.commitTimeMs
        m.kind = entry.kind
        m.kindName = entry.kindName
        m.org = entry.org
        m.requestId = entry.requestId
        return m
    }
}

/// Entry kind numbers to names, for readable traces and entries.
package enum EntryKindNames {
    private static let table: [UInt16: String] = {
        var table: [UInt16: String] = [:]
        let kinds: [EntryKind] = EntryKind.nodeWrittenKinds + [.attestation]
            + EntryKind.invoiceAndSettlementKinds + EntryKind.authorizationKinds
        for kind in kinds { table[kind.rawValue] = kind.name }
        return table
    }()

    package static func name(_ number: UInt16) -> String { table[number] ?? "kind_\(number)" }
}
