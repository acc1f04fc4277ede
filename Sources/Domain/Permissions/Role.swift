/// The parties of docs/requirements.md, Parties. The raw value is the role string of the org registry.
public enum Role: String, Sendable, CaseIterable {
    case hospital
    case invoicePlatform = "invoice_platform"
    case insuranceBureau = "insurance_bureau"
    case bank
    case channel
    case auditor
    case regulator
    case nodeAdmin = "node_admin"
}
