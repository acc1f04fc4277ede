/// One line of 收费项目明细: what was charged, how much of it, and for how many fen.
public struct InvoiceItem: Hashable, Sendable {
    public var code: String
    public var name: String
    public var quantity: ItemQuantity
    public var amount: Fen

    public init(code: String, name: String, quantity: ItemQuantity, amount: Fen) {
        self.code = code
        self.name = name
        self.quantity = quantity
        self.amount = amount
    }
}
