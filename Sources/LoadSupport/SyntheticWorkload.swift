import YibaoDomain

/// Realistic synthetic visits, as the domain's own records for load tests and benchmarks: visit `i` belongs to hospital `i % hospitals` as that
/// hospital's `(i / hospitals)`-th visit, so invoice numbers, setl_ids and bus_nos run in sequence within each
/// hospital while the hospitals interleave, as hundreds of hospital feeds do. Every visit is a pure function of
/// (seed, index): any process can rebuild any visit, or just its keys, without shared state.
///
/// Keys: invoice code = region 4601 + kind (01 outpatient, 02 inpatient) + year 24; invoice number = hospital
/// (4 digits) + sequence (6 digits); setl_id = "S" + hospital code digits + sequence. Hence at most 9,999
/// hospitals and 999,999 visits per hospital.
/// Amounts satisfy the three invariants of docs/requirements.md, Settlements and the invoice's channel rule, and the invoice matches its
/// settlement field for field (reconciliation finds nothing), unless the visit carries a `RecordDefect`.
public struct SyntheticWorkload: Sendable {
    public static let platformOrg = "F46000000001"
    public static let bureauOrg = "B46"
    public static let bureauRegion = "46"
    public static let maxHospitals = 9_999
    public static let maxVisitsPerHospital = 999_999

    public let hospitals: Int
    public let seed: UInt64
    /// Share of visits, 0...1, whose invoice or settlement is deliberately bad.
    public let defectShare: Double

    public init(hospitals: Int = 300, seed: UInt64 = 11643, defectShare: Double = 0) {
        precondition(hospitals >= 1 && hospitals <= Self.maxHospitals, "hospitals must be 1...\(Self.maxHospitals)")
        self.hospitals = hospitals
        self.seed = seed
        self.defectShare = min(max(defectShare, 0), 1)
    }

    /// The most visits the key scheme can number.
    public var capacity: Int { hospitals * Self.maxVisitsPerHospital }

    public static func hospitalCode(_ hospital: Int) -> String { "H460106" + Digits.padded(hospital + 1, 5) }

    public func hospitalCode(ofVisit index: Int) -> String { Self.hospitalCode(index % hospitals) }

    /// The visit index of hospital `hospital`'s `sequence`-th visit (0-based).
    public func visitIndex(hospital: Int, sequence: Int) -> Int { sequence * hospitals + hospital }

    /// The keys of a visit, without building it (cheap: for queries of visits written earlier).
    public struct Keys: Sendable, Equatable {
        public let invoiceCode: String
        public let invoiceNumber: String
        public let checkCode: String
        public let setlId: String
        /// 住院 (a quarter of visits) rather than 门诊: larger amounts, invoice type 02.
        public let inpatient: Bool
    }

    /// Check-code characters (no 0/O, 1/I/l look-alikes), built once: `keys(ofVisit:)` runs for every operation.
    private static let checkCodeAlphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")

    public func keys(ofVisit index: Int) -> Keys {
        var random = SplitMix64(seed: mix(index, salt: 0x6B65_7973))
        let inpatient = random.next() % 4 == 0
        let hospital = index % hospitals, sequence = index / hospitals
        precondition(sequence < Self.maxVisitsPerHospital, "visit \(index) is beyond \(Self.maxVisitsPerHospital) visits per hospital")
        let alphabet = Self.checkCodeAlphabet
        var check = ""
        for _ in 0..<6 { check.append(alphabet[Int(random.next() % UInt64(alphabet.count))]) }
        return Keys(invoiceCode: "4601" + (inpatient ? "02" : "01") + "24",
                    invoiceNumber: Digits.padded(hospital + 1, 4) + Digits.padded(sequence + 1, 6),
                    checkCode: check,
                    setlId: "S" + Self.hospitalCode(hospital).dropFirst() + Digits.padded(sequence + 1, 8),
                    inpatient: inpatient)
    }

    /// The defect of visit `index`, if any (cheap: decided by its own hash).
    public func defect(ofVisit index: Int) -> RecordDefect? {
        guard defectShare > 0 else { return nil }
        var random = SplitMix64(seed: mix(index, salt: 0x6261_64))
        let draw = Double(random.next() >> 11) / Double(1 << 53)
        guard draw < defectShare else { return nil }
        return RecordDefect.allCases[Int(random.next() % UInt64(RecordDefect.allCases.count))]
    }

    /// The visit's invoice (issued by the invoice platform) and settlement (uploaded by its hospital).
    public func visit(_ index: Int) -> (invoice: Invoice, settlement: Settlement) {
        let keys = keys(ofVisit: index)
        var random = SplitMix64(seed: mix(index, salt: 0x7669_7369_74))
        let hospital = index % hospitals, sequence = index / hospitals
        let code = Self.hospitalCode(hospital)
        let name = Self.hospitalNames[hospital % Self.hospitalNames.count]
        let inpatient = keys.inpatient
        let certno = SyntheticResidentID.make(&random)
        let psnNo = "46" + Digits.padded(Int(random.next() % 1_000_000_000_000), 12)
        let person = Self.surnames[Int(random.next() % UInt64(Self.surnames.count))]
            + Self.givenNames[Int(random.next() % UInt64(Self.givenNames.count))]
        let phone = "1" + String(3 + random.next() % 7) + Digits.padded(Int(random.next() % 1_000_000_000), 9)
        let employee = random.next() % 3 != 0  // 职工 (310) two thirds, 居民 (390) one third
        // Business times: visits spread over March 2024, a hospital's later visits later in the month.
        let day = 1 + (sequence / 40) % 28, minute = Int(random.next() % 600)
        let date = "2024-03-" + Digits.padded(day, 2)
        let settleTime = date + " " + Digits.padded(8 + minute / 60, 2) + ":" + Digits.padded(minute % 60, 2) + ":30"

        // Amounts, outward from the total: medfee = funds + personal share + hospital share (docs/requirements.md, Settlements).
        let medfee: Int64 = inpatient ? 300_000 + Int64(random.next() % 4_700_000) : 2_000 + Int64(random.next() % 48_000)
        let fullOwnPay = medfee * Int64(random.next() % 8) / 100        // 全自费: outside the catalogue
        let overLimit = medfee * Int64(random.next() % 3) / 100         // 超限价
        let inScope = medfee - fullOwnPay - overLimit
        let preSelfPay = inScope * Int64(random.next() % 10) / 100      // 先行自付
        let deductible: Int64 = inpatient ? min(inScope, 80_000) : 0   // 起付线
        let hospitalShare: Int64 = random.next() % 10 == 0 ? medfee / 100 : 0
        let fundBase = max(0, inScope - preSelfPay - deductible - hospitalShare)
        let fundSum = fundBase * Int64(employee ? 80 : 60) / 100
        let serious = inpatient ? fundSum / 8 : 0                        // 大病保险
        let civilServant = employee && random.next() % 5 == 0 ? fundSum / 20 : 0
        let medicalAid = !employee && random.next() % 10 == 0 ? fundSum / 10 : 0
        let basic = fundSum - serious - civilServant - medicalAid
        let personal = medfee - fundSum - hospitalShare
        let account = employee ? min(personal, Int64(random.next() % 200_000)) : 0
        let cash = personal - account
        let balance = Int64(random.next() % 2_000_000)

        var details = [FundPayDetail(fundPayType: employee ? "310100" : "390100", fundPayamt: basic)]
        if serious > 0 { details.append(FundPayDetail(fundPayType: employee ? "320100" : "390200", fundPayamt: serious)) }
        if civilServant > 0 { details.append(FundPayDetail(fundPayType: "340100", fundPayamt: civilServant)) }
        if medicalAid > 0 { details.append(FundPayDetail(fundPayType: "610100", fundPayamt: medicalAid)) }

        let remote = random.next() % 20 == 0
        var settlement = Settlement(
            setlId: keys.setlId, mdtrtId: "M" + keys.setlId.dropFirst(), psnNo: psnNo, psnName: person,
            psnCertType: .residentIDCard, certno: certno, insutype: employee ? "310" : "390", psnType: employee ? "11" : "21",
            medType: inpatient ? "21" : "11", setlTime: settleTime, fixmedinsCode: code, fixmedinsName: name,
            medfeeSumamt: medfee, fulamtOwnpayAmt: fullOwnPay, overlmtSelfpay: overLimit, preselfpayAmt: preSelfPay,
            inscpScpAmt: inScope, actPayDedc: deductible, hifpPay: basic, cvlservPay: civilServant, hifesPay: 0,
            hifmiPay: serious, hifobPay: 0, mafPay: medicalAid, othPay: 0, fundPaySumamt: fundSum,
            psnPartAmt: personal, acctPay: account, psnCashPay: cash, hospPartAmt: hospitalShare, balc: balance,
            clrType: inpatient ? "21" : "11", clrWay: "1", clrOptins: "460100", invono: keys.invoiceNumber,
            isRemote: remote, insuplcAdmdvs: remote ? "440300" : "", details: details)

        var invoice = Invoice(
            invoiceCode: keys.invoiceCode, invoiceNumber: keys.invoiceNumber, checkCode: keys.checkCode,
            invoiceKind: inpatient ? .inpatient : .outpatient, issueTime: settleTime, invoicingPartyCode: code,
            invoicingPartyName: name, payerType: .individual, payerCode: certno, payerName: person, payerPhone: phone,
            busNo: (inpatient ? "ZY-" : "MZ-") + code + "-" + String(sequence + 1), totalAmount: medfee,
            fundPayAmount: fundSum, accountPayAmount: account, ownPayAmount: cash,
            selfPayAmount: min(personal, preSelfPay + fullOwnPay), otherPayAmount: hospitalShare,
            medicalInsuranceType: employee ? "职工基本医疗保险" : "城乡居民基本医疗保险", medicalInsuranceId: psnNo,
            medicalDate: date, setlId: keys.setlId, items: Self.items(total: medfee, inpatient: inpatient, &random))

        switch defect(ofVisit: index) {
        case nil: break
        case .settlementFundSum?: settlement.fundPaySumamt += 1; settlement.medfeeSumamt += 1
        case .settlementPersonalShare?: settlement.psnPartAmt += 1; settlement.medfeeSumamt += 1
        case .settlementCertnoCheck?: settlement.certno = SyntheticResidentID.breakingCheck(certno)
        case .invoiceChannelSum?: invoice.totalAmount += 1; invoice.items[0].amount += 1
        case .invoiceNegativeAmount?: invoice.ownPayAmount = -1 - invoice.ownPayAmount
        }
        return (invoice, settlement)
    }

    /// 1 to 4 charge items whose amounts sum to the total.
    private static func items(total: Int64, inpatient: Bool, _ random: inout SplitMix64) -> [InvoiceItem] {
        let catalogue = inpatient ? inpatientItems : outpatientItems
        let count = 1 + Int(random.next() % UInt64(min(4, catalogue.count)))
        var left = total
        var items: [InvoiceItem] = []
        for i in 0..<count {
            let amount = i == count - 1 ? left : left * Int64(30 + random.next() % 40) / 100
            left -= amount
            let (code, name) = catalogue[(i + Int(random.next() % 2)) % catalogue.count]
            items.append(InvoiceItem(code: code, name: name, quantity: ItemQuantity(whole: Int64(1 + random.next() % 5)),
                                   amount: amount))
        }
        return items
    }

    private func mix(_ index: Int, salt: UInt64) -> UInt64 {
        var random = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03) ^ salt)
        return random.next()
    }

    static let hospitalNames = ["海南省人民医院", "海口市人民医院", "海南医学院第一附属医院", "三亚市人民医院",
                                "海口市中医医院", "儋州市人民医院", "琼海市人民医院", "文昌市人民医院"]
    static let surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "符", "林"]
    static let givenNames = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "海燕", "志明"]
    static let outpatientItems = [("A01", "西药费"), ("A02", "中成药费"), ("B01", "检查费"), ("B02", "化验费"), ("C01", "治疗费")]
    static let inpatientItems = [("D01", "床位费"), ("A01", "西药费"), ("E01", "手术费"), ("F01", "护理费"), ("B01", "检查费")]
}
