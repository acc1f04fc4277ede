import YibaoCrypto
import YibaoLedger

/// 归户: attaches invoices and settlements to their person's digital account, opening it the first time the
/// person is seen. Called by `InvoiceSettlementRules.apply` after an issue, reversal or upload has been written,
/// in the same transaction; it never refuses (only storage can fail), so the record lands or fails as before.
///
/// - An invoice attaches by `payer_code` (证件号) when `payer_type` is individual; without a payer_code, by its
///   `medical_insurance_id` (psn_no) if a settlement already tied that psn_no to an account. An organization's
///   invoice attaches to no one. A red invoice attaches like a blue one.
/// - A settlement attaches by `certno`, and ties its `psn_no` to that account (the first tie stays).
struct DigitalAccounts {
    let store: DigitalAccountStore
    let key: PersonIndexKey

    init(state: StateTransaction, key: PersonIndexKey) {
        store = DigitalAccountStore(state: state)
        self.key = key
    }

    /// `prepared` holds the invoice's keyed hashes (`PreparedRecord`), computed off the writer.
    func attach(invoice: Invoice, _ prepared: PreparedRecord, by record: AppliedRecord) throws {
        guard let person = try person(of: invoice, payer: prepared.person, insured: prepared.personNumber) else { return }
        try attach(person, .invoice(invoice.key), by: record)
    }

    /// `prepared`: an upload's `PreparedRecord`.
    func attach(settlement prepared: PreparedRecord, by record: AppliedRecord) throws {
        guard case .upload(let settlement) = prepared.record else { return }
        let person = prepared.person.map(PersonKey.init(digest:)) ?? key.person(certno: settlement.certno)
        try attach(person, .settlement(settlement.setlId), by: record)
        let psnNo = prepared.personNumber ?? key.psnNo(settlement.psnNo)
        if try store.person(psnNo: psnNo) == nil { try store.putPerson(person, psnNo: psnNo) }
    }

    /// The person an invoice belongs to, or nil (an organization payer, or a person not identifiable yet).
    func person(of invoice: Invoice) throws -> PersonKey? {
        guard invoice.payerType == .individual else { return nil }
        return try person(of: invoice, payer: invoice.payerCode.isEmpty ? nil : key.identifier(of: invoice.payerCode),
                    insured: invoice.medicalInsuranceId.isEmpty ? nil : key.psnNo(invoice.medicalInsuranceId))
    }

    /// `payer`, `insured`: the keyed hashes of the invoice's payer_code and medical_insurance_id, nil when empty.
    private func person(of invoice: Invoice, payer: Digest32?, insured: Digest32?) throws -> PersonKey? {
        guard invoice.payerType == .individual else { return nil }
        if let payer { return PersonKey(digest: payer) }
        guard let insured else { return nil }
        return try store.person(psnNo: insured)
    }

    private func attach(_ person: PersonKey, _ reference: AccountRecord.Reference, by record: AppliedRecord) throws {
        var account = try store.account(person)
            ?? DigitalAccount(person: person, openedIndex: record.index, openedTimeMs: record.commitTimeMs, latestIndex: record.index)
        switch reference {
        case .invoice: account.invoices += 1
        case .settlement: account.settlements += 1
        }
        account.latestIndex = record.index
        try store.putAccount(account)
        try store.addRecord(person, index: record.index, reference)
    }
}
