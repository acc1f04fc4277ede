import YibaoCrypto

/// Canonical bytes of a settlement (tag `settlement`). Public section, in order: setl_id, mdtrt_id, psn_no,
/// psn_cert_type, insutype, psn_type, med_type, setl_time, fixmedins_code, fixmedins_name, the 19 amounts of
/// `namedAmounts` (i64, declaration order), clr_type, clr_way, clr_optins, invono, is_remote u8, insuplc_admdvs,
/// details (u32 count; fund_pay_type, fund_payamt i64). PII section: psn_name, certno.
extension Settlement {
    static let minimumDetailBytes = 4 + 8

    public var encoded: [UInt8] {
        DomainPayload.encode(.settlement, capacity: 512 + details.count * 24) { w in
            w.text(setlId)
            w.text(mdtrtId)
            w.text(psnNo)
            w.text(psnCertType.rawValue)
            w.text(insutype)
            w.text(psnType)
            w.text(medType)
            w.text(setlTime)
            w.text(fixmedinsCode)
            w.text(fixmedinsName)
            for (_, amount) in namedAmounts { w.fen(amount) }
            w.text(clrType)
            w.text(clrWay)
            w.text(clrOptins)
            w.text(invono)
            w.flag(isRemote)
            w.text(insuplcAdmdvs)
            w.count(details.count)
            for detail in details {
                w.text(detail.fundPayType)
                w.fen(detail.fundPayamt)
            }
        } pii: { w in
            w.text(psnName)
            w.text(certno)
        }
    }

    public init(decoding bytes: [UInt8]) throws(FormatError) {
        self = try DomainPayload.decode(bytes, as: .settlement) { (r: inout ByteReader, pii: inout ByteReader) throws(FormatError) in
            let setlId = try r.text("setl_id"), mdtrtId = try r.text("mdtrt_id"), psnNo = try r.text("psn_no")
            let certTypeCode = try r.text("psn_cert_type")
            guard let certType = CertificateType(rawValue: certTypeCode) else {
                throw FormatError("psn_cert_type: unknown code \(FieldChecker.quoted(certTypeCode))")
            }
            var s = Settlement(setlId: setlId, mdtrtId: mdtrtId, psnNo: psnNo, psnName: "", psnCertType: certType,
                               certno: "", insutype: try r.text("insutype"), psnType: try r.text("psn_type"),
                               medType: try r.text("med_type"), setlTime: try r.text("setl_time"),
                               fixmedinsCode: try r.text("fixmedins_code"), fixmedinsName: try r.text("fixmedins_name"),
                               medfeeSumamt: try r.fen())
            s.fulamtOwnpayAmt = try r.fen()
            s.overlmtSelfpay = try r.fen()
            s.preselfpayAmt = try r.fen()
            s.inscpScpAmt = try r.fen()
            s.actPayDedc = try r.fen()
            s.hifpPay = try r.fen()
            s.cvlservPay = try r.fen()
            s.hifesPay = try r.fen()
            s.hifmiPay = try r.fen()
            s.hifobPay = try r.fen()
            s.mafPay = try r.fen()
            s.othPay = try r.fen()
            s.fundPaySumamt = try r.fen()
            s.psnPartAmt = try r.fen()
            s.acctPay = try r.fen()
            s.psnCashPay = try r.fen()
            s.hospPartAmt = try r.fen()
            s.balc = try r.fen()
            s.clrType = try r.text("clr_type")
            s.clrWay = try r.text("clr_way")
            s.clrOptins = try r.text("clr_optins")
            s.invono = try r.text("invono")
            s.isRemote = try r.flag("is_remote")
            s.insuplcAdmdvs = try r.text("insuplc_admdvs")
            let detailCount = try r.count("details", limit: DomainLimits.maxFundDetails, minimumBytes: Settlement.minimumDetailBytes)
            s.details.reserveCapacity(detailCount)
            for _ in 0..<detailCount {
                s.details.append(FundPayDetail(fundPayType: try r.text("details.fund_pay_type"), fundPayamt: try r.fen()))
            }
            s.psnName = try pii.text("psn_name")
            s.certno = try pii.text("certno")
            return s
        }
    }

    public var contentDigest: Digest32 { HashAlgorithm.sm3.hash(encoded) }
}
