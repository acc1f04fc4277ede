/// The field a refusal names and the rule it breaks (`LedgerError.field`). `path` is as the rule set named it, with
/// the record as `records[i]` of its batch (`records[2].items[0].amount`); `rule` is the text after `path: `.
public struct RefusedField: Sendable, Equatable {
    public let path: String
    public let rule: String

    public init(path: String, rule: String) {
        self.path = path
        self.rule = rule
    }
}
