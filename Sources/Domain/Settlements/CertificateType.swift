/// 人员证件类型 (`psn_cert_type`) from the national medical-insurance code list. The raw value is the national
/// two-digit code, which is also what the encoding stores, so a code added later needs no format change.
public enum CertificateType: String, Sendable, CaseIterable {
    case residentIDCard = "01"            // 居民身份证（户口簿）: GB 11643-1999 number with check digit
    case militaryOfficer = "02"           // 中国人民解放军军官证
    case armedPoliceOfficer = "03"        // 中国人民武装警察警官证
    case hongKongPermit = "04"            // 香港特区护照/港澳居民来往内地通行证
    case macaoPermit = "05"               // 澳门特区护照/港澳居民来往内地通行证
    case taiwanPermit = "06"              // 台湾居民来往大陆通行证
    case foreignPermanentResident = "07"  // 外国人永久居留证
    case foreignPassport = "08"           // 外国人护照
    case disabilityCertificate = "09"     // 残疾人证
    case martyrFamilyCertificate = "10"   // 军烈属证明
    case foreignWorkPermit = "11"         // 外国人就业证
    case foreignExpertCertificate = "12"  // 外国专家证
    case foreignJournalistCertificate = "13" // 外国人常驻记者证
    case compatriotWorkPermit = "14"      // 台港澳人员就业证
    case returnedExpertCertificate = "15" // 回国（来华）定居专家证
    case socialSecurityCard = "90"        // 社会保障卡
    case other = "99"                     // 其他身份证件
}
