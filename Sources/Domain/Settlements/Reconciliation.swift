/// 票实核对 for one linked (invoice, settlement) pair: a pure comparison that reports every disagreeing field.
///
/// Interpretations where the requirements are silent:
/// - `setl_id`: compared only when the invoice carries one; an explicit link exists precisely because it did not.
/// - Date: the day (`yyyy-MM-dd`) of `setl_time` against the day of `medical_date`. They must be equal, except for
///   INPATIENT invoices, where 就诊日期 is the admission day and settlement happens at discharge: there the
///   settlement day must not be before it.
/// - Names: `fixmedins_name` vs `invoicing_party_name` always; `psn_name` vs `payer_name` only when the payer is an
///   individual (an organization paying is named as itself). Exact comparison: validation already refuses
///   surrounding whitespace and non-NFC text.
/// - Fund: the invoice's single 医保统筹基金支付 line against `fund_pay_sumamt`, all funds together, not `hifp_pay`
///   alone, which would flag every settlement with a 大病, 公务员 or 救助 share.
/// - Amounts compare exactly, to the fen.
public enum Reconciliation {
    public static func reconcile(invoice: Invoice, settlement: Settlement, settlementStatus: SettlementStatus) -> ReconciliationReport {
        var mismatches: [FieldMismatch] = []
        func text(_ field: ReconciledField, _ settlementValue: String, _ invoiceValue: String) {
            if settlementValue != invoiceValue {
                mismatches.append(FieldMismatch(field: field, settlementValue: settlementValue, invoiceValue: invoiceValue))
            }
        }
        func money(_ field: ReconciledField, _ settlementValue: Fen, _ invoiceValue: Fen) {
            if settlementValue != invoiceValue {
                mismatches.append(FieldMismatch(field: field, settlementFen: settlementValue, invoiceFen: invoiceValue))
            }
        }

        if !invoice.setlId.isEmpty { text(.setlId, settlement.setlId, invoice.setlId) }
        let settlementDay = BusinessTime.day(of: settlement.setlTime)
        let medicalDay = BusinessTime.day(of: invoice.medicalDate)
        let datesAgree = invoice.invoiceKind == .inpatient ? settlementDay >= medicalDay : settlementDay == medicalDay
        if !datesAgree {
            mismatches.append(FieldMismatch(field: .date, settlementValue: settlement.setlTime, invoiceValue: invoice.medicalDate))
        }
        text(.institutionCode, settlement.fixmedinsCode, invoice.invoicingPartyCode)
        text(.institutionName, settlement.fixmedinsName, invoice.invoicingPartyName)
        if invoice.payerType == .individual { text(.personName, settlement.psnName, invoice.payerName) }
        money(.totalAmount, settlement.medfeeSumamt, invoice.totalAmount)
        money(.fundAmount, settlement.fundPaySumamt, invoice.fundPayAmount)
        money(.accountAmount, settlement.acctPay, invoice.accountPayAmount)
        money(.cashAmount, settlement.psnCashPay, invoice.ownPayAmount)

        return ReconciliationReport(invoiceKey: invoice.key, setlId: settlement.setlId, mismatches: mismatches,
                                    linkedToRevokedSettlement: settlementStatus == .revoked)
    }
}
