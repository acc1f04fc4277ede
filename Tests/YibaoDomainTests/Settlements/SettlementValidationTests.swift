import Testing
@testable import YibaoDomain
@testable import YibaoLedger

/// Every stateless settlement rule, including the three sum invariants with their actual numbers.
@Suite struct SettlementValidationTests {
    typealias Mutation = @Sendable (inout Settlement) -> Void

    static let cases: [(String, Mutation, String)] = [
        ("setl_id missing", { $0.setlId = "" }, "setl_id: is required"),
        ("setl_id 31", { $0.setlId = String(repeating: "1", count: 31) }, "setl_id: must be at most 30 characters, got 31"),
        ("mdtrt_id missing", { $0.mdtrtId = "" }, "mdtrt_id: is required"),
        ("psn_no space", { $0.psnNo = "46 1" }, "psn_no: must be printable ASCII without spaces, got '46 1'"),
        ("psn_name missing", { $0.psnName = "" }, "psn_name: is required"),
        ("psn_name long", { $0.psnName = String(repeating: "张", count: 51) }, "psn_name: must be at most 150 bytes, got 153"),
        ("certno missing", { $0.certno = "" }, "certno: is required"),
        ("certno long", { $0.certno = String(repeating: "1", count: 51) }, "certno: must be at most 50 bytes, got 51"),
        ("certno check", { $0.certno = "110105194912310021" }, "certno: check character (GB 11643-1999) must be 'X', got '1'"),
        ("certno length", { $0.certno = "1101051949123100" },
         "certno: must be 18 characters for a resident ID card (psn_cert_type 01), got 16"),
        ("certno birth date", { $0.certno = "110105194913310021" }, "certno: characters 7 to 14 must be a valid birth date yyyyMMdd"),
        ("insutype symbol", { $0.insutype = "31-0" }, "insutype: must be 1 to 6 ASCII letters or digits, got '31-0'"),
        ("psn_type long", { $0.psnType = "12345678901" }, "psn_type: must be 1 to 10 ASCII letters or digits, got '12345678901'"),
        ("med_type missing", { $0.medType = "" }, "med_type: is required"),
        ("setl_time date only", { $0.setlTime = "2024-03-01" }, "setl_time: must be a time 'yyyy-MM-dd HH:mm:ss', got '2024-03-01'"),
        ("fixmedins_code missing", { $0.fixmedinsCode = "" }, "fixmedins_code: is required"),
        ("fixmedins_name long", { $0.fixmedinsName = String(repeating: "院", count: 67) }, "fixmedins_name: must be at most 200 bytes, got 201"),
        ("fund sum", { $0.hifpPay = 5_100 },
         "fund_pay_sumamt: must equal hifp_pay + cvlserv_pay + hifes_pay + hifmi_pay + hifob_pay + maf_pay + oth_pay = 5100 + 0 + 0 + 1000 + 0 + 0 + 0 = 6100 fen, got 6000 fen"),
        ("medfee sum", { $0.hospPartAmt = 100 },
         "medfee_sumamt: must equal fund_pay_sumamt + psn_part_amt + hosp_part_amt = 6000 + 4000 + 100 = 10100 fen, got 10000 fen"),
        ("personal sum", { $0.acctPay = 1_400 },
         "psn_part_amt: must equal acct_pay + psn_cash_pay = 1400 + 2500 = 3900 fen, got 4000 fen"),
        ("amount out of range", { $0.balc = Int64.max }, "balc: must be within ±9999999999999999 fen, got 9223372036854775807 fen"),
        ("clr_optins short", { $0.clrOptins = "4601" }, "clr_optins: must be 6 digits, got '4601'"),
        ("clr_type symbol", { $0.clrType = "1 1" }, "clr_type: must be 1 to 10 ASCII letters or digits, got '1 1'"),
        ("clr_way symbol", { $0.clrWay = "#" }, "clr_way: must be 1 to 10 ASCII letters or digits, got '#'"),
        ("invono long", { $0.invono = String(repeating: "1", count: 31) }, "invono: must be at most 30 characters, got 31"),
        ("remote without region", { $0.isRemote = true }, "insuplc_admdvs: is required for a remote settlement (is_remote)"),
        ("bad region", { $0.insuplcAdmdvs = "11000" }, "insuplc_admdvs: must be 6 digits, got '11000'"),
        ("too many details", { $0.details = Array(repeating: FundPayDetail(fundPayType: "310100", fundPayamt: 0), count: 33) },
         "details: must hold at most 32 fund items, got 33"),
        ("detail type missing", { $0.details[1].fundPayType = "" }, "details[1].fund_pay_type: is required"),
        ("detail negative", { $0.details[0].fundPayamt = -1 }, "details[0].fund_payamt: must not be negative, got -1 fen"),
    ]

    @Test func theFixtureIsValid() {
        #expect(DomainFixtures.settlement().problems().isEmpty)
        var remote = DomainFixtures.settlement()
        remote.isRemote = true
        remote.insuplcAdmdvs = "110105"
        #expect(remote.problems().isEmpty)
    }

    @Test func everyRuleNamesItsFieldAndRule() {
        for (name, mutate, message) in Self.cases {
            var settlement = DomainFixtures.settlement()
            mutate(&settlement)
            #expect(settlement.problems(at: "settlements[7]") == [LedgerError(.invalidArgument, "settlements[7].\(message)")], "\(name)")
        }
    }

    nonisolated(unsafe) static let amounts: [(String, WritableKeyPath<Settlement, Fen>)] = [
        ("medfee_sumamt", \.medfeeSumamt), ("fulamt_ownpay_amt", \.fulamtOwnpayAmt), ("overlmt_selfpay", \.overlmtSelfpay),
        ("preselfpay_amt", \.preselfpayAmt), ("inscp_scp_amt", \.inscpScpAmt), ("act_pay_dedc", \.actPayDedc),
        ("hifp_pay", \.hifpPay), ("cvlserv_pay", \.cvlservPay), ("hifes_pay", \.hifesPay), ("hifmi_pay", \.hifmiPay),
        ("hifob_pay", \.hifobPay), ("maf_pay", \.mafPay), ("oth_pay", \.othPay), ("fund_pay_sumamt", \.fundPaySumamt),
        ("psn_part_amt", \.psnPartAmt), ("acct_pay", \.acctPay), ("psn_cash_pay", \.psnCashPay),
        ("hosp_part_amt", \.hospPartAmt), ("balc", \.balc),
    ]

    @Test func noAmountMayBeNegativeOnAnUpload() {
        #expect(Self.amounts.count == DomainFixtures.settlement().namedAmounts.count)
        for (field, path) in Self.amounts {
            var settlement = DomainFixtures.settlement()
            settlement[keyPath: path] = -5
            #expect(settlement.problems() == [LedgerError(.invalidArgument, "\(field): must not be negative, got -5 fen")])
        }
    }

    @Test func otherCertificatesNeedNoCheckDigit() {
        var settlement = DomainFixtures.settlement()
        settlement.psnCertType = .foreignPassport
        settlement.certno = "E12345678"
        #expect(settlement.problems().isEmpty)
        #expect(CertificateType(rawValue: "01") == .residentIDCard)
    }

    @Test func certnoIsNeverQuoted() {
        var settlement = DomainFixtures.settlement()
        settlement.certno = "110105194912310021"
        #expect(settlement.problems().allSatisfy { !$0.message.contains("110105194912310021") })
    }
}
