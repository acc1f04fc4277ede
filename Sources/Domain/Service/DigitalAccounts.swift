import YibaoCrypto

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

    func attach(invoice: Invoice, by record: AppliedRecord) throws {
        guard let person = try person(of: invoice) else { return }
        try attach(person, .invoice(invoice.key), by: record)
    }

    func attach(settlement: Settlement, by record: AppliedRecord) throws {
        let person = key.person(certno: settlement.certno)
        try attach(person, .settlement(settlement.setlId), by: record)
        let psnNo = key.psnNo(settlement.psnNo)
        if try store.person(psnNo: psnNo) == nil { try store.putPerson(person, psnNo: psnNo) }
    }

    /// The person an invoice belongs to, or nil (an organization payer, or a person not identifiable yet).
    func person(of invoice: Invoice) throws -> PersonKey? {
        guard invoice.payerType == .individual else { return nil }
        if !invoice.payerCode.isEmpty { return key.person(certno: invoice.payerCode) }
        guard !invoice.medicalInsuranceId.isEmpty else { return nil }
        return try store.person(psnNo: key.psnNo(invoice.medicalInsuranceId))
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
