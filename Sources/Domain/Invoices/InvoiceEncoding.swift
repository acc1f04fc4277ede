import YibaoCrypto

/// Canonical bytes of an invoice (tag `invoice`). Public section, in order: invoice_code, invoice_number,
/// check_code, colour u8, invoice_kind u8, issue_time, invoicing_party_code, invoicing_party_name, payer_type u8,
/// bus_no, total/fund/account/own/self/other amounts (i64), medical_insurance_type, medical_insurance_id,
/// medical_date, setl_id, items (u32 count; code, name, quantity i64, amount i64), related_invoice_code,
/// related_invoice_number. PII section: payer_code, payer_name, payer_phone, raw_document.
extension Invoice {
    /// Smallest encoded item: two empty texts and two i64.
    static let minimumItemBytes = 4 + 4 + 8 + 8

    public var encoded: [UInt8] {
        DomainPayload.encode(.invoice, capacity: 512 + items.count * 64) { w in
            w.text(invoiceCode)
            w.text(invoiceNumber)
            w.text(checkCode)
            w.u8(colour.rawValue)
            w.u8(invoiceKind.rawValue)
            w.text(issueTime)
            w.text(invoicingPartyCode)
            w.text(invoicingPartyName)
            w.u8(payerType.rawValue)
            w.text(busNo)
            for amount in [totalAmount, fundPayAmount, accountPayAmount, ownPayAmount, selfPayAmount, otherPayAmount] {
                w.fen(amount)
            }
            w.text(medicalInsuranceType)
            w.text(medicalInsuranceId)
            w.text(medicalDate)
            w.text(setlId)
            w.count(items.count)
            for item in items {
                w.text(item.code)
                w.text(item.name)
                w.u64(UInt64(bitPattern: item.quantity.tenThousandths))
                w.fen(item.amount)
            }
            w.text(relatedInvoiceCode)
            w.text(relatedInvoiceNumber)
        } pii: { w in
            w.text(payerCode)
            w.text(payerName)
            w.text(payerPhone)
            w.blob(rawDocument)
        }
    }

    /// Decodes the canonical bytes; checks shape only, so call `validate` on the result.
    public init(decoding bytes: [UInt8]) throws(FormatError) {
        self = try DomainPayload.decode(bytes, as: .invoice) { (r: inout ByteReader, pii: inout ByteReader) throws(FormatError) in
            var invoice = Invoice(invoiceCode: try r.text("invoice_code"), invoiceNumber: try r.text("invoice_number"),
                                  checkCode: try r.text("check_code"), colour: try r.enumeration("colour", InvoiceColour.self),
                                  invoiceKind: try r.enumeration("invoice_kind", InvoiceKind.self),
                                  issueTime: try r.text("issue_time"), invoicingPartyCode: try r.text("invoicing_party_code"),
                                  invoicingPartyName: try r.text("invoicing_party_name"),
                                  payerType: try r.enumeration("payer_type", PayerType.self), payerName: "",
                                  busNo: try r.text("bus_no"), totalAmount: try r.fen(), medicalDate: "")
            invoice.fundPayAmount = try r.fen()
            invoice.accountPayAmount = try r.fen()
            invoice.ownPayAmount = try r.fen()
            invoice.selfPayAmount = try r.fen()
            invoice.otherPayAmount = try r.fen()
            invoice.medicalInsuranceType = try r.text("medical_insurance_type")
            invoice.medicalInsuranceId = try r.text("medical_insurance_id")
            invoice.medicalDate = try r.text("medical_date")
            invoice.setlId = try r.text("setl_id")
            let itemCount = try r.count("items", limit: DomainLimits.maxItems, minimumBytes: Invoice.minimumItemBytes)
            invoice.items.reserveCapacity(itemCount)
            for _ in 0..<itemCount {
                invoice.items.append(InvoiceItem(code: try r.text("items.code"), name: try r.text("items.name"),
                                                 quantity: ItemQuantity(tenThousandths: Int64(bitPattern: try r.u64())),
                                                 amount: try r.fen()))
            }
            invoice.relatedInvoiceCode = try r.text("related_invoice_code")
            invoice.relatedInvoiceNumber = try r.text("related_invoice_number")
            invoice.payerCode = try pii.text("payer_code")
            invoice.payerName = try pii.text("payer_name")
            invoice.payerPhone = try pii.text("payer_phone")
            invoice.rawDocument = try pii.blob("raw_document")
            return invoice
        }
    }

    /// SM3 of the canonical bytes: tells an identical re-issue from a different invoice under the same key.
    public var contentDigest: Digest32 { HashAlgorithm.sm3.hash(encoded) }
}
