import YibaoDomain
import YibaoLedger

/// The API's invoice messages (swift-protobuf types here) to and from the domain's values: the work the node's
/// own InvoiceMapping does, so both servers pay for the same conversions.
enum InvoiceMessages {
    static func invoice(_ m: Yibao_V1_Invoice) throws(LedgerError) -> Invoice {
        let kind: InvoiceKind
        switch m.invoiceKind {
        case .outpatient: kind = .outpatient
        case .inpatient: kind = .inpatient
        case .registration: kind = .registration
        case .checkup: kind = .checkup
        default: throw LedgerError(.invalidArgument, "invoice_kind: must be OUTPATIENT, INPATIENT, REGISTRATION or CHECKUP")
        }
        let payer: PayerType
        switch m.payerType {
        case .individual: payer = .individual
        case .organization: payer = .organization
        default: throw LedgerError(.invalidArgument, "payer_type: must be INDIVIDUAL or ORGANIZATION")
        }
        return Invoice(invoiceCode: m.invoiceCode, invoiceNumber: m.invoiceNumber, checkCode: m.checkCode, colour: .blue,
                       invoiceKind: kind, issueTime: m.issueTime, invoicingPartyCode: m.invoicingPartyCode,
                       invoicingPartyName: m.invoicingPartyName, payerType: payer, payerCode: m.payerCode,
                       payerName: m.payerName, payerPhone: m.payerPhone, busNo: m.busNo, totalAmount: m.totalAmount,
                       fundPayAmount: m.fundPayAmount, accountPayAmount: m.accountPayAmount, ownPayAmount: m.ownPayAmount,
                       selfPayAmount: m.selfPayAmount, otherPayAmount: m.otherPayAmount,
                       medicalInsuranceType: m.medicalInsuranceType, medicalInsuranceId: m.medicalInsuranceID,
                       medicalDate: m.medicalDate, setlId: m.setlID,
                       items: m.items.map { InvoiceItem(code: $0.code, name: $0.name,
                                                        quantity: ItemQuantity(tenThousandths: $0.quantityTenThousandths),
                                                        amount: $0.amount) },
                       relatedInvoiceCode: m.relatedInvoiceCode, relatedInvoiceNumber: m.relatedInvoiceNumber,
                       rawDocument: Array(m.rawDocument))
    }

    static func message(_ invoice: Invoice) -> Yibao_V1_Invoice {
        var m = Yibao_V1_Invoice()
        m.invoiceCode = invoice.invoiceCode
        m.invoiceNumber = invoice.invoiceNumber
        m.checkCode = invoice.checkCode
        m.invoiceKind = Yibao_V1_InvoiceKind(rawValue: Int(invoice.invoiceKind.rawValue)) ?? .unspecified
        m.issueTime = invoice.issueTime
        m.invoicingPartyCode = invoice.invoicingPartyCode
        m.invoicingPartyName = invoice.invoicingPartyName
        m.payerType = invoice.payerType == .individual ? .individual : .organization
        m.payerCode = invoice.payerCode
        m.payerName = invoice.payerName
        m.payerPhone = invoice.payerPhone
        m.busNo = invoice.busNo
        m.totalAmount = invoice.totalAmount
        m.fundPayAmount = invoice.fundPayAmount
        m.accountPayAmount = invoice.accountPayAmount
        m.ownPayAmount = invoice.ownPayAmount
        m.selfPayAmount = invoice.selfPayAmount
        m.otherPayAmount = invoice.otherPayAmount
        m.medicalInsuranceType = invoice.medicalInsuranceType
        m.medicalInsuranceID = invoice.medicalInsuranceId
        m.medicalDate = invoice.medicalDate
        m.setlID = invoice.setlId
        m.items = invoice.items.map { item in
            var i = Yibao_V1_InvoiceItem()
            i.code = item.code
            i.name = item.name
            i.quantityTenThousandths = item.quantity.tenThousandths
            i.amount = item.amount
            return i
        }
        return m
    }
}
