import YibaoCrypto

/// An invoice or settlement record as the writer applies it: decoded, with the keyed hashes and the sealed copy
/// its state will need already computed. Admission prepares it on the caller's thread, in parallel, so that the
/// single writer only compares and copies; on replay (the verifier) `apply` prepares it itself. Both go through
/// this one initializer, so the state written is the same either way.
struct PreparedRecord: Sendable {
    let record: InvoiceSettlementRecord
    /// The submitting org as the permission matrix sees it (its registration cannot change between admission and
    /// the writer: the writer refuses a batch whose org re-registered meanwhile).
    let caller: Caller
    /// A new invoice's or settlement's payload with its PII section sealed for `invoice_records` or
    /// `settlement_records`; nil for records that store no payload.
    let sealedPayload: [UInt8]?
    /// Keyed hash of the invoice's payer_code or the settlement's certno: its person index entry and its
    /// digital account. nil when there is no such number.
    let person: Digest32?
    /// Keyed hash of the settlement's psn_no, or of the invoice's medical_insurance_id; nil when empty.
    let personNumber: Digest32?

    init(_ record: InvoiceSettlementRecord, by caller: Caller, payload: [UInt8], transactionHash: Digest32,
         dataKey: NodeDataKey?) throws {
        self.record = record
        self.caller = caller
        let personNumber: String
        let idNumber: String
        switch record {
        case .issue(let invoice), .reverse(let invoice):
            sealedPayload = try InvoiceSettlementStore.sealed(payload, from: transactionHash, dataKey: dataKey,
                                                              in: InvoiceSettlementStore.invoiceRecords,
                                                              key: InvoiceSettlementStateKeys.invoice(invoice.key))
            idNumber = invoice.payerCode
            personNumber = invoice.medicalInsuranceId
        case .upload(let settlement):
            sealedPayload = try InvoiceSettlementStore.sealed(payload, from: transactionHash, dataKey: dataKey,
                                                              in: InvoiceSettlementStore.settlementRecords,
                                                              key: InvoiceSettlementStateKeys.settlement(settlement.setlId))
            idNumber = settlement.certno
            personNumber = settlement.psnNo
        default:
            (sealedPayload, person, self.personNumber) = (nil, nil, nil)
            return
        }
        guard let dataKey else { throw InvoiceSettlementStore.dataKeyNeeded }
        person = idNumber.isEmpty ? nil : dataKey.personIndex.identifier(of: idNumber)
        self.personNumber = personNumber.isEmpty ? nil : dataKey.personIndex.identifier(ofPersonNumber: personNumber)
    }
}
