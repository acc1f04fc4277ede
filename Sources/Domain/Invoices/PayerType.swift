/// 交款人类型, with the Ministry of Finance codes as raw values: 1 个人 (a person), 2 单位 (an organization).
public enum PayerType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case individual = 1
    case organization = 2

    public var description: String { self == .individual ? "1 (individual)" : "2 (organization)" }
}
