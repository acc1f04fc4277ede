import YibaoCrypto

/// Look-ups by ID number, through the keyed index (`PersonIndexKey`): the store holds only HMAC-SM3 of the
/// number, so these are the only way from a person to their records. Reads are not authorized here (see the
/// service); a PII read is the front end's to audit.
extension InvoiceSettlementService {
    /// Invoices whose payer_code is `payerCode` (an individual payer's ID number), in invoice key order.
    public func invoices(ofPayer payerCode: String, limit: Int = maxTracePage) throws -> [InvoiceKey] {
        try ledger.readState { state in
            try InvoiceSettlementStore(state: state).personRecords(payerCode, .invoice, limit: min(max(limit, 0), Self.maxTracePage))
                .map { key in
                    try key.withUnsafeBytes { buffer in
                        var r = ByteReader(buffer)
                        return try InvoiceSettlementStateKeys.readInvoice(&r)
                    }
                }
        }
    }

    /// Settlements whose certno is `certno`, in setl_id order.
    public func settlements(ofPerson certno: String, limit: Int = maxTracePage) throws -> [String] {
        try ledger.readState { state in
            try InvoiceSettlementStore(state: state).personRecords(certno, .settlement, limit: min(max(limit, 0), Self.maxTracePage))
                .map { key in
                    try key.withUnsafeBytes { buffer in
                        var r = ByteReader(buffer)
                        return try r.shortField()
                    }
                }
        }
    }
}
