import YibaoLedger
/// The stateless rules of a settlement upload (docs/requirements.md, Settlements): field shapes, no negative amounts, and the three sum
/// invariants of the national interface, each refusal quoting the actual numbers.
///
/// Not enforced, on purpose: `details[]` summing to `fund_pay_sumamt` (the national `setldetail` list may also carry
/// personal-account fund types), and the policy-scope breakdown (`fulamt_ownpay_amt`, `overlmt_selfpay`,
/// `preselfpay_amt`, `inscp_scp_amt`), which real uploads do not always satisfy; reconciliation reports differences.
extension Settlement {
    public func problems(at prefix: String = "") -> [LedgerError] {
        var check = FieldChecker(prefix: prefix)
        check.identifier("setl_id", setlId, maxBytes: DomainLimits.identifierBytes)
        check.identifier("mdtrt_id", mdtrtId, maxBytes: DomainLimits.identifierBytes)
        check.identifier("psn_no", psnNo, maxBytes: DomainLimits.identifierBytes)
        check.text("psn_name", psnName, maxBytes: DomainLimits.psnNameBytes)
        if check.text("certno", certno, maxBytes: DomainLimits.certnoBytes), psnCertType == .residentIDCard,
           let problem = ResidentIDNumber.problem(certno) {
            check.fail("certno", problem)
        }
        check.code("insutype", insutype, maxBytes: DomainLimits.insutypeBytes)
        check.code("psn_type", psnType, maxBytes: DomainLimits.categoryCodeBytes, required: false)
        check.code("med_type", medType, maxBytes: DomainLimits.categoryCodeBytes)
        check.dateTime("setl_time", setlTime)
        check.code("fixmedins_code", fixmedinsCode, maxBytes: DomainLimits.orgCodeBytes)
        check.text("fixmedins_name", fixmedinsName, maxBytes: DomainLimits.orgNameBytes)
        checkAmounts(&check)
        check.code("clr_type", clrType, maxBytes: DomainLimits.categoryCodeBytes, required: false)
        check.code("clr_way", clrWay, maxBytes: DomainLimits.categoryCodeBytes, required: false)
        if !clrOptins.isEmpty { check.digits("clr_optins", clrOptins, count: DomainLimits.admdvsDigits) }
        check.identifier("invono", invono, maxBytes: DomainLimits.identifierBytes, required: false)
        if isRemote && insuplcAdmdvs.isEmpty {
            check.fail("insuplc_admdvs", "is required for a remote settlement (is_remote)")
        } else if !insuplcAdmdvs.isEmpty {
            check.digits("insuplc_admdvs", insuplcAdmdvs, count: DomainLimits.admdvsDigits)
        }
        checkDetails(&check)
        return check.problems
    }

    public func validate(at prefix: String = "") throws(LedgerError) {
        if let first = problems(at: prefix).first { throw first }
    }

    /// Every amount with its name in docs/requirements.md, in declaration order.
    var namedAmounts: [(String, Fen)] {
        [("medfee_sumamt", medfeeSumamt), ("fulamt_ownpay_amt", fulamtOwnpayAmt), ("overlmt_selfpay", overlmtSelfpay),
         ("preselfpay_amt", preselfpayAmt), ("inscp_scp_amt", inscpScpAmt), ("act_pay_dedc", actPayDedc),
         ("hifp_pay", hifpPay), ("cvlserv_pay", cvlservPay), ("hifes_pay", hifesPay), ("hifmi_pay", hifmiPay),
         ("hifob_pay", hifobPay), ("maf_pay", mafPay), ("oth_pay", othPay), ("fund_pay_sumamt", fundPaySumamt),
         ("psn_part_amt", psnPartAmt), ("acct_pay", acctPay), ("psn_cash_pay", psnCashPay),
         ("hosp_part_amt", hospPartAmt), ("balc", balc)]
    }

    private func checkAmounts(_ check: inout FieldChecker) {
        var allValid = true
        for (field, value) in namedAmounts where !check.amount(field, value, .nonNegative) { allValid = false }
        guard allValid else { return }

        let funds = SumExplanation([("hifp_pay", hifpPay), ("cvlserv_pay", cvlservPay), ("hifes_pay", hifesPay),
                                    ("hifmi_pay", hifmiPay), ("hifob_pay", hifobPay), ("maf_pay", mafPay),
                                    ("oth_pay", othPay)])
        if funds.total != fundPaySumamt {
            check.fail("fund_pay_sumamt", "must equal \(funds) fen, got \(fundPaySumamt) fen")
        }
        let shares = SumExplanation([("fund_pay_sumamt", fundPaySumamt), ("psn_part_amt", psnPartAmt),
                                     ("hosp_part_amt", hospPartAmt)])
        if shares.total != medfeeSumamt {
            check.fail("medfee_sumamt", "must equal \(shares) fen, got \(medfeeSumamt) fen")
        }
        let personal = SumExplanation([("acct_pay", acctPay), ("psn_cash_pay", psnCashPay)])
        if personal.total != psnPartAmt {
            check.fail("psn_part_amt", "must equal \(personal) fen, got \(psnPartAmt) fen")
        }
    }

    private func checkDetails(_ check: inout FieldChecker) {
        guard details.count <= DomainLimits.maxFundDetails else {
            return check.fail("details", "must hold at most \(DomainLimits.maxFundDetails) fund items, got \(details.count)")
        }
        for (position, detail) in details.enumerated() {
            check.nested("details", index: position) { detailCheck in
                detailCheck.code("fund_pay_type", detail.fundPayType, maxBytes: DomainLimits.categoryCodeBytes)
                detailCheck.amount("fund_payamt", detail.fundPayamt, .nonNegative)
            }
        }
    }
}
