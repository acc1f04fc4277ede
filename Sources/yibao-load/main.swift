import Foundation
import YibaoLoad
import YibaoLoadSupport

// yibao-load: drives a Yibao node through the generated client and reports throughput, latency and errors.
// See benchmarks/README.md ("yibao-load") for the scenarios and what each figure means.

let usage = """
    usage: yibao-load <scenario> [options]
           yibao-load orgs --out DIR [--hospitals N]
           yibao-load grpc-frame --out FILE [--visit N]   (a framed GetInvoice request body for h2load -d)
    scenarios:
      hospital-feed    IssueInvoices + UploadSettlements batches (automatic link), hospitals interleaved
      single-writes    the same with batch 1, for latency (try --rate 1000)
      issue-invoices   IssueInvoices batches only (what the grpc-swift-2 peer serves)
      streaming-feed   FeedSettlements: one bidirectional stream per hospital, one batch in flight each
      query-mix        GetInvoice, GetSettlement, TraceInvoice, GetInclusionProof over loaded visits
      get-invoice      GetInvoice only
      mixed-day        feed batches, bureau lock + entry, and the query mix on top of a history
    options:
      --target HOST:PORT     node address (default 127.0.0.1:50051)
      --keys DIR             sign every call with DIR/<org>.pem (yibao-load orgs writes them); without it calls
                             only name their org, which a node accepts in development mode (--dev) only
      --connections N        HTTP/2 connections (default 1)
      --concurrency N        closed loop: operations in flight (default 8)
      --rate R               open loop: R operations per second are due, latency counted from the due time
      --max-in-flight N      open loop: at most N outstanding (default 1000)
      --warmup S / --duration S   seconds (default 2 / 10)
      --operations N         stop after N operations (warm-up included)
      --batch N              records per batch (hospital-feed 1000, streaming-feed 500, mixed-day 100)
      --hospitals N          hospitals interleaved (default 300)
      --bad-share F          share of visits with a deliberate defect, 0...1 (default 0)
      --seed N               workload seed (default 11643); --first-sequence N starts each hospital later
      --visits N             query-mix / mixed-day: visits read (default 100000); --no-preload if already loaded
      --mix q=w,...          query weights (get-invoice, get-settlement, trace-invoice, inclusion-proof)
      --server-pid PID       the node's pid when local: its CPU, peak RSS and RssAnon are reported
      --json PATH            the full report as JSON; --svg PATH: latency percentiles and rate over time
      --quiet                no progress line
    exit status: 0 when nothing failed unexpectedly; 1 otherwise, also when no gRPC server answers at --target
                 before the run (one GetTreeHead; any answer, UNIMPLEMENTED included, will do) or a file does not
                 read or write; 2 for a usage error
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("yibao-load: \(message)\n\(usage)\n".utf8))
    exit(2)
}

/// Runs a step that is not a measured call (files, keys, reaching the node, a scenario's untimed preparation);
/// if it throws, says which step and why, and exits 1 instead of trapping.
func step<T>(_ what: String, _ body: () async throws -> T) async -> T {
    do {
        return try await body()
    } catch let error as LoadSetupError {
        FileHandle.standardError.write(Data("yibao-load: \(error)\n".utf8))
    } catch let error as CocoaError {
        FileHandle.standardError.write(Data("yibao-load: \(what): \(error.localizedDescription)\n".utf8))
    } catch {
        FileHandle.standardError.write(Data("yibao-load: \(what): \(error)\n".utf8))
    }
    exit(1)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, !command.hasPrefix("-") else { fail("name a scenario") }
arguments.removeFirst()

var options: [String: String] = [:]
var flags: Set<String> = []
while let flag = arguments.first {
    arguments.removeFirst()
    switch flag {
    case "--no-preload", "--quiet": flags.insert(flag)
    case "-h", "--help": print(usage); exit(0)
    default:
        guard flag.hasPrefix("--"), let value = arguments.first else { fail("unknown or incomplete option \(flag)") }
        arguments.removeFirst()
        options[String(flag.dropFirst(2))] = value
    }
}

@MainActor func number<T: LosslessStringConvertible>(_ key: String, _ fallback: T) -> T {
    guard let text = options[key] else { return fallback }
    guard let value = T(text.replacingOccurrences(of: "_", with: "")) else { fail("--\(key) \(text) is not a number") }
    return value
}

if command == "orgs" {
    guard let out = options["out"] else { fail("orgs needs --out DIR") }
    let hospitals: Int = number("hospitals", 300)
    let path = await step("writing the orgs to \(out)") { try LoadOrgs.write(to: out, hospitals: hospitals) }
    print(path)
    exit(0)
}

if command == "grpc-frame" {
    // gRPC's length-prefixed message (flag 0, u32 big-endian length, the protobuf bytes) of one GetInvoice
    // request, for h2load against the raw RPC layer.
    guard let out = options["out"] else { fail("grpc-frame needs --out FILE") }
    let workload = SyntheticWorkload(hospitals: number("hospitals", 300), seed: number("seed", 11643))
    let frame = Data(GRPCFrame.getInvoice(workload: workload, visit: number("visit", 0)))
    await step("writing \(out)") { try frame.write(to: URL(fileURLWithPath: out)) }
    exit(0)
}

let target = options["target"] ?? "127.0.0.1:50051"
guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]) else {
    fail("--target must be HOST:PORT")
}
let host = String(target[..<colon])
let workload = SyntheticWorkload(hospitals: number("hospitals", 300), seed: number("seed", 11643),
                                 defectShare: number("bad-share", 0.0))
let connections: Int = number("connections", 1)
var identity = LoadIdentity.development
if let keys = options["keys"] {
    let orgs = [SyntheticWorkload.platformOrg, SyntheticWorkload.bureauOrg] + (0..<workload.hospitals).map(SyntheticWorkload.hospitalCode)
    identity = await step("reading the keys") { try LoadIdentity.signed(keysDirectory: keys, orgs: orgs) }
}
let connection = await step("connecting") { [identity] in
    try LoadConnection(host: host, port: port, connections: connections, identity: identity)
}
await step("reaching \(target)") { try await connection.checkReachable() }
let firstSequence: Int = number("first-sequence", 0)
let visits: Int = number("visits", 100_000)
let preload = !flags.contains("--no-preload")

@MainActor func queryMix(_ text: String) -> [(QueryMixScenario.Query, Int)] {
    text.split(separator: ",").map { part in
        let pair = part.split(separator: "=")
        guard pair.count == 2, let query = QueryMixScenario.Query(rawValue: String(pair[0])), let weight = Int(pair[1]) else {
            fail("--mix: \(part) is not query=weight")
        }
        return (query, weight)
    }
}

let scenario: any LoadScenario
var settings = ["hospitals": String(workload.hospitals), "connections": String(connections),
                "identity": options["keys"] == nil ? "development" : "signed",
                "bad_share": String(workload.defectShare), "seed": String(workload.seed)]
switch command {
case "hospital-feed", "single-writes", "issue-invoices":
    let batch: Int = number("batch", command == "single-writes" ? 1 : 1000)
    settings["batch"] = String(batch)
    scenario = HospitalFeedScenario(connection: connection, workload: workload, batchSize: batch, firstSequence: firstSequence,
                                    issueOnly: command == "issue-invoices")
case "streaming-feed":
    let batch: Int = number("batch", 500)
    settings["batch"] = String(batch)
    let streams: Int = options["rate"] != nil ? number("max-in-flight", 1000) : number("concurrency", 8)
    scenario = StreamingFeedScenario(connection: connection, workload: workload, batchSize: batch, firstSequence: firstSequence,
                                     streams: streams)
case "query-mix", "get-invoice":
    let mix = command == "get-invoice" ? [(.getInvoice, 1)] : queryMix(options["mix"] ?? "get-invoice=40,get-settlement=30,trace-invoice=15,inclusion-proof=15")
    settings["visits"] = String(visits)
    settings["mix"] = mix.map { "\($0.0.rawValue)=\($0.1)" }.joined(separator: ",")
    scenario = QueryMixScenario(connection: connection, workload: workload, visits: visits, preload: preload, mix: mix)
case "mixed-day":
    let batch: Int = number("batch", 100)
    settings["batch"] = String(batch)
    settings["history"] = String(visits)
    scenario = MixedDayScenario(connection: connection, workload: workload, history: visits, preload: preload, feedBatch: batch)
default:
    fail("unknown scenario \(command)")
}

let mode: LoadPlan.Mode
if let rate = options["rate"] {
    guard let value = Double(rate), value > 0 else { fail("--rate must be a positive number") }
    mode = .open(ratePerSecond: value, maxInFlight: number("max-in-flight", 1000))
} else {
    mode = .closed(concurrency: number("concurrency", 8))
}
let plan = LoadPlan(mode: mode, warmupSeconds: number("warmup", 2.0), durationSeconds: number("duration", 10.0),
                    maxOperations: options["operations"].map { _ in number("operations", 0) },
                    progress: !flags.contains("--quiet"))
let serverPID: Int32? = options["server-pid"].map { _ in number("server-pid", Int32(0)) }
var report = await step("running \(command)") { try await LoadEngine(plan: plan, serverPID: serverPID).run(scenario) }
report.target = target
report.settings = settings
await connection.close()

print(report.text)
if let path = options["json"] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    await step("writing \(path)") { try encoder.encode(report).write(to: URL(fileURLWithPath: path)) }
}
if let path = options["svg"] {
    let svg = LatencyPlot.svg(report)
    await step("writing \(path)") { try svg.write(toFile: path, atomically: true, encoding: .utf8) }
}
exit(report.tally.unexpectedFailures == 0 ? 0 : 1)
