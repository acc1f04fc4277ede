/// A medical-insurance settlement (医保结算) with the national platform fields of docs/requirements.md, Settlements (interfaces
/// 2207/2304 upload, 2208/2305 revoke, 5203 query). Properties mirror the snake_case names.
/// PII (`psn_name`, `certno`) travels in the encoding's sealable trailing section.
public struct Settlement: Hashable, Sendable {
    public var setlId: String
    public var mdtrtId: String
    public var psnNo: String
    public var psnName: String
    public var psnCertType: CertificateType
    public var certno: String
    /// 险种类型: 310 职工基本医疗保险, 390 城乡居民基本医疗保险, ...
    public var insutype: String
    public var psnType: String
    /// 医疗类别: 11 普通门诊, 14 门诊慢特病, 21 普通住院, ...
    public var medType: String
    /// Local Asia/Shanghai `yyyy-MM-dd HH:mm:ss`.
    public var setlTime: String
    public var fixmedinsCode: String
    public var fixmedinsName: String
    public var medfeeSumamt: Fen
    public var fulamtOwnpayAmt: Fen
    public var overlmtSelfpay: Fen
    public var preselfpayAmt: Fen
    public var inscpScpAmt: Fen
    public var actPayDedc: Fen
    public var hifpPay: Fen
    public var cvlservPay: Fen
    public var hifesPay: Fen
    public var hifmiPay: Fen
    public var hifobPay: Fen
    public var mafPay: Fen
    public var othPay: Fen
    public var fundPaySumamt: Fen
    public var psnPartAmt: Fen
    public var acctPay: Fen
    public var psnCashPay: Fen
    public var hospPartAmt: Fen
    public var balc: Fen
    public var clrType: String
    public var clrWay: String
    public var clrOptins: String
    public var invono: String
    /// 异地: settled here for a person insured in another region, named by `insuplc_admdvs`.
    public var isRemote: Bool
    public var insuplcAdmdvs: String
    public var details: [FundPayDetail]

    public init(setlId: String, mdtrtId: String, psnNo: String, psnName: String,
                psnCertType: CertificateType = .residentIDCard, certno: String, insutype: String,
                psnType: String = "", medType: String, setlTime: String, fixmedinsCode: String,
                fixmedinsName: String, medfeeSumamt: Fen, fulamtOwnpayAmt: Fen = 0, overlmtSelfpay: Fen = 0,
                preselfpayAmt: Fen = 0, inscpScpAmt: Fen = 0, actPayDedc: Fen = 0, hifpPay: Fen = 0,
                cvlservPay: Fen = 0, hifesPay: Fen = 0, hifmiPay: Fen = 0, hifobPay: Fen = 0, mafPay: Fen = 0,
                othPay: Fen = 0, fundPaySumamt: Fen = 0, psnPartAmt: Fen = 0, acctPay: Fen = 0,
                psnCashPay: Fen = 0, hospPartAmt: Fen = 0, balc: Fen = 0, clrType: String = "",
                clrWay: String = "", clrOptins: String = "", invono: String = "", isRemote: Bool = false,
                insuplcAdmdvs: String = "", details: [FundPayDetail] = []) {
        self.setlId = setlId
        self.mdtrtId = mdtrtId
        self.psnNo = psnNo
        self.psnName = psnName
        self.psnCertType = psnCertType
        self.certno = certno
        self.insutype = insutype
        self.psnType = psnType
        self.medType = medType
        self.setlTime = setlTime
        self.fixmedinsCode = fixmedinsCode
        self.fixmedinsName = fixmedinsName
        self.medfeeSumamt = medfeeSumamt
        self.fulamtOwnpayAmt = fulamtOwnpayAmt
        self.overlmtSelfpay = overlmtSelfpay
        self.preselfpayAmt = preselfpayAmt
        self.inscpScpAmt = inscpScpAmt
        self.actPayDedc = actPayDedc
        self.hifpPay = hifpPay
        self.cvlservPay = cvlservPay
        self.hifesPay = hifesPay
        self.hifmiPay = hifmiPay
        self.hifobPay = hifobPay
        self.mafPay = mafPay
        self.othPay = othPay
        self.fundPaySumamt = fundPaySumamt
        self.psnPartAmt = psnPartAmt
        self.acctPay = acctPay
        self.psnCashPay = psnCashPay
        self.hospPartAmt = hospPartAmt
        self.balc = balc
        self.clrType = clrType
        self.clrWay = clrWay
        self.clrOptins = clrOptins
        self.invono = invono
        self.isRemote = isRemote
        self.insuplcAdmdvs = insuplcAdmdvs
        self.details = details
    }
}
