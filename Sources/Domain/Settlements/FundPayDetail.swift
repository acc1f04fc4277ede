/// One 基金分项 of a settlement (`setldetail`): which fund paid (`fund_pay_type`, e.g. 310100) and how much.
public struct FundPayDetail: Hashable, Sendable {
    public var fundPayType: String
    public var fundPayamt: Fen

    public init(fundPayType: String, fundPayamt: Fen) {
        self.fundPayType = fundPayType
        self.fundPayamt = fundPayamt
    }
}
