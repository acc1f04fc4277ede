import YibaoCrypto
import YibaoLedger

/// The org a call acts for, as the transport established it, and how: the evidence an attested batch keeps.
public struct CallerIdentity: Sendable, Equatable {
    public let org: String
    /// The org's role string in the registry (`hospital`, `insurance_bureau:4601`, ...).
    public let role: String
    public let authentication: BatchAuthentication

    public init(org: String, role: String, authentication: BatchAuthentication) {
        self.org = org
        self.role = role
        self.authentication = authentication
    }

    /// The identity of the call being served; set by `AuthenticatedRouter` around every Yibao handler.
    @TaskLocal public static var current: CallerIdentity?

    /// The current call's identity; UNAUTHENTICATED if a handler runs outside `AuthenticatedRouter` (a wiring bug).
    static func required() throws -> CallerIdentity {
        guard let current else { throw LedgerError(.unauthenticated, "the call carries no authenticated org") }
        return current
    }
}
