import YibaoDomain
import YibaoLedger
import YibaoProto

/// Settlements and reconciliation reports between the API messages and the domain's values.
public enum SettlementMapping {
    package static func settlement(_ m: Yibao_V1_Settlement, at path: String) throws(LedgerError) -> Settlement {
        let certType: CertificateType
        if m.psnCertType.isEmpty {
            certType = .residentIDCard
        } else if let type = CertificateType(rawValue: m.psnCertType) {
            certType = type
        } else {
            throw FieldPath.invalid(FieldPath.join(path, "psn_cert_type"), "is not a certificate type code (01 … 15, 90, 99)")
        }
        return Settlement(
            setlId: m.setlId, mdtrtId: m.mdtrtId, psnNo: m.psnNo, psnName: m.psnName, psnCertType: certType,
            certno: m.certno, insutype: m.insutype, psnType: m.psnType, medType: m.medType, setlTime: m.setlTime,
            fixmedinsCode: m.fixmedinsCode, fixmedinsName: m.fixmedinsName, medfeeSumamt: m.medfeeSumamt,
            fulamtOwnpayAmt: m.fulamtOwnpayAmt, overlmtSelfpay: m.overlmtSelfpay, preselfpayAmt: m.preselfpayAmt,
            inscpScpAmt: m.inscpScpAmt, actPayDedc: m.actPayDedc, hifpPay: m.hifpPay, cvlservPay: m.cvlservPay,
            hifesPay: m.hifesPay, hifmiPay: m.hifmiPay, hifobPay: m.hifobPay, mafPay: m.mafPay, othPay: m.othPay,
            fundPaySumamt: m.fundPaySumamt, psnPartAmt: m.psnPartAmt, acctPay: m.acctPay, psnCashPay: m.psnCashPay,
            hospPartAmt: m.hospPartAmt, balc: m.balc, clrType: m.clrType, clrWay: m.clrWay, clrOptins: m.clrOptins,
            invono: m.invono, isRemote: m.isRemote, insuplcAdmdvs: m.insuplcAdmdvs,
            details: m.details.map { FundPayDetail(fundPayType: $0.fundPayType, fundPayamt: $0.fundPayamt) })
    }

    public static func message(_ s: Settlement) -> Yibao_V1_Settlement {
        var m = Yibao_V1_Settlement()
        m.setlId = s.setlId; m.mdtrtId = s.mdtrtId; m.psnNo = s.psnNo; m.psnName = s.psnName
        m.psnCertType = s.psnCertType.rawValue; m.certno = s.certno; m.insutype = s.insutype; m.psnType = s.psnType
        m.medType = s.medType; m.setlTime = s.setlTime; m.fixmedinsCode = s.fixmedinsCode; m.fixmedinsName = s.fixmedinsName
        m.medfeeSumamt = s.medfeeSumamt; m.fulamtOwnpayAmt = s.fulamtOwnpayAmt; m.overlmtSelfpay = s.overlmtSelfpay
        m.preselfpayAmt = s.preselfpayAmt; m.inscpScpAmt = s.inscpScpAmt; m.actPayDedc = s.actPayDedc
        m.hifpPay = s.hifpPay; m.cvlservPay = s.cvlservPay; m.hifesPay = s.hifesPay; m.hifmiPay = s.hifmiPay
        m.hifobPay = s.hifobPay; m.mafPay = s.mafPay; m.othPay = s.othPay; m.fundPaySumamt = s.fundPaySumamt
        m.psnPartAmt = s.psnPartAmt; m.acctPay = s.acctPay; m.psnCashPay = s.psnCashPay; m.hospPartAmt = s.hospPartAmt
        m.balc = s.balc; m.clrType = s.clrType; m.clrWay = s.clrWay; m.clrOptins = s.clrOptins; m.invono = s.invono
        m.isRemote = s.isRemote; m.insuplcAdmdvs = s.insuplcAdmdvs
        m.details = s.details.map { detail in
            var d = Yibao_V1_FundPayDetail()
            d.fundPayType = detail.fundPayType
            d.fundPayamt = detail.fundPayamt
            return d
        }
        return m
    }

    package static func state(_ state: SettlementState) -> Yibao_V1_SettlementState {
        var m = Yibao_V1_SettlementState()
        m.status = Yibao_V1_SettlementStatus(rawValue: Int32(state.status.rawValue))
        m.uploadingOrg = state.uploadingOrg
        m.revokingOrg = state.revokingOrg ?? ""
        m.summary = state.summary
        return m
    }

    package static func report(_ report: ReconciliationReport) -> Yibao_V1_ReconciliationReport {
        var m = Yibao_V1_ReconciliationReport()
        m.invoice = InvoiceMapping.key(report.invoiceKey)
        m.setlId = report.setlId
        m.mismatches = report.mismatches.map { mismatch in
            var f = Yibao_V1_FieldMismatch()
            f.field = mismatch.field.rawValue
            f.settlementValue = mismatch.settlementValue
            f.invoiceValue = mismatch.invoiceValue
            return f
        }
        m.linkedToRevokedSettlement = report.linkedToRevokedSettlement
        m.consistent = report.isConsistent
        return m
    }

    package static func range(_ r: InstitutionReconciliation) -> Yibao_V1_RangeReconciliation {
        var m = Yibao_V1_RangeReconciliation()
        m.institution = r.institution
        m.from = r.from
        m.through = r.through
        m.compared = UInt64(r.batch.compared)
        m.consistent = UInt64(r.batch.consistent)
        m.mismatchedCount = UInt64(r.batch.mismatchedCount)
        m.revokedLinkCount = UInt64(r.batch.revokedLinkCount)
        m.invoicesWithoutSettlementCount = UInt64(r.batch.invoicesWithoutSettlementCount)
        m.settlementsWithoutInvoiceCount = UInt64(r.batch.settlementsWithoutInvoiceCount)
        m.mismatched = r.batch.mismatched.map(report)
        m.revokedLinks = r.batch.revokedLinks.map(report)
        m.invoicesWithoutSettlement = r.batch.invoicesWithoutSettlement.map(InvoiceMapping.key)
        m.settlementsWithoutInvoice = r.batch.settlementsWithoutInvoice
        m.truncated = r.batch.truncated
        m.complete = r.complete
        m.scanned = UInt64(r.scanned)
        return m
    }
}
