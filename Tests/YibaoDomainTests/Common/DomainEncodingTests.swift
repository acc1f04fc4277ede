import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoDomain

/// Round trips, canonical bytes, the PII section, and hostile bytes that must fail cleanly, never crash.
@Suite struct DomainEncodingTests {
    /// Every domain decoder, as "decode, then re-encode": nil if the bytes were refused.
    static let decoders: [(String, @Sendable ([UInt8]) -> [UInt8]?)] = [
        ("invoice", { try? Invoice(decoding: $0).encoded }),
        ("settlement", { try? Settlement(decoding: $0).encoded }),
        ("status change", { try? InvoiceStatusChange(decoding: $0).encoded }),
        ("paper exchange", { try? PaperExchange(decoding: $0).encoded }),
        ("link", { try? InvoiceSettlementLink(decoding: $0).encoded }),
        ("revocation", { try? SettlementRevocation(decoding: $0).encoded }),
        ("invoice state", { try? InvoiceState(decoding: $0).encoded }),
        ("settlement state", { try? SettlementState(decoding: $0).encoded }),
    ]

    /// Text fields decode only from valid UTF-8: every malformed form is refused (not repaired), including one whose
    /// U+FFFD repair has the same byte count, and valid text of any script comes back byte for byte.
    @Test func textFieldsRefuseEveryMalformedUTF8() throws {
        func decode(_ bytes: [UInt8]) throws -> String {
            var writer = ByteWriter()
            writer.u32(UInt32(bytes.count))
            writer.raw(bytes)
            return try writer.bytes.withUnsafeBytes { raw in
                var reader = ByteReader(raw)
                return try reader.text("field")
            }
        }
        let malformed: [[UInt8]] = [
            [0x80], [0x61, 0xBF, 0x62], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
            [0xF0, 0x9F, 0x98], [0xE5, 0xBC], [0xFF], [0xFE, 0xFF], Array(Array("张三".utf8).dropLast()),
        ]
        for bytes in malformed {
            #expect(throws: FormatError.self, "\(bytes)") { _ = try decode(bytes) }
        }
        for text in ["", "H46010600123", "张三丰 北京市第一人民医院", "复方甘草片 100片/瓶", "😀 é ß"] {
            #expect(try decode(Array(text.utf8)) == text)
        }
    }

    /// One valid encoding of every payload type.
    static func samples() -> [[UInt8]] {
        var invoice = DomainFixtures.blueInvoice()
        invoice.rawDocument = Array("<EInvoice><Payer>张三</Payer></EInvoice>".utf8)
        var remote = DomainFixtures.settlement()
        remote.isRemote = true
        remote.insuplcAdmdvs = "110105"
        var state = InvoiceState(issuing: invoice, by: "F1")
        state = try! state.apply(.lock(DomainFixtures.reference()), by: "B1")
        var settlementState = SettlementState(uploading: remote, by: "H1")
        settlementState.status = .revoked
        settlementState.revokingOrg = "B1"
        return [
            invoice.encoded, DomainFixtures.redInvoice().encoded, remote.encoded, DomainFixtures.settlement().encoded,
            InvoiceStatusChange(action: .recordEntry, reference: DomainFixtures.reference(), operatedTime: "2024-03-02 08:00:00",
                                remark: "入账").encoded,
            PaperExchange(reference: DomainFixtures.reference(), exchangeTime: "2024-03-02 09:00:00", paperInvoiceCode: "46010624",
                          paperInvoiceNumber: "P000001").encoded,
            InvoiceSettlementLink(reference: DomainFixtures.reference(), setlId: "S1").encoded,
            SettlementRevocation(setlId: "S1", mdtrtId: "M1", psnNo: "P1", revokeTime: "2024-03-02 10:00:00", reason: "退费").encoded,
            state.encoded, settlementState.encoded,
            InvoiceState(issuing: DomainFixtures.redInvoice(), by: "F1").encoded,
        ]
    }

    @Test func recordsRoundTrip() throws {
        var invoice = DomainFixtures.blueInvoice()
        invoice.rawDocument = [0, 1, 2, 0xff]
        #expect(try Invoice(decoding: invoice.encoded) == invoice)
        #expect(try Invoice(decoding: DomainFixtures.redInvoice().encoded) == DomainFixtures.redInvoice())
        var settlement = DomainFixtures.settlement()
        settlement.isRemote = true
        settlement.insuplcAdmdvs = "110105"
        settlement.psnCertType = .taiwanPermit
        #expect(try Settlement(decoding: settlement.encoded) == settlement)
    }

    @Test func operationsAndStatesRoundTrip() throws {
        for action in InvoiceAction.allCases {
            let change = InvoiceStatusChange(action: action, reference: DomainFixtures.reference(), remark: "r")
            #expect(try InvoiceStatusChange(decoding: change.encoded) == change)
        }
        let exchange = PaperExchange(reference: DomainFixtures.reference(), exchangeTime: "2024-03-02 09:00:00")
        #expect(try PaperExchange(decoding: exchange.encoded) == exchange)
        let link = InvoiceSettlementLink(reference: DomainFixtures.reference(), setlId: "S1")
        #expect(try InvoiceSettlementLink(decoding: link.encoded) == link)
        let revocation = SettlementRevocation(setlId: "S1", mdtrtId: "M1", psnNo: "P1", revokeTime: "2024-03-02 10:00:00")
        #expect(try SettlementRevocation(decoding: revocation.encoded) == revocation)

        var state = InvoiceState(issuing: DomainFixtures.blueInvoice(), by: "F1")
        state = try state.apply(.lock(DomainFixtures.reference()), by: "B1")
        state = try state.apply(.recordEntry(DomainFixtures.reference()), by: "B1")
        #expect(try InvoiceState(decoding: state.encoded) == state)
        let reversed = try InvoiceState(issuing: DomainFixtures.blueInvoice(), by: "F1")
            .apply(.reverse(by: DomainFixtures.redInvoice()), by: "F1")
        #expect(try InvoiceState(decoding: reversed.encoded) == reversed)
        let settlementState = SettlementState(uploading: DomainFixtures.settlement(), by: "H1")
        #expect(try SettlementState(decoding: settlementState.encoded) == settlementState)
    }

    /// An invoice state keeps its invoicing party (the owner the permission matrix checks on a status change);
    /// a state stored before it was kept still decodes, with it empty, and the writer then reads the owner from
    /// the invoice record.
    @Test func invoiceStateKeepsItsOwnerAndOlderStatesStillDecode() throws {
        let invoice = DomainFixtures.blueInvoice()
        let state = InvoiceState(issuing: invoice, by: "F1")
        #expect(state.invoicingParty == invoice.invoicingPartyCode)
        #expect(try InvoiceState(decoding: state.encoded).invoicingParty == invoice.invoicingPartyCode)
        let older = DomainPayload.encode(.invoiceState) { w in
            w.text(state.key.invoiceCode)
            w.text(state.key.invoiceNumber)
            w.text(state.checkCode)
            w.u8(state.colour.rawValue)
            w.text(state.issuingOrg)
            w.digest(state.contentDigest)
            w.u8(state.status.rawValue)
            w.flag(false)
            w.optionalText(nil)
            w.optionalText(nil)
            w.optionalKey(nil)
            w.optionalKey(nil)
            w.text(state.setlId)
        }
        let decoded = try InvoiceState(decoding: older)
        #expect(decoded.invoicingParty == "")
        #expect(decoded.key == state.key && decoded.status == .issued && decoded.contentDigest == state.contentDigest)
    }

    @Test func sameValueSameBytes() {
        #expect(DomainFixtures.blueInvoice().encoded == DomainFixtures.blueInvoice().encoded)
        #expect(DomainFixtures.blueInvoice().contentDigest == DomainFixtures.blueInvoice().contentDigest)
        var other = DomainFixtures.blueInvoice()
        other.items[0].quantity = ItemQuantity(tenThousandths: 15_001)
        #expect(other.encoded != DomainFixtures.blueInvoice().encoded)
        for sample in Self.samples() {
            let tag = try! DomainPayload.tag(of: sample)
            let reencoded = Self.decoders.compactMap { $0.1(sample) }
            #expect(reencoded == [sample], "\(tag)")
        }
    }

    @Test func piiLivesInTheTrailingSection() throws {
        let invoice = DomainFixtures.blueInvoice()
        let bytes = invoice.encoded
        let pii = try DomainPayload.piiSectionRange(of: bytes)
        #expect(pii.upperBound == bytes.count)
        let publicPart = Array(bytes[..<pii.lowerBound])
        let piiPart = Array(bytes[pii])
        for secret in [invoice.payerName, invoice.payerCode, invoice.payerPhone] {
            #expect(!publicPart.contains(subsequence: Array(secret.utf8)), "\(secret) in the public section")
            #expect(piiPart.contains(subsequence: Array(secret.utf8)))
        }
        let settlement = DomainFixtures.settlement()
        let settlementBytes = settlement.encoded
        let settlementPII = try DomainPayload.piiSectionRange(of: settlementBytes)
        #expect(!Array(settlementBytes[..<settlementPII.lowerBound]).contains(subsequence: Array(settlement.certno.utf8)))
        #expect(!Array(settlementBytes[..<settlementPII.lowerBound]).contains(subsequence: Array(settlement.psnName.utf8)))
        #expect(Array(settlementBytes[settlementPII]).contains(subsequence: Array(settlement.certno.utf8)))
        // Operation payloads carry no PII: an empty trailing section.
        let change = InvoiceStatusChange(action: .lock, reference: DomainFixtures.reference()).encoded
        #expect(try DomainPayload.piiSectionRange(of: change).isEmpty)
    }

    @Test func hostileShapesAreRefused() {
        let good = DomainFixtures.blueInvoice().encoded
        #expect(throws: FormatError.self) { try Invoice(decoding: good + [0]) }
        #expect(throws: FormatError.self) { try Invoice(decoding: []) }
        #expect(throws: FormatError.self) { try Settlement(decoding: good) }  // wrong tag
        var badFormat = good
        badFormat[0] = 2
        #expect(throws: FormatError.self) { try Invoice(decoding: badFormat) }
        for cut in 0..<good.count {
            #expect(throws: FormatError.self) { try Invoice(decoding: Array(good[..<cut])) }
        }
        // Invalid UTF-8 in a text field is refused, never silently replaced.
        let codeStart = 2 + 4 + 4
        var badUTF8 = good
        badUTF8[codeStart] = 0xff
        #expect(throws: FormatError.self) { try Invoice(decoding: badUTF8) }
        // A flag byte other than 0 or 1: is_remote is the one byte that differs between these two encodings.
        var remote = DomainFixtures.settlement()
        remote.isRemote = true
        let local = DomainFixtures.settlement().encoded
        var flagBytes = remote.encoded
        let flagOffsets = flagBytes.indices.filter { flagBytes[$0] != local[$0] }
        #expect(flagOffsets.count == 1)
        flagBytes[flagOffsets[0]] = 2
        #expect(throws: FormatError.self) { try Settlement(decoding: flagBytes) }
        // An action byte that names no action.
        let change = InvoiceStatusChange(action: .lock, reference: DomainFixtures.reference()).encoded
        var badAction = change
        badAction[2 + 4] = 9
        #expect(throws: FormatError.self) { try InvoiceStatusChange(decoding: badAction) }
    }

    @Test func hugeCountsAreRefusedBeforeAllocating() {
        var invoice = DomainFixtures.blueInvoice()
        invoice.items = []
        invoice.relatedInvoiceCode = ""
        let bytes = invoice.encoded
        // items count is followed by two empty texts (8 bytes) at the end of the public section.
        let pii = try! DomainPayload.piiSectionRange(of: bytes)
        let countOffset = pii.lowerBound - 4 - 8 - 4
        var hostile = bytes
        hostile.replaceSubrange(countOffset..<countOffset + 4, with: [0xff, 0xff, 0xff, 0xff])
        #expect(throws: FormatError.self) { try Invoice(decoding: hostile) }
        hostile.replaceSubrange(countOffset..<countOffset + 4, with: [0, 0, 1, 0xf4])  // 500: within the limit, not the bytes
        #expect(throws: FormatError.self) { try Invoice(decoding: hostile) }
    }

    /// Thousands of random inputs and mutations of valid encodings through every decoder: nothing crashes, and
    /// whatever decodes re-encodes to exactly the same bytes (the encoding is canonical).
    @Test func fuzzedBytesNeverCrashAndDecodeCanonically() {
        var random = SplitMix64(seed: 0x5EED_1B40)
        let samples = Self.samples()
        var decoded = 0
        for round in 0..<6_000 {
            var input: [UInt8]
            switch round % 3 {
            case 0:
                input = (0..<Int.random(in: 0..<300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                if input.count >= 2, round % 2 == 0 {  // a plausible envelope, so the decoders get past the first bytes
                    input[0] = DomainPayload.format
                    input[1] = DomainPayload.Tag.allCases.randomElement(using: &random)!.rawValue
                }
            case 1:
                input = samples.randomElement(using: &random)!
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    input[Int.random(in: 0..<input.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            default:
                input = samples.randomElement(using: &random)!
                let at = Int.random(in: 0..<input.count, using: &random)
                if Bool.random(using: &random) {
                    input.removeSubrange(at..<min(input.count, at + Int.random(in: 1...8, using: &random)))
                } else {
                    input.insert(contentsOf: (0..<Int.random(in: 1...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }, at: at)
                }
            }
            for (name, decode) in Self.decoders {
                if let reencoded = decode(input) {
                    decoded += 1
                    #expect(reencoded == input, "\(name) round \(round) re-encoded differently")
                }
            }
            _ = try? DomainPayload.piiSectionRange(of: input)
        }
        #expect(decoded > 100)  // the mutations reached the inner fields, not just the envelope
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard !subsequence.isEmpty, subsequence.count <= count else { return subsequence.isEmpty }
        return (0...(count - subsequence.count)).contains { self[$0..<$0 + subsequence.count].elementsEqual(subsequence) }
    }
}
