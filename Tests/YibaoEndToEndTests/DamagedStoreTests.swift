import CLMDB
import Foundation
import Testing
import YibaoClient
import YibaoCrypto
import YibaoDomain
import YibaoLedger
import YibaoProto
import YibaoServer
import YibaoTestSupport

/// A stopped node's `data.mdb` altered byte by byte (as a failing disk or a hand with file access would), then
/// opened by a real node: what it served from the altered bytes is now DATA_LOSS naming the index or state key,
/// its health turns NOT_SERVING, and it refuses writes. A truncated file or random bytes over pages never crash
/// the node or the CLI.
@Suite("End to end: damaged stores", .serialized)
struct DamagedStoreTests {
    static let victim = Records.blueInvoice("0000000002", setlId: "S460106202403010002")
    static let invoices = [Records.blueInvoice("0000000001"), victim, Records.blueInvoice("0000000003")]

    /// A node's folder with three invoices and a settlement, stopped; the victim invoice's issue receipt.
    private static func stoppedStore() async throws -> (EndToEndNode, Yibao_V1_Receipt) {
        let fixture = try EndToEndNode()
        let receipt = try await fixture.withRunning { node in
            let platform = try fixture.client(port: node.port, as: .platform)
            let hospital = try fixture.client(port: node.port, as: .hospital)
            defer { Task { await platform.close(); await hospital.close() } }
            let receipts = Records.receipts(try await platform.invoices.issueInvoices(Records.issue("damage-issue", invoices)).results)
            _ = try await hospital.settlements.uploadSettlements(Records.upload("damage-up", [Records.settlement("S460106202403010002")]))
            // Pages of later entries, so that the victim's page is not the newest (recovery reads the newest entry).
            let later = (100..<140).map { Records.blueInvoice("0000000\($0)") }
            _ = try await platform.invoices.issueInvoices(Records.issue("damage-later", later))
            return receipts[1]
        }
        return (fixture, receipt)
    }

    /// The node on the altered folder, reporting to `board`, with `check` at start.
    private static func withDamagedNode(_ fixture: EndToEndNode, check: LedgerStartCheckMode, board: HealthStatusBoard,
                                        _ body: (LedgerNode) async throws -> Void) async throws {
        try await fixture.withRunning(adjust: { configuration in
            configuration.health = board
            configuration.ledger.startCheck = check
        }, body)
    }

    private static func board() -> HealthStatusBoard {
        let board = HealthStatusBoard()
        board.setStatus(.serving, for: "yibao.v1.InvoiceService")
        return board
    }

    /// Writes are refused with DATA_LOSS once the node knows its store is damaged.
    private static func expectWritesRefused(_ client: EndToEndNode.Client, _ label: String) async {
        await expectStatus(.dataLoss, containing: "accepts no writes", "\(label): a write after the damage") {
            try await client.invoices.issueInvoices(Records.issue("after-damage-\(UUID().uuidString.prefix(8))",
                                                                  [Records.blueInvoice("0000000009")]))
        }
    }

    @Test("a changed bus_no in an entry: GetInvoice and GetEntry answer DATA_LOSS naming its index; health, writes")
    func alteredEntry() async throws {
        let (fixture, receipt) = try await Self.stoppedStore()
        defer { fixture.remove() }
        let changed = try StoreFile(fixture.dataDirectory).replaceEvery(Array("MZ-0000000002".utf8)) { $0[$0.count - 1] = UInt8(ascii: "7") }
        #expect(changed >= 1, "the bus_no is in data.mdb in clear")

        // Without the start check, the damage is met by the reads themselves.
        let board = Self.board()
        try await Self.withDamagedNode(fixture, check: .off, board: board) { node in
            let platform = try fixture.client(port: node.port, as: .platform)
            let auditor = try fixture.client(port: node.port, as: .auditor)
            defer { Task { await platform.close(); await auditor.close() } }
            #expect(board.status(of: "") == .serving, "nothing read yet")
            await expectStatus(.ok, "another invoice still reads") {
                try await platform.invoices.getInvoice(Records.getInvoice(Self.invoices[0]))
            }
            #expect(board.status(of: "") == .serving)
            await expectStatus(.dataLoss, containing: "entry \(receipt.ledgerIndex): its stored bytes do not hash to its transaction hash",
                               "GetInvoice of the altered invoice") {
                try await platform.invoices.getInvoice(Records.getInvoice(Self.victim))
            }
            #expect(board.status(of: "") == .notServing && board.status(of: "yibao.v1.InvoiceService") == .notServing)
            #expect(node.ledger.damage?.foundBy == .read)
            var entry = Yibao_V1_GetEntryRequest()
            entry.entry = .ledgerIndex(receipt.ledgerIndex)
            await expectStatus(.dataLoss, containing: "entry \(receipt.ledgerIndex)", "GetEntry of the altered entry") {
                try await auditor.ledger.getEntry(entry)
            }
            await Self.expectWritesRefused(platform, "altered entry")
        }

        // With the default quick check the newest entries are re-hashed before the node serves.
        let atStart = Self.board()
        try await Self.withDamagedNode(fixture, check: .quick, board: atStart) { node in
            #expect(atStart.status(of: "") == .notServing, "the start check found it")
            #expect(node.ledger.damage?.foundBy == .startCheck)
            #expect(node.ledger.damage?.error.message.contains("entry \(receipt.ledgerIndex)") == true, "\(String(describing: node.ledger.damage))")
            let platform = try fixture.client(port: node.port, as: .platform)
            defer { Task { await platform.close() } }
            await Self.expectWritesRefused(platform, "altered entry, found at start")
        }
        try await Self.expectVerifyFails(fixture, naming: ["entry \(receipt.ledgerIndex)"])
    }

    @Test("yibao-server on a damaged store: it starts, logs one error, health NOT_SERVING, writes refused")
    func serverBinaryOnADamagedStore() async throws {
        let (fixture, receipt) = try await Self.stoppedStore()
        defer { fixture.remove() }
        #expect(try StoreFile(fixture.dataDirectory).replaceEvery(Array("MZ-0000000002".utf8)) { $0[$0.count - 1] = UInt8(ascii: "7") } >= 1)
        try PrivateKeyFile.write(fixture.nodeKey, to: fixture.dataDirectory + "/node-key.pem")
        try await NodeProcess.withRunning(["--data", fixture.dataDirectory, "--listen", "127.0.0.1:0",
                                           "--org-registry", fixture.node.orgRegistryPath]) { child, port in
            let platform = try fixture.client(port: try #require(Int(port)), as: .platform)
            let health = Grpc_Health_V1_HealthClient(platform.rpc)
            var service = Grpc_Health_V1_HealthCheckRequest()
            #expect(try await health.check(service).status == .notServing, "the default quick check found it")
            service.service = "yibao.v1.InvoiceService"
            #expect(try await health.check(service).status == .notServing)
            await expectStatus(.dataLoss, containing: "entry \(receipt.ledgerIndex)", "GetInvoice of the altered invoice") {
                try await platform.invoices.getInvoice(Records.getInvoice(Self.victim))
            }
            await Self.expectWritesRefused(platform, "yibao-server")
            await platform.close()
            let errors = child.stderr.split(separator: "\n").filter { $0.contains("the ledger's store is damaged") }
            #expect(errors.count == 1 && errors.first?.contains("level=error") == true, "one error line:\n\(child.stderr)")
        }
    }

    @Test("a changed byte in the newest signed head: found at start, GetTreeHead answers DATA_LOSS, writes refused")
    func alteredNewestHead() async throws {
        let (fixture, _) = try await Self.stoppedStore()
        defer { fixture.remove() }
        let file = try StoreFile(fixture.dataDirectory)
        let newest = try file.read("heads") { txn, db in try #require(try txn.last(db)).value.prefix(60).map { $0 } }
        #expect(try file.replaceEvery(newest) { $0[59] ^= 0x01 } >= 1)

        let board = Self.board()
        try await Self.withDamagedNode(fixture, check: .quick, board: board) { node in
            #expect(board.status(of: "") == .notServing)
            #expect(node.ledger.damage?.error.message.contains("the tree head stored for size") == true, "\(String(describing: node.ledger.damage))")
            let platform = try fixture.client(port: node.port, as: .platform)
            defer { Task { await platform.close() } }
            await expectStatus(.dataLoss, containing: "tree head", "GetTreeHead of the newest head") {
                try await platform.ledger.getTreeHead(Yibao_V1_GetTreeHeadRequest())
            }
            var proof = Yibao_V1_GetInclusionProofRequest()
            proof.leaf = .ledgerIndex(1)
            await expectStatus(.dataLoss, "an inclusion proof against the newest head") {
                try await platform.ledger.getInclusionProof(proof)
            }
            await Self.expectWritesRefused(platform, "altered head")
        }
    }

    @Test("a state record altered away from its entry: GetInvoice answers DATA_LOSS naming the state key")
    func alteredStateRecord() async throws {
        let (fixture, receipt) = try await Self.stoppedStore()
        defer { fixture.remove() }
        let file = try StoreFile(fixture.dataDirectory)
        // The invoice's current state: its own record in `invoices` (not sealed), which keeps the issued invoice's digest.
        let record = try file.read("invoices") { txn, db in
            var found: [UInt8]?
            try txn.forEach(db) { _, value in
                if let state = try? InvoiceState(decoding: Array(value)), state.key.invoiceNumber == "0000000002" { found = Array(value) }
                return found == nil
            }
            return try #require(found)
        }
        let digest = try InvoiceState(decoding: record).contentDigest.bytes
        let at = try #require(Self.offset(of: digest, in: record))
        #expect(try file.replaceEvery(record) { $0[at] ^= 0x01 } >= 1)

        let board = Self.board()
        try await Self.withDamagedNode(fixture, check: .quick, board: board) { node in
            #expect(board.status(of: "") == .serving, "the quick check does not replay state")
            let platform = try fixture.client(port: node.port, as: .platform)
            defer { Task { await platform.close() } }
            await expectStatus(.dataLoss, containing: "invoices[46010624/0000000002].content_digest does not match the issuing entry \(receipt.ledgerIndex)",
                               "GetInvoice over an altered state record") {
                try await platform.invoices.getInvoice(Records.getInvoice(Self.victim))
            }
            #expect(board.status(of: "") == .notServing)
            await Self.expectWritesRefused(platform, "altered state")
        }
        try await Self.expectVerifyFails(fixture, naming: ["invoices"])
    }

    @Test("data.mdb truncated to half: the node and the CLI refuse it in words, neither crashes")
    func truncatedStore() async throws {
        let (fixture, _) = try await Self.stoppedStore()
        defer { fixture.remove() }
        let path = fixture.dataDirectory + "/data.mdb"
        let size = try #require((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue)
        #expect(truncate(path, off_t(size / 2)) == 0)

        let refused = await #expect(throws: LMDBFileCheck.Damage.self) { try await fixture.start() }
        #expect(refused?.reason.contains("the file is truncated") == true, "\(String(describing: refused))")

        try await Self.expectVerifyFails(fixture, naming: ["truncated"])

        try PrivateKeyFile.write(fixture.nodeKey, to: fixture.dataDirectory + "/node-key.pem")
        let server = try await Binaries.run("yibao-server", ["--data", fixture.dataDirectory, "--listen", "127.0.0.1:0"])
        #expect(server.status == 1, "a refusal, not SIGBUS (\(SIGBUS)): \(server)")
        #expect(server.stderr.contains("truncated"), "\(server)")
    }

    @Test("random bytes over the pages holding an entry: every read answers OK or DATA_LOSS, nothing crashes")
    func randomPageBytes() async throws {
        let (fixture, _) = try await Self.stoppedStore()
        defer { fixture.remove() }
        // An invoice of the later batch: its page holds neither genesis nor the newest entry, which opening reads.
        let victim = Records.blueInvoice("0000000120")
        let pages = try StoreFile(fixture.dataDirectory).randomizePages(holding: Array(victim.busNo.utf8), seed: 0x5EED)
        #expect(pages >= 1)

        let board = Self.board()
        try await Self.withDamagedNode(fixture, check: .off, board: board) { node in
            let auditor = try fixture.client(port: node.port, as: .auditor)
            let platform = try fixture.client(port: node.port, as: .platform)
            defer { Task { await auditor.close(); await platform.close() } }
            var lost = 0
            for index in 0..<node.ledger.treeSize {
                var request = Yibao_V1_GetEntryRequest()
                request.entry = .ledgerIndex(index)
                let got = await status { try await auditor.ledger.getEntry(request) }
                #expect(got.code == .ok || got.code == .dataLoss || got.code == .notFound, "entry \(index): \(got)")
                if got.code == .dataLoss { lost += 1 }
            }
            let invoice = await status { try await platform.invoices.getInvoice(Records.getInvoice(victim)) }
            #expect(invoice.code == .dataLoss || invoice.code == .notFound, "the altered invoice: \(invoice)")
            #expect(lost >= 1, "the victim's entry was on a randomized page")
            #expect(board.status(of: "") == .notServing)
        }
        // The default start check on the same file: the node comes up (read-only) and says so.
        let atStart = Self.board()
        try await Self.withDamagedNode(fixture, check: .quick, board: atStart) { node in
            #expect(node.ledger.damage != nil && atStart.status(of: "") == .notServing)
        }
        try await Self.expectVerifyFails(fixture, naming: ["entry ", "database "])
    }

    @Test("random bytes over the page holding genesis: the node refuses to open in words, verify exits 3")
    func randomGenesisPage() async throws {
        let (fixture, _) = try await Self.stoppedStore()
        defer { fixture.remove() }
        #expect(try StoreFile(fixture.dataDirectory).randomizePages(holding: Array("yibao-node".utf8), seed: 0xD15C) >= 1)
        let refused = await #expect(throws: LedgerError.self) { try await fixture.start() }
        #expect(refused?.code == .dataLoss && refused?.message.contains("opening the store") == true, "\(String(describing: refused))")
        try await Self.expectVerifyFails(fixture, naming: ["entry ", "database ", "cannot be opened"])
    }

    /// `yibao verify` on the stopped, damaged folder: exit 3 (verification failed, not a usage error), its message
    /// naming one of `fragments`.
    private static func expectVerifyFails(_ fixture: EndToEndNode, naming fragments: [String],
                                          sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let verify = try await Binaries.run("yibao", ["verify", "--data", fixture.dataDirectory])
        #expect(verify.status == 3, "\(verify)", sourceLocation: sourceLocation)
        #expect(fragments.contains { verify.stderr.contains($0) }, "names one of \(fragments): \(verify)", sourceLocation: sourceLocation)
    }

    private static func offset(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}

/// The raw `data.mdb` of a stopped node: byte patterns found and changed in the file itself, and values read
/// through LMDB (read-only, closed before a node opens the folder).
struct StoreFile {
    let path: String
    let directory: String

    init(_ directory: String) throws {
        self.directory = directory
        path = directory + "/data.mdb"
    }

    /// Applies `change` to every occurrence of `pattern` (live pages and stale copies alike); returns the count.
    func replaceEvery(_ pattern: [UInt8], _ change: (inout [UInt8]) -> Void) throws -> Int {
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        var changed = pattern
        change(&changed)
        precondition(changed.count == pattern.count && changed != pattern)
        var count = 0
        var at = 0
        while let found = Self.find(pattern, in: bytes, from: at) {
            bytes.replaceSubrange(found..<(found + pattern.count), with: changed)
            count += 1
            at = found + pattern.count
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return count
    }

    /// Overwrites every 4 KiB page holding `pattern` with bytes from a seeded generator; returns how many pages.
    func randomizePages(holding pattern: [UInt8], seed: UInt64) throws -> Int {
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let page = 4096
        var pages = Set<Int>()
        var at = 0
        while let found = Self.find(pattern, in: bytes, from: at) {
            pages.insert(found / page)
            at = found + 1
        }
        var state = seed
        for number in pages.sorted() {
            for i in (number * page)..<min(bytes.count, (number + 1) * page) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes[i] = UInt8(truncatingIfNeeded: state >> 33)
            }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return pages.count
    }

    /// Reads database `name` of the stopped store through LMDB.
    func read<R>(_ name: String, _ body: (LMDBTransaction, LMDBDatabase) throws -> R) throws -> R {
        var options = LMDBEnvironment.Options()
        options.readOnly = true
        let env = try LMDBEnvironment(path: directory, options: options)
        defer { env.close() }
        let db = try #require(try env.existingDatabase(named: name))
        return try env.read { txn in try body(txn, db) }
    }

    private static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard let first = pattern.first, bytes.count >= pattern.count else { return nil }
        var i = start
        while i <= bytes.count - pattern.count {
            if bytes[i] == first, bytes[i..<(i + pattern.count)].elementsEqual(pattern) { return i }
            i += 1
        }
        return nil
    }
}
