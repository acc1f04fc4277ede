import YibaoCrypto

/// Canonical bytes of the derived states, for the ledger's current-state databases. States hold no PII (the PII
/// section is empty). Optional values are a presence flag followed by the value, so nil and "" stay distinct.
extension InvoiceState {
    public var encoded: [UInt8] {
        DomainPayload.encode(.invoiceState) { w in
            w.text(key.invoiceCode)
            w.text(key.invoiceNumber)
            w.text(checkCode)
            w.u8(colour.rawValue)
            w.text(issuingOrg)
            w.digest(contentDigest)
            w.u8(status.rawValue)
            w.flag(paperExchanged)
            w.optionalText(lockingOrg)
            w.optionalText(enteringOrg)
            w.optionalKey(reversedBy)
            w.optionalKey(reverses)
            w.text(setlId)
            w.text(invoicingParty)
        }
    }

    public init(decoding bytes: [UInt8]) throws(FormatError) {
        self = try DomainPayload.decode(bytes, as: .invoiceState) { (r: inout ByteReader, _: inout ByteReader) throws(FormatError) in
            InvoiceState(key: InvoiceKey(invoiceCode: try r.text("invoice_code"), invoiceNumber: try r.text("invoice_number")),
                         checkCode: try r.text("check_code"), colour: try r.enumeration("colour", InvoiceColour.self),
                         issuingOrg: try r.text("issuing_org"), contentDigest: try r.digest(),
                         status: try r.enumeration("status", InvoiceStatus.self), paperExchanged: try r.flag("paper_exchanged"),
                         lockingOrg: try r.optionalText("locking_org"), enteringOrg: try r.optionalText("entering_org"),
                         reversedBy: try r.optionalKey("reversed_by"), reverses: try r.optionalKey("reverses"),
                         setlId: try r.text("setl_id"),
                         // Absent from states written before it was kept.
                         invoicingParty: r.isAtEnd ? "" : try r.text("invoicing_party"))
        }
    }
}

extension SettlementState {
    public var encoded: [UInt8] {
        DomainPayload.encode(.settlementState) { w in
            w.text(setlId)
            w.text(fixmedinsCode)
            w.text(mdtrtId)
            w.text(psnNo)
            w.text(uploadingOrg)
            w.digest(contentDigest)
            w.u8(status.rawValue)
            w.optionalText(revokingOrg)
        }
    }

    public init(decoding bytes: [UInt8]) throws(FormatError) {
        self = try DomainPayload.decode(bytes, as: .settlementState) { (r: inout ByteReader, _: inout ByteReader) throws(FormatError) in
            SettlementState(setlId: try r.text("setl_id"), fixmedinsCode: try r.text("fixmedins_code"),
                            mdtrtId: try r.text("mdtrt_id"), psnNo: try r.text("psn_no"),
                            uploadingOrg: try r.text("uploading_org"), contentDigest: try r.digest(),
                            status: try r.enumeration("status", SettlementStatus.self),
                            revokingOrg: try r.optionalText("revoking_org"))
        }
    }
}

extension ByteWriter {
    mutating func optionalText(_ value: String?) {
        flag(value != nil)
        if let value { text(value) }
    }

    mutating func optionalKey(_ value: InvoiceKey?) {
        flag(value != nil)
        if let value {
            text(value.invoiceCode)
            text(value.invoiceNumber)
        }
    }
}

extension ByteReader {
    mutating func optionalText(_ field: String) throws(FormatError) -> String? {
        try flag(field) ? try text(field) : nil
    }

    mutating func optionalKey(_ field: String) throws(FormatError) -> InvoiceKey? {
        guard try flag(field) else { return nil }
        return InvoiceKey(invoiceCode: try text("\(field).invoice_code"), invoiceNumber: try text("\(field).invoice_number"))
    }
}
