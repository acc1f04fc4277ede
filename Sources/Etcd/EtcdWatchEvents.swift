import YibaoClient
import YibaoProto
import YibaoRPC

/// The events of one watch, in revision order, as etcd sends them. Iteration throws `EtcdError`:
/// `compacted(compactRevision:)` when the watch's start (or a revision it fell behind to) was compacted,
/// `watchCanceled` when etcd ends the watch otherwise, `unavailable` when the member is lost. A new watch from
/// the revision after the last event seen continues where this one stopped.
///
/// Bounded: it holds the events of one response at a time (one message, at most `maxResponseBytes`); the RPC
/// stream below stops crediting etcd's HTTP/2 window while a few responses wait unread, so a slow reader
/// slows etcd's sending instead of growing a buffer.
public struct EtcdWatchEvents: AsyncSequence {
    public typealias Element = Mvccpb_Event

    let responses: RPCTypedResponseStream<Etcdserverpb_WatchResponse>.AsyncIterator
    let endpoint: EtcdEndpoint

    public struct AsyncIterator: AsyncIteratorProtocol {
        var responses: RPCTypedResponseStream<Etcdserverpb_WatchResponse>.AsyncIterator
        let endpoint: EtcdEndpoint
        var pending: [Mvccpb_Event] = []
        var nextPending = 0
        /// The revision of the last event returned: etcd sends a watch's events in revision order (several
        /// events of one txn share one), and a log applied in order depends on it, so a step back is an error.
        var lastRevision: Int64 = 0

        public mutating func next() async throws -> Mvccpb_Event? {
            while nextPending == pending.count {
                let response: Etcdserverpb_WatchResponse?
                do {
                    response = try await responses.next()
                } catch let status as GRPCStatus {
                    throw EtcdWatchEvents.error(status, endpoint)
                }
                guard let response else { throw EtcdError.watchCanceled(reason: "\(endpoint) ended the watch stream") }
                try EtcdWatchEvents.check(response)
                pending = response.events
                nextPending = 0
            }
            let event = pending[nextPending]
            nextPending += 1
            let revision = event.kv?.modRevision ?? 0
            guard revision >= lastRevision else {
                throw EtcdError.rpc(GRPCStatus(.internal,
                    "\(endpoint) sent a watch event at revision \(revision) after one at \(lastRevision)"))
            }
            lastRevision = revision
            return event
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(responses: responses, endpoint: endpoint)
    }

    /// A response that ends the watch, as the error the reader gets.
    static func check(_ response: Etcdserverpb_WatchResponse) throws(EtcdError) {
        if response.compactRevision != 0 { throw .compacted(compactRevision: response.compactRevision) }
        if response.canceled {
            throw .watchCanceled(reason: response.cancelReason.isEmpty ? "canceled by etcd" : response.cancelReason)
        }
    }

    static func error(_ status: GRPCStatus, _ endpoint: EtcdEndpoint) -> EtcdError {
        switch EtcdFailure(status: status, endpoint: endpoint).kind {
        case .final(let error): error
        case .notApplied, .ambiguous: .unavailable("\(endpoint): \(status.message)")
        }
    }
}
