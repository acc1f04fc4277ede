/// Every size limit of the domain records in one place, in UTF-8 bytes (a Chinese character is 3 bytes).
/// Each turns an unbounded input into a precise refusal and bounds what one ledger entry can hold.
public enum DomainLimits {
    public static let invoiceCodeDigits = 8
    public static let invoiceNumberDigits = 10
    public static let checkCodeLength = 6

    public static let orgCodeBytes = 30          // invoicing_party_code, fixmedins_code
    public static let orgNameBytes = 200         // invoicing_party_name, fixmedins_name
    public static let payerCodeBytes = 50
    public static let payerNameBytes = 200       // a payer may be an organization with a long name
    public static let payerPhoneBytes = 20
    public static let busNoBytes = 50
    public static let medicalInsuranceTypeBytes = 60
    public static let identifierBytes = 30       // setl_id, mdtrt_id, psn_no, medical_insurance_id, invono
    public static let itemCodeBytes = 50
    public static let itemNameBytes = 200
    public static let maxItems = 500
    public static let rawDocumentBytes = 256 << 10

    public static let psnNameBytes = 150
    public static let certnoBytes = 50
    public static let residentIDLength = 18
    public static let insutypeBytes = 6
    public static let categoryCodeBytes = 10     // psn_type, med_type, clr_type, clr_way, fund_pay_type
    public static let admdvsDigits = 6           // clr_optins, insuplc_admdvs: 行政区划 codes
    public static let maxFundDetails = 32

    public static let remarkBytes = 200
    /// Longest text a message quotes back; longer values are cut, PII is never quoted.
    public static let quotedBytes = 40
}
