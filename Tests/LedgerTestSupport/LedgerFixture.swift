import Foundation
import YibaoCrypto
import YibaoLedger

/// A ledger in a fresh temporary folder with one registered hospital, removed when the test ends.
public final class LedgerFixture: @unchecked Sendable {
    public static let org = "H46010600001"
    public let directory: String
    public let nodeKey = SM2PrivateKey()
    public let orgKey = SM2PrivateKey()
    public private(set) var ledger: Ledger
    public var configuration: LedgerConfiguration
    private var requestCounter = 0

    public init(configuration: LedgerConfiguration = LedgerFixture.fastConfiguration()) async throws {
        directory = NSTemporaryDirectory() + "yibao-test-" + UUID().uuidString
        self.configuration = configuration
        ledger = try Ledger(directory: directory, nodeKey: nodeKey, configuration: configuration)
        try await ledger.registerOrg(code: Self.org, role: "hospital", publicKey: orgKey.publicKey)
    }

    /// Tests still fsync (the real path), on a small map.
    public static func fastConfiguration() -> LedgerConfiguration {
        var c = LedgerConfiguration()
        c.initialMapSize = 16 << 20
        return c
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    public func reopen() throws {
        ledger.shutdown()
        ledger = try Ledger(directory: directory, nodeKey: nodeKey, configuration: configuration)
        isShutDown = false
    }

    public func nextRequestId() -> String {
        requestCounter += 1
        return "req-\(requestCounter)-\(UUID().uuidString.prefix(8))"
    }

    public func batch(_ payloads: [[UInt8]], kind: EntryKind = .attestation, requestId: String? = nil) throws -> SignedBatch {
        try SignedBatch.signing(org: Self.org, requestId: requestId ?? nextRequestId(),
                                records: payloads.map { LedgerRecord(kind: kind, payload: $0) }, key: orgKey)
    }

    public func submit(_ payloads: [[UInt8]], requestId: String? = nil) async throws -> [Receipt] {
        try await ledger.submit(batch(payloads, requestId: requestId)).map { try $0.get() }
    }

    public static func payload(_ i: Int, size: Int = 64) -> [UInt8] {
        var bytes = Array("record-\(i)-".utf8)
        while bytes.count < size { bytes.append(UInt8(truncatingIfNeeded: bytes.count &* 31 &+ i)) }
        return bytes
    }

    public private(set) var isShutDown = false

    public func shutdown() {
        ledger.shutdown()
        isShutDown = true
    }

    /// Through the open ledger while it runs (one LMDB environment per process), offline once shut down.
    public func verify() throws -> LedgerVerifier.Report {
        if isShutDown {
            return try LedgerVerifier(directory: directory, expectedNodeKey: nodeKey.publicKey,
                                      stateMachine: configuration.stateMachine,
                                      dataKey: try DataKeyFile.load(directory: directory)).verify()
        }
        return try ledger.verify(expectedNodeKey: nodeKey.publicKey)
    }
}
