import Foundation
import Testing
import YibaoProto
import YibaoRPC

/// A single-record write is submitted to the ledger as a batch of one, whose refusals the domain names
/// `records[0].…`; the caller sent no `records` field, so every single-record RPC answers with the request's own
/// field path (`invoice.check_code`, `red_invoice.total_amount`, `remark`). Real node, generated client.
@Suite("End to end: single-record refusals name the request's fields", .serialized)
struct SingleRecordFieldPathTests {
    @Test("all eleven single-record RPCs")
    func everySingleRecordRPC() async throws {
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        try await fixture.withRunning { node in
            let platform = try fixture.client(port: node.port, as: .platform)
            let hospital = try fixture.client(port: node.port, as: .hospital)
            let bureau = try fixture.client(port: node.port, as: .bureau)
            let channel = try fixture.client(port: node.port, as: .channel)
            let blue = Records.blueInvoice("0000000001")
            #expect(Records.codes(try await platform.invoices.issueInvoices(Records.issue("paths-issue", [blue])).results) == [0])

            // ReverseInvoice: every field is red_invoice's.
            var reverse = Yibao_V1_ReverseInvoiceRequest()
            reverse.requestId = "paths-reverse"
            var red = Records.redInvoice(reversing: blue, number: "0000000002")
            red.totalAmount -= 1
            reverse.redInvoice = red
            await expectNamed("red_invoice.total_amount", "ReverseInvoice") { try await platform.invoices.reverseInvoice(reverse) }

            // ExchangePaper: the invoice is an InvoiceReference `invoice`; the time is the request's own.
            var paper = Yibao_V1_ExchangePaperRequest()
            paper.requestId = "paths-paper"
            paper.invoice = Records.reference(blue, checkCode: "ab")
            paper.exchangeTime = "2024-03-02 09:00:00"
            await expectNamed("invoice.check_code", "ExchangePaper check code") { try await platform.invoices.exchangePaper(paper) }
            // A well-formed code that is not the invoice's: refused by the lifecycle, named the same way.
            paper.invoice = Records.reference(blue, checkCode: "Q7w8E9")
            await expectNamed("invoice.check_code", "ExchangePaper wrong check code") { try await platform.invoices.exchangePaper(paper) }
            paper.invoice = Records.reference(blue)
            paper.exchangeTime = "yesterday"
            await expectNamed("exchange_time", "ExchangePaper time") { try await platform.invoices.exchangePaper(paper) }

            // LockInvoice, UnlockInvoice, RecordEntry, RevokeEntry.
            let actions: [(String, (Yibao_V1_InvoiceActionRequest) async throws -> Yibao_V1_WriteResponse)] = [
                ("LockInvoice", { try await bureau.invoices.lockInvoice($0) }),
                ("UnlockInvoice", { try await bureau.invoices.unlockInvoice($0) }),
                ("RecordEntry", { try await bureau.invoices.recordEntry($0) }),
                ("RevokeEntry", { try await bureau.invoices.revokeEntry($0) }),
            ]
            for (name, call) in actions {
                var badCode = Records.action("paths-\(name)-1", blue)
                var reference = Records.reference(blue)
                reference.invoiceCode = "4601"
                badCode.invoice = reference
                await expectNamed("invoice.invoice_code", "\(name) invoice code") { try await call(badCode) }
                let wrongCode = Records.action("paths-\(name)-4", blue, checkCode: "Q7w8E9")
                await expectNamed("invoice.check_code", "\(name) wrong check code") { try await call(wrongCode) }
                var badTime = Records.action("paths-\(name)-2", blue)
                badTime.operatedTime = "soon"
                await expectNamed("operated_time", "\(name) operated time") { try await call(badTime) }
                var badRemark = Records.action("paths-\(name)-3", blue)
                badRemark.remark = "line\u{1}break"
                await expectNamed("remark", "\(name) remark") { try await call(badRemark) }
            }

            // LinkInvoice: InvoiceReference `invoice`, `setl_id` the request's own.
            var link = Yibao_V1_LinkInvoiceRequest()
            link.requestId = "paths-link"
            link.invoice = Records.reference(blue, checkCode: "!!!!!!")
            link.setlId = "S460106202403010001"
            await expectNamed("invoice.check_code", "LinkInvoice check code") { try await hospital.settlements.linkInvoice(link) }
            link.invoice = Records.reference(blue, checkCode: "Q7w8E9")
            await expectNamed("invoice.check_code", "LinkInvoice wrong check code") { try await hospital.settlements.linkInvoice(link) }
            link.invoice = Records.reference(blue)
            link.setlId = ""
            await expectNamed("setl_id", "LinkInvoice setl_id") { try await hospital.settlements.linkInvoice(link) }

            // RevokeSettlement: every field is the request's own.
            var revoke = Yibao_V1_RevokeSettlementRequest()
            revoke.requestId = "paths-revoke-settlement"
            revoke.setlId = "S460106202403010001"
            revoke.mdtrtId = "M460106202403010001"
            revoke.psnNo = "46000012345678"
            revoke.revokeTime = "later"
            await expectNamed("revoke_time", "RevokeSettlement") { try await hospital.settlements.revokeSettlement(revoke) }

            // GrantAccess: every field is the request's own, the invoices a repeated InvoiceReference.
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var grant = Yibao_V1_GrantAccessRequest()
            grant.requestId = "paths-grant"
            grant.certno = Records.certno
            grant.channel = EndToEndNode.Org.channel.rawValue
            grant.scope = .namedInvoices
            grant.invoices = [Records.reference(blue), Records.reference(blue, checkCode: "x")]
            grant.validFromMs = now - 60_000
            grant.validUntilMs = now + 3_600_000
            await expectNamed("invoices[1].check_code", "GrantAccess") { try await platform.authorization.grantAccess(grant) }

            // RevokeAccess.
            var revokeAccess = Yibao_V1_RevokeAccessRequest()
            revokeAccess.requestId = "paths-revoke-grant"
            revokeAccess.grantId = Array(repeating: 7, count: 32)
            revokeAccess.certno = Records.certno
            revokeAccess.reason = " padded "
            await expectNamed("reason", "RevokeAccess") { try await platform.authorization.revokeAccess(revokeAccess) }

            // RecordUsage: the invoice is an InvoiceKey `invoice`.
            var usage = Yibao_V1_RecordUsageRequest()
            usage.requestId = "paths-usage"
            usage.grantId = Array(repeating: 7, count: 32)
            var key = Records.key(blue)
            key.invoiceNumber = "1"
            usage.invoice = key
            usage.readTimeMs = now
            await expectNamed("invoice.invoice_number", "RecordUsage") { try await channel.authorization.recordUsage(usage) }

            for client in [platform, hospital, bureau, channel] { await client.close() }
        }
    }

    /// INVALID_ARGUMENT whose message starts with `path:` and names no `records[…]`.
    private func expectNamed(_ path: String, _ label: String, sourceLocation: SourceLocation = #_sourceLocation,
                             _ call: () async throws -> some Any) async {
        let got = await status(of: call)
        #expect(got.code == .invalidArgument, "\(label): \(got)", sourceLocation: sourceLocation)
        #expect(got.message.hasPrefix(path + ":"), "\(label): '\(got.message)' should name \(path)", sourceLocation: sourceLocation)
        #expect(!got.message.contains("records["), "\(label): '\(got.message)'", sourceLocation: sourceLocation)
    }
}
