import Foundation
import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoLedger

@Suite struct OrgRegistryFileTests {
    private func path(_ f: LedgerFixture, _ name: String) -> String { f.directory + "/" + name }

    @Test func applyingTheSameFileTwiceWritesOnce() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        let bank = SM2PrivateKey(), bureau = SM2PrivateKey()
        let file = path(f, "orgs.json")
        try OrgRegistryFile(orgs: [
            .init(code: "B001", role: "bank", publicKey: bank.publicKey),
            .init(code: "Y4601", role: "insurance_bureau:4601", publicKey: bureau.publicKey),
        ]).write(to: file)
        let first = try await f.ledger.apply(OrgRegistryFile(path: file))
        #expect(first.count == 2)
        #expect(f.ledger.org("B001")?.role == "bank")
        #expect(f.ledger.org("Y4601")?.publicKey == bureau.publicKey)
        let size = f.ledger.treeSize
        #expect(try await f.ledger.apply(OrgRegistryFile(path: file)).isEmpty)
        #expect(f.ledger.treeSize == size)
        // A changed role (or key) is one new registration entry.
        try OrgRegistryFile(orgs: [
            .init(code: "B001", role: "channel", publicKey: bank.publicKey),
            .init(code: "Y4601", role: "insurance_bureau:4601", publicKey: bureau.publicKey),
        ]).write(to: file)
        #expect(try await f.ledger.apply(OrgRegistryFile(path: file)).count == 1)
        #expect(f.ledger.org("B001")?.role == "channel")
        #expect(try f.verify().isValid)
    }

    @Test func aBadFileIsRefusedWholeWithThePlaceNamed() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        let file = path(f, "bad.json")
        let key = SM2PrivateKey().publicKey.pemRepresentation.replacingOccurrences(of: "\n", with: "\\n")
        try #"{"orgs": [{"code": "A1", "role": "bank", "public_key_pem": "\#(key)"}, {"code": "A 2", "role": "bank", "public_key_pem": "\#(key)"}]}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let error = #expect(throws: LedgerError.self) { try OrgRegistryFile(path: file) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.hasPrefix("org registry \(file): orgs[1].code: org code must be") == true)

        try #"{"orgs": [{"code": "A1", "role": "bank", "public_key_pem": "garbage"}]}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let badKey = #expect(throws: LedgerError.self) { try OrgRegistryFile(path: file) }
        #expect(badKey?.message.hasPrefix("org registry \(file): orgs[0].public_key_pem: not an SM2 public key") == true)

        try "not json".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: LedgerError.self) { try OrgRegistryFile(path: file) }
        #expect(throws: LedgerError.self) { try OrgRegistryFile(path: file + ".missing") }
    }
}
