import YibaoDomain
import YibaoLedger
import YibaoProto

/// Invoices between the API messages and the domain's values.
public enum InvoiceMapping {
    package static func invoice(_ m: Yibao_V1_Invoice, colour: InvoiceColour, at path: String) throws(LedgerError) -> Invoice {
        Invoice(invoiceCode: m.invoiceCode, invoiceNumber: m.invoiceNumber, checkCode: m.checkCode, colour: colour,
                invoiceKind: try kind(m.invoiceKind, at: FieldPath.join(path, "invoice_kind")),
                issueTime: m.issueTime, invoicingPartyCode: m.invoicingPartyCode, invoicingPartyName: m.invoicingPartyName,
                payerType: try payerType(m.payerType, at: FieldPath.join(path, "payer_type")),
                payerCode: m.payerCode, payerName: m.payerName, payerPhone: m.payerPhone, busNo: m.busNo,
                totalAmount: m.totalAmount, fundPayAmount: m.fundPayAmount, accountPayAmount: m.accountPayAmount,
                ownPayAmount: m.ownPayAmount, selfPayAmount: m.selfPayAmount, otherPayAmount: m.otherPayAmount,
                medicalInsuranceType: m.medicalInsuranceType, medicalInsuranceId: m.medicalInsuranceId,
                medicalDate: m.medicalDate, setlId: m.setlId,
                items: m.items.map { InvoiceItem(code: $0.code, name: $0.name,
                                                 quantity: ItemQuantity(tenThousandths: $0.quantityTenThousandths),
                                                 amount: $0.amount) },
                relatedInvoiceCode: m.relatedInvoiceCode, relatedInvoiceNumber: m.relatedInvoiceNumber,
                rawDocument: m.rawDocument)
    }

    public static func message(_ invoice: Invoice) -> Yibao_V1_Invoice {
        var m = Yibao_V1_Invoice()
        m.invoiceCode = invoice.invoiceCode
        m.invoiceNumber = invoice.invoiceNumber
        m.checkCode = invoice.checkCode
        m.invoiceKind = Yibao_V1_InvoiceKind(rawValue: Int32(invoice.invoiceKind.rawValue))
        m.issueTime = invoice.issueTime
        m.invoicingPartyCode = invoice.invoicingPartyCode
        m.invoicingPartyName = invoice.invoicingPartyName
        m.payerType = Yibao_V1_PayerType(rawValue: Int32(invoice.payerType.rawValue))
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
        m.medicalInsuranceId = invoice.medicalInsuranceId
        m.medicalDate = invoice.medicalDate
        m.setlId = invoice.setlId
        m.items = invoice.items.map { item in
            var i = Yibao_V1_InvoiceItem()
            i.code = item.code
            i.name = item.name
            i.quantityTenThousandths = item.quantity.tenThousandths
            i.amount = item.amount
            return i
        }
        m.relatedInvoiceCode = invoice.relatedInvoiceCode
        m.relatedInvoiceNumber = invoice.relatedInvoiceNumber
        m.rawDocument = invoice.rawDocument
        return m
    }

    package static func state(_ state: InvoiceState) -> Yibao_V1_InvoiceState {
        var m = Yibao_V1_InvoiceState()
        m.status = Yibao_V1_InvoiceStatus(rawValue: Int32(state.status.rawValue))
        m.colour = Yibao_V1_InvoiceColour(rawValue: Int32(state.colour.rawValue))
        m.issuingOrg = state.issuingOrg
        m.paperExchanged = state.paperExchanged
        m.reversed = state.status == .reversed
        m.lockingOrg = state.lockingOrg ?? ""
        m.enteringOrg = state.enteringOrg ?? ""
        m.reversedBy = state.reversedBy.map(key)
        m.reverses = state.reverses.map(key)
        m.setlId = state.setlId
        m.summary = state.summary
        return m
    }

    package static func key(_ key: InvoiceKey) -> Yibao_V1_InvoiceKey {
        var m = Yibao_V1_InvoiceKey()
        m.invoiceCode = key.invoiceCode
        m.invoiceNumber = key.invoiceNumber
        return m
    }

    package static func key(_ m: Yibao_V1_InvoiceKey?, at path: String) throws(LedgerError) -> InvoiceKey {
        let m = try FieldPath.required(m, path)
        return InvoiceKey(invoiceCode: m.invoiceCode, invoiceNumber: m.invoiceNumber)
    }

    package static func reference(_ m: Yibao_V1_InvoiceReference?, at path: String) throws(LedgerError) -> InvoiceReference {
        let m = try FieldPath.required(m, path)
        return InvoiceReference(invoiceCode: m.invoiceCode, invoiceNumber: m.invoiceNumber, checkCode: m.checkCode)
    }

    private static func kind(_ kind: Yibao_V1_InvoiceKind, at path: String) throws(LedgerError) -> InvoiceKind {
        guard kind.rawValue >= 0, kind.rawValue <= Int32(UInt8.max), let value = InvoiceKind(rawValue: UInt8(kind.rawValue)) else {
            throw FieldPath.invalid(path, "must be OUTPATIENT, INPATIENT, REGISTRATION or CHECKUP, got \(kind.rawValue)")
        }
        return value
    }

    private static func payerType(_ type: Yibao_V1_PayerType, at path: String) throws(LedgerError) -> PayerType {
        guard type.rawValue >= 0, type.rawValue <= Int32(UInt8.max), let value = PayerType(rawValue: UInt8(type.rawValue)) else {
            throw FieldPath.invalid(path, "must be INDIVIDUAL or ORGANIZATION, got \(type.rawValue)")
        }
        return value
    }
}
