import YibaoProto

/// One consistent invoice / settlement pair (docs/requirements.md, Invoices) and variations, as API messages.
enum Records {
    static let certno = "11010519491231002X"  // the example number of GB 11643-1999
    static let hospital = EndToEndNode.Org.hospital.rawValue

    static func blueInvoice(_ number: String, setlId: String = "", checkCode: String = "a1B2c3") -> Yibao_V1_Invoice {
        var invoice = Yibao_V1_Invoice()
        invoice.invoiceCode = "46010624"
        invoice.invoiceNumber = number
        invoice.checkCode = checkCode
        invoice.invoiceKind = .outpatient
        invoice.issueTime = "2024-03-01 10:20:30"
        invoice.invoicingPartyCode = hospital
        invoice.invoicingPartyName = "海口市人民医院"
        invoice.payerType = .individual
        invoice.payerCode = certno
        invoice.payerName = "张三"
        invoice.payerPhone = "13800138000"
        invoice.busNo = "MZ-\(number)"
        invoice.totalAmount = 10_000
        invoice.fundPayAmount = 6_000
        invoice.accountPayAmount = 1_500
        invoice.ownPayAmount = 2_500
        invoice.selfPayAmount = 1_200
        invoice.medicalInsuranceType = "职工基本医疗保险"
        invoice.medicalInsuranceId = "46000012345678"
        invoice.medicalDate = "2024-03-01"
        invoice.setlId = setlId
        invoice.items = [item("A01", "西药费", 15_000, 7_000), item("B02", "检查费", 10_000, 3_000)]
        return invoice
    }

    static func redInvoice(reversing blue: Yibao_V1_Invoice, number: String) -> Yibao_V1_Invoice {
        var red = blue
        red.invoiceNumber = number
        red.checkCode = "Z9y8X7"
        red.busNo = blue.busNo + "-R"
        red.totalAmount = -blue.totalAmount
        red.fundPayAmount = -blue.fundPayAmount
        red.accountPayAmount = -blue.accountPayAmount
        red.ownPayAmount = -blue.ownPayAmount
        red.selfPayAmount = -blue.selfPayAmount
        red.items = blue.items.map { item($0.code, $0.name, -$0.quantityTenThousandths, -$0.amount) }
        red.relatedInvoiceCode = blue.invoiceCode
        red.relatedInvoiceNumber = blue.invoiceNumber
        return red
    }

    static func item(_ code: String, _ name: String, _ quantity: Int64, _ amount: Int64) -> Yibao_V1_InvoiceItem {
        var item = Yibao_V1_InvoiceItem()
        item.code = code
        item.name = name
        item.quantityTenThousandths = quantity
        item.amount = amount
        return item
    }

    static func settlement(_ setlId: String) -> Yibao_V1_Settlement {
        var s = Yibao_V1_Settlement()
        s.setlId = setlId
        s.mdtrtId = "M" + setlId.dropFirst()
        s.psnNo = "46000012345678"
        s.psnName = "张三"
        s.psnCertType = "01"
        s.certno = certno
        s.insutype = "310"
        s.psnType = "11"
        s.medType = "11"
        s.setlTime = "2024-03-01 11:00:00"
        s.fixmedinsCode = hospital
        s.fixmedinsName = "海口市人民医院"
        s.medfeeSumamt = 10_000
        s.fulamtOwnpayAmt = 500
        s.preselfpayAmt = 700
        s.inscpScpAmt = 8_800
        s.hifpPay = 5_000
        s.hifmiPay = 1_000
        s.fundPaySumamt = 6_000
        s.psnPartAmt = 4_000
        s.acctPay = 1_500
        s.psnCashPay = 2_500
        s.balc = 88_000
        s.clrType = "11"
        s.clrWay = "1"
        s.clrOptins = "460100"
        s.invono = "0000000001"
        var detail1 = Yibao_V1_FundPayDetail(), detail2 = Yibao_V1_FundPayDetail()
        detail1.fundPayType = "310100"
        detail1.fundPayamt = 5_000
        detail2.fundPayType = "390200"
        detail2.fundPayamt = 1_000
        s.details = [detail1, detail2]
        return s
    }

    static func reference(_ invoice: Yibao_V1_Invoice, checkCode: String? = nil) -> Yibao_V1_InvoiceReference {
        var reference = Yibao_V1_InvoiceReference()
        reference.invoiceCode = invoice.invoiceCode
        reference.invoiceNumber = invoice.invoiceNumber
        reference.checkCode = checkCode ?? invoice.checkCode
        return reference
    }

    static func key(_ invoice: Yibao_V1_Invoice) -> Yibao_V1_InvoiceKey {
        var key = Yibao_V1_InvoiceKey()
        key.invoiceCode = invoice.invoiceCode
        key.invoiceNumber = invoice.invoiceNumber
        return key
    }

    static func action(_ requestId: String, _ invoice: Yibao_V1_Invoice, checkCode: String? = nil) -> Yibao_V1_InvoiceActionRequest {
        var request = Yibao_V1_InvoiceActionRequest()
        request.requestId = requestId
        request.invoice = reference(invoice, checkCode: checkCode)
        return request
    }

    static func issue(_ requestId: String, _ invoices: [Yibao_V1_Invoice]) -> Yibao_V1_IssueInvoicesRequest {
        var request = Yibao_V1_IssueInvoicesRequest()
        request.requestId = requestId
        request.invoices = invoices
        return request
    }

    static func upload(_ requestId: String, _ settlements: [Yibao_V1_Settlement]) -> Yibao_V1_UploadSettlementsRequest {
        var request = Yibao_V1_UploadSettlementsRequest()
        request.requestId = requestId
        request.settlements = settlements
        return request
    }

    static func getInvoice(_ invoice: Yibao_V1_Invoice) -> Yibao_V1_GetInvoiceRequest {
        var request = Yibao_V1_GetInvoiceRequest()
        request.invoiceCode = invoice.invoiceCode
        request.invoiceNumber = invoice.invoiceNumber
        return request
    }

    /// Each record's status code, 0 for a receipt.
    static func codes(_ results: [Yibao_V1_RecordResult]) -> [Int32] {
        results.map { if case .error(let error) = $0.outcome { error.code } else { 0 } }
    }

    static func receipts(_ results: [Yibao_V1_RecordResult]) -> [Yibao_V1_Receipt] {
        results.compactMap { if case .receipt(let receipt) = $0.outcome { receipt } else { nil } }
    }
}
