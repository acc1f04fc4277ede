import Testing
import YibaoRPC
@testable import YibaoEtcd

/// How a failed attempt is read: etcd 3.4's own status messages (its rpctypes) and the RPC client's connection
/// failures, each to what the failover loop does with it. The live tests reach only some of these (no test
/// makes etcd time out or lose its leader on purpose), so the table is checked here too.
@Suite("EtcdFailure")
struct EtcdFailureTests {
    static let endpoint = EtcdEndpoint(port: 2379)

    enum Expected: Equatable {
        case notApplied, ambiguous
        case final(EtcdError)
    }

    static func classify(_ code: GRPCStatus.Code, _ message: String) -> Expected {
        switch EtcdFailure(status: GRPCStatus(code, message), endpoint: endpoint).kind {
        case .notApplied: .notApplied
        case .ambiguous: .ambiguous
        case .final(let error): .final(error)
        }
    }

    @Test(arguments: [
        (GRPCStatus.Code.unavailable, "etcdserver: no leader", Expected.notApplied),
        (.unavailable, "cannot connect to 127.0.0.1:2379: connection refused", .notApplied),
        (.unavailable, "deadline reached while connecting to 127.0.0.1:2379", .notApplied),
        (.deadlineExceeded, "deadline reached while connecting to 127.0.0.1:2379", .notApplied),
        (.deadlineExceeded, "deadline reached while reconnecting to 127.0.0.1:2379: refused", .notApplied),
        (.unavailable, "connection closed (before the call was sent)", .notApplied),
        (.unavailable, "etcdserver: request timed out", .ambiguous),
        (.unavailable, "etcdserver: request timed out, possibly due to previous leader failure", .ambiguous),
        (.unavailable, "etcdserver: leader changed", .ambiguous),
        (.unavailable, "connection to 127.0.0.1:2379 failed: Connection reset by peer", .ambiguous),
        (.deadlineExceeded, "deadline exceeded", .ambiguous),
        (.outOfRange, "etcdserver: mvcc: required revision has been compacted", .final(.compacted(compactRevision: nil))),
        (.outOfRange, "etcdserver: mvcc: required revision is a future revision", .final(.futureRevision)),
        (.notFound, "etcdserver: requested lease not found", .final(.leaseNotFound)),
        (.resourceExhausted, "etcdserver: mvcc: database space exceeded", .final(.noSpace)),
        (.resourceExhausted, "etcdserver: too many requests", .final(.tooManyRequests)),
        (.resourceExhausted, "response message of 5000000 bytes exceeds the limit of 4194304 bytes",
         .final(.responseTooLarge("127.0.0.1:2379: response message of 5000000 bytes exceeds the limit of 4194304 bytes"))),
        (.invalidArgument, "etcdserver: too many operations in txn request",
         .final(.invalidRequest("etcdserver: too many operations in txn request"))),
        (.permissionDenied, "etcdserver: permission denied",
         .final(.rpc(GRPCStatus(.permissionDenied, "etcdserver: permission denied")))),
    ])
    func classification(_ code: GRPCStatus.Code, _ message: String, _ expected: Expected) {
        #expect(Self.classify(code, message) == expected)
    }
}
