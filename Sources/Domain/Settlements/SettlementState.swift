import YibaoCrypto
import YibaoLedger

/// UPLOADED ──Revoke──► REVOKED (terminal). The raw value is the wire byte.
public enum SettlementStatus: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case uploaded = 1
    case revoked = 2

    public var description: String { self == .uploaded ? "UPLOADED" : "REVOKED" }
}

public enum SettlementCommand: Hashable, Sendable {
    case upload(Settlement)
    case revoke(SettlementRevocation)

    public var setlId: String {
        switch self {
        case .upload(let s): s.setlId
        case .revoke(let r): r.setlId
        }
    }

    var verb: String {
        switch self {
        case .upload: "upload"
        case .revoke: "revoke"
        }
    }
}

/// The current state of one settlement. Re-uploading identical content (same SM3 digest, same org) returns the
/// state unchanged, even after revocation (a late retry of the original upload); different content under the same
/// `setl_id` is `alreadyExists`.
public struct SettlementState: Hashable, Sendable {
    public let setlId: String
    public let fixmedinsCode: String
    public let mdtrtId: String
    public let psnNo: String
    public let uploadingOrg: String
    public let contentDigest: Digest32
    public internal(set) var status: SettlementStatus
    public internal(set) var revokingOrg: String?

    public init(setlId: String, fixmedinsCode: String, mdtrtId: String, psnNo: String, uploadingOrg: String,
                contentDigest: Digest32, status: SettlementStatus = .uploaded, revokingOrg: String? = nil) {
        self.setlId = setlId
        self.fixmedinsCode = fixmedinsCode
        self.mdtrtId = mdtrtId
        self.psnNo = psnNo
        self.uploadingOrg = uploadingOrg
        self.contentDigest = contentDigest
        self.status = status
        self.revokingOrg = revokingOrg
    }

    /// `contentDigest`: the settlement's, if already computed (`Settlement.contentDigest` hashes its canonical bytes).
    public init(uploading settlement: Settlement, by org: String, contentDigest: Digest32? = nil) {
        self.init(setlId: settlement.setlId, fixmedinsCode: settlement.fixmedinsCode, mdtrtId: settlement.mdtrtId,
                  psnNo: settlement.psnNo, uploadingOrg: org, contentDigest: contentDigest ?? settlement.contentDigest)
    }

    public var summary: String {
        status == .uploaded ? "UPLOADED by org \(uploadingOrg)" : "REVOKED by org \(revokingOrg ?? "?")"
    }

    /// `uploadedDigest`: for `.upload`, the settlement's content digest if already computed.
    public func apply(_ command: SettlementCommand, by org: String, uploadedDigest: Digest32? = nil) throws(LedgerError) -> SettlementState {
        guard command.setlId == setlId else {
            throw LedgerError(.invalidArgument, "the command names settlement \(command.setlId), not \(setlId)")
        }
        switch command {
        case .upload(let settlement):
            guard (uploadedDigest ?? settlement.contentDigest) == contentDigest, org == uploadingOrg else {
                throw LedgerError(.alreadyExists,
                                  "settlement \(setlId) already exists (\(summary)) with different content")
            }
            return self
        case .revoke(let revocation):
            guard revocation.mdtrtId == mdtrtId else {
                throw LedgerError(.invalidArgument,
                                  field: "mdtrt_id",
                                  "\(FieldChecker.quoted(revocation.mdtrtId)) does not match settlement \(setlId)")
            }
            guard revocation.psnNo == psnNo else {
                throw LedgerError(.invalidArgument, field: "psn_no", "\(FieldChecker.quoted(revocation.psnNo)) does not match settlement \(setlId)")
            }
            guard status == .uploaded else {
                throw LedgerError(.failedPrecondition, "settlement \(setlId) is \(summary); cannot revoke")
            }
            var next = self
            next.status = .revoked
            next.revokingOrg = org
            return next
        }
    }
}

public enum SettlementLifecycle {
    /// `uploadedDigest`: for `.upload`, the settlement's content digest if already computed (admission computes it).
    public static func apply(_ command: SettlementCommand, to state: SettlementState?, by org: String,
                             uploadedDigest: Digest32? = nil) throws(LedgerError) -> SettlementState {
        if let state { return try state.apply(command, by: org, uploadedDigest: uploadedDigest) }
        guard case .upload(let settlement) = command else {
            throw LedgerError(.notFound, "settlement \(command.setlId) does not exist; cannot \(command.verb)")
        }
        return SettlementState(uploading: settlement, by: org, contentDigest: uploadedDigest)
    }
}
