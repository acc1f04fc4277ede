import NIOCore

/// Carries out what `ServerConnectionStateMachine` decides: its timers on the event loop, GOAWAY and PING
/// through nghttp2, closing, and the connection's eviction eligibility in the registry.
extension GRPCServerConnectionHandler {
    func apply(_ actions: ServerConnectionStateMachine.Actions) {
        for timer in actions.cancel {
            managementTimers.removeValue(forKey: timer)?.cancel()
        }
        for (timer, delay) in actions.schedule {
            managementTimers[timer]?.cancel()
            let bound = NIOLoopBound(self, eventLoop: eventLoop)
            managementTimers[timer] = eventLoop.scheduleTask(in: delay) { bound.value.timerFired(timer) }
        }
        guard let session else { return }
        switch actions.goAway {
        case .notice:
            session.submitShutdownNotice()
            // nghttp2 sends PINGs ahead of everything else queued, so write the notice first: the PING's ACK must
            // prove the client saw the notice. (If the socket is backed up, the fallback timer still ends it.)
            flushOutput()
        case .final(let errorCode, let debugData):
            session.submitGoAway(errorCode: errorCode, debugData: debugData)
        case nil:
            break
        }
        if let ping = actions.ping { session.submitPing(opaque: ping.rawValue) }
        if actions.goAway != nil || actions.ping != nil { flushOutput() }
        switch actions.close {
        case .now:
            guard let context = channelContext, !isClosing else { return }
            isClosing = true
            context.close(promise: nil)
        case .afterFlushing:
            closeAfterFlushing()
        case .whenDrained:
            closeIfDrained()
        case nil:
            break
        }
        publishEvictionRank()
    }

    func timerFired(_ timer: ServerConnectionStateMachine.Timer) {
        managementTimers[timer] = nil
        apply(management.timerFired(timer, now: .now()))
    }

    /// After a read: if frames that carry calls completed, the connection is in use (bytes alone are not).
    func noteStreamFrames() {
        guard let session, session.streamFramesReceived != seenStreamFrames else { return }
        seenStreamFrames = session.streamFramesReceived
        management.streamFrameReceived(now: .now())
    }

    /// Tells the registry when the connection becomes (or stops being) a candidate for eviction.
    func publishEvictionRank() {
        let rank = management.evictionRank
        guard rank != publishedEvictionRank, let channel = channelContext?.channel else { return }
        publishedEvictionRank = rank
        registry.update(channel, rank: rank)
    }
}
