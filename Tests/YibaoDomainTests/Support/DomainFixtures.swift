import YibaoCrypto
@testable import YibaoDomain

/// One consistent invoice / settlement pair and the orgs that act on them.
enum DomainFixtures {
    static let hospital = "H46010600001"
    static let platform = "F46000000001"
    static let validCertno = "11010519491231002X"  // the example number of GB 11643-1999 itself

    static let blueKey = InvoiceKey(invoiceCode: "46010624", invoiceNumber: "0000000001")
    static let redKey = InvoiceKey(invoiceCode: "46010624", invoiceNumber: "0000000002")

    static func blueInvoice() -> Invoice {
        Invoice(invoiceCode: "46010624", invoiceNumber: "0000000001", checkCode: "a1B2c3", invoiceKind: .outpatient,
                issueTime: "2024-03-01 10:20:30", invoicingPartyCode: hospital, invoicingPartyName: "海口市人民医院",
                payerType: .individual, payerCode: validCertno, payerName: "张三", payerPhone: "13800138000",
                busNo: "MZ-2024-000001", totalAmount: 10_000, fundPayAmount: 6_000, accountPayAmount: 1_500,
                ownPayAmount: 2_500, selfPayAmount: 1_200, otherPayAmount: 0, medicalInsuranceType: "职工基本医疗保险",
                medicalInsuranceId: "46000012345678", medicalDate: "2024-03-01", setlId: "S460106202403010001",
                items: [InvoiceItem(code: "A01", name: "西药费", quantity: ItemQuantity(tenThousandths: 15_000), amount: 7_000),
                        InvoiceItem(code: "B02", name: "检查费", quantity: ItemQuantity(whole: 1), amount: 3_000)])
    }

    /// The red invoice reversing `blueInvoice()`.
    static func redInvoice() -> Invoice {
        var red = blueInvoice()
        red.invoiceNumber = redKey.invoiceNumber
        red.checkCode = "Z9y8X7"
        red.colour = .red
        red.busNo = "MZ-2024-000001-R"
        red.totalAmount = -10_000
        red.fundPayAmount = -6_000
        red.accountPayAmount = -1_500
        red.ownPayAmount = -2_500
        red.selfPayAmount = -1_200
        red.items = red.items.map {
            InvoiceItem(code: $0.code, name: $0.name, quantity: ItemQuantity(tenThousandths: -$0.quantity.tenThousandths),
                        amount: -$0.amount)
        }
        red.relatedInvoiceCode = blueKey.invoiceCode
        red.relatedInvoiceNumber = blueKey.invoiceNumber
        return red
    }

    static func settlement() -> Settlement {
        Settlement(setlId: "S460106202403010001", mdtrtId: "M460106202403010001", psnNo: "46000012345678",
                   psnName: "张三", psnCertType: .residentIDCard, certno: validCertno, insutype: "310", psnType: "11",
                   medType: "11", setlTime: "2024-03-01 11:00:00", fixmedinsCode: hospital,
                   fixmedinsName: "海口市人民医院", medfeeSumamt: 10_000, fulamtOwnpayAmt: 500, overlmtSelfpay: 0,
                   preselfpayAmt: 700, inscpScpAmt: 8_800, actPayDedc: 0, hifpPay: 5_000, cvlservPay: 0, hifesPay: 0,
                   hifmiPay: 1_000, hifobPay: 0, mafPay: 0, othPay: 0, fundPaySumamt: 6_000, psnPartAmt: 4_000,
                   acctPay: 1_500, psnCashPay: 2_500, hospPartAmt: 0, balc: 88_000, clrType: "11", clrWay: "1",
                   clrOptins: "460100", invono: "0000000001",
                   details: [FundPayDetail(fundPayType: "310100", fundPayamt: 5_000),
                             FundPayDetail(fundPayType: "390200", fundPayamt: 1_000)])
    }

    static func reference(_ key: InvoiceKey = blueKey, checkCode: String = "a1B2c3") -> InvoiceReference {
        InvoiceReference(invoiceCode: key.invoiceCode, invoiceNumber: key.invoiceNumber, checkCode: checkCode)
    }
}
