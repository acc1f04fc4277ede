import YibaoCrypto
import YibaoLedger

/// An invoice or settlement record as the writer applies it: decoded, with the keyed hashes its state will need
/// already computed. Admission prepares it on the caller's thread, in parallel, so that the
/// single writer only compares and copies; on replay (the verifier) `apply` prepares it itself. Both go through
/// this one initializer, so the state written is the same either way.
/// A class: the engine keeps a batch's admitted values in an array of a type it knows only generically, where a
/// reference moves with one retain and a struct this size would be copied field by field.
public final class PreparedRecord: Sendable {
    let record: InvoiceSettlementRecord
    /// The submitting org as the permission matrix sees it (its registration cannot change between admission and
    /// the writer: the writer refuses a batch whose org re-registered meanwhile).
    let caller: Caller
    /// Keyed hash of the invoice's payer_code or the settlement's certno: its person index entry and its
    /// digital account. nil when there is no such number.
    let person: Digest32?
    /// Keyed hash of the settlement's psn_no, or of the invoice's medical_insurance_id; nil when empty, and for an
    /// invoice that does not need it: only an individual payer's invoice without a payer_code finds its person by
    /// medical_insurance_id (`DigitalAccounts`), so the others skip a MAC.
    let personNumber: Digest32?
    /// SM3 of a new invoice's or settlement's canonical bytes (`contentDigest`), which its state keeps and an
    /// identical repeat is recognised by.
    let contentDigest: Digest32?

    /// `payload`: the bytes `record` was decoded from. Decoding is canonical (bytes decode only if they are the
    /// value's one encoding), so they are the canonical bytes, and hashing them spares re-encoding every record.
    init(_ record: InvoiceSettlementRecord, payload: [UInt8], by caller: Caller, dataKey: NodeDataKey?) throws(LedgerError) {
        self.record = record
        self.caller = caller
        let personNumber: String
        let idNumber: String
        switch record {
        case .issue(let invoice), .reverse(let invoice):
            assert(invoice.encoded == payload, "an invoice decoded from bytes that are not its encoding")
            contentDigest = HashAlgorithm.sm3.hash(payload)
            idNumber = invoice.payerCode
            personNumber = invoice.payerType == .individual && invoice.payerCode.isEmpty ? invoice.medicalInsuranceId : ""
        case .upload(let settlement):
            assert(settlement.encoded == payload, "a settlement decoded from bytes that are not its encoding")
            contentDigest = HashAlgorithm.sm3.hash(payload)
            idNumber = settlement.certno
            personNumber = settlement.psnNo
        default:
            (person, self.personNumber, contentDigest) = (nil, nil, nil)
            return
        }
        guard let dataKey else { throw InvoiceSettlementStore.dataKeyNeeded }
        person = idNumber.isEmpty ? nil : dataKey.personIndex.identifier(of: idNumber)
        self.personNumber = personNumber.isEmpty ? nil : dataKey.personIndex.identifier(ofPersonNumber: personNumber)
    }
}
