/// 票据种类. The raw value is the wire byte and never changes meaning.
public enum InvoiceKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case outpatient = 1    // 门诊
    case inpatient = 2     // 住院
    case registration = 3  // 挂号
    case checkup = 4       // 体检

    public var description: String {
        switch self {
        case .outpatient: "OUTPATIENT"
        case .inpatient: "INPATIENT"
        case .registration: "REGISTRATION"
        case .checkup: "CHECKUP"
        }
    }
}
