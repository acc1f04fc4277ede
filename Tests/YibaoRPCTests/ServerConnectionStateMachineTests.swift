import CNghttp2
import NIOCore
import Testing
@testable import YibaoRPC

/// Connection-level decisions without sockets or clocks: the state machine alone, fed made-up instants.
@Suite("Server connection state machine")
struct ServerConnectionStateMachineTests {
    typealias Machine = ServerConnectionStateMachine

    static func machine(keepalive: TimeAmount? = .seconds(60)) -> Machine {
        var server = RPCServerConfiguration()
        server.prefaceTimeout = .seconds(10)
        server.idleTimeout = .seconds(100)
        server.keepaliveInterval = keepalive
        server.keepaliveTimeout = .seconds(20)
        server.minClientPingInterval = .seconds(300)
        server.maxClientPingStrikes = 2
        server.shutdownPingTimeout = .seconds(2)
        return Machine(configuration: .init(server))
    }

    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static func at(_ seconds: Int64) -> NIODeadline { start + .seconds(seconds) }

    @Test func aPeerThatNeverSendsItsPrefaceIsClosedAtTheDeadline() {
        var machine = Self.machine()
        let started = machine.activated(now: Self.start)
        #expect(started.schedule[.preface] == .seconds(10))
        #expect(started.schedule[.idle] == .seconds(100))
        #expect(started.schedule[.keepalive] == .seconds(60))
        #expect(machine.evictionRank == .beforePreface)
        let fired = machine.timerFired(.preface, now: Self.at(10))
        #expect(fired.close == .now)
        #expect(Set(fired.cancel) == Set(Machine.Timer.allCases))
        #expect(machine.isClosed && machine.evictionRank == nil)
        #expect(machine.timerFired(.idle, now: Self.at(100)) == Machine.Actions(), "nothing after the close")
    }

    @Test func settingsCompleteThePreface() {
        var machine = Self.machine()
        _ = machine.activated(now: Self.start)
        #expect(machine.settingsReceived().cancel == [.preface])
        #expect(machine.evictionRank == .afterPreface)
        #expect(machine.timerFired(.preface, now: Self.at(10)) == Machine.Actions(), "a stale preface timer does nothing")
        #expect(!machine.isClosed)
    }

    @Test func idleCountsCallFramesAndWaitsForOpenCalls() {
        var machine = Self.machine()
        _ = machine.activated(now: Self.start)
        _ = machine.settingsReceived()
        machine.streamFrameReceived(now: Self.at(60))
        // Fired at 100 s, but a call frame came at 60 s: wait the 60 s left.
        #expect(machine.timerFired(.idle, now: Self.at(100)).schedule[.idle] == .seconds(60))
        machine.streamOpened()
        #expect(machine.evictionRank == nil, "a connection that started a call is not evicted")
        #expect(machine.timerFired(.idle, now: Self.at(160)) == Machine.Actions(), "not idle with a call open")
        #expect(machine.streamClosed(now: Self.at(500)).schedule[.idle] == .seconds(100), "the clock restarts in full")
        let idle = machine.timerFired(.idle, now: Self.at(600))
        #expect(idle.goAway == .notice && idle.ping == .shutdown && idle.schedule[.shutdownPing] == .seconds(2))
        #expect(machine.evictionRank == nil)
    }

    @Test func gracefulShutdownNoticePingFinalGoAwayThenDrain() {
        var machine = Self.machine()
        _ = machine.activated(now: Self.start)
        _ = machine.settingsReceived()
        machine.streamOpened()
        #expect(machine.beginGracefulShutdown().goAway == .notice)
        #expect(machine.beginGracefulShutdown() == Machine.Actions(), "once")
        let acked = machine.pingAcknowledged(Machine.PingPayload.shutdown.rawValue)
        #expect(acked.goAway == .final(errorCode: NGHTTP2_NO_ERROR.rawValue, debugData: ""))
        #expect(acked.cancel == [.shutdownPing] && acked.close == .whenDrained)
        #expect(machine.isGoAwaySent)
        #expect(machine.timerFired(.shutdownPing, now: Self.at(2)) == Machine.Actions(), "the timer is late: no second GOAWAY")
        #expect(machine.streamClosed(now: Self.at(3)).close == .whenDrained, "the last call ends: close")
    }

    @Test func keepaliveWithoutAnAckCloses() {
        var machine = Self.machine()
        _ = machine.activated(now: Self.start)
        let ping = machine.timerFired(.keepalive, now: Self.at(60))
        #expect(ping.ping == .keepalive && ping.schedule[.keepaliveAck] == .seconds(20))
        let acked = machine.pingAcknowledged(Machine.PingPayload.keepalive.rawValue)
        #expect(acked.cancel == [.keepaliveAck] && acked.schedule[.keepalive] == .seconds(60))
        _ = machine.timerFired(.keepalive, now: Self.at(120))
        #expect(machine.timerFired(.keepaliveAck, now: Self.at(140)).close == .now)
    }

    @Test func aPingFloodGetsEnhanceYourCalm() {
        var machine = Self.machine()
        _ = machine.activated(now: Self.start)
        #expect(machine.clientPinged(now: Self.at(1)) == Machine.Actions(), "the first PING is free")
        #expect(machine.clientPinged(now: Self.at(2)) == Machine.Actions(), "strike 1")
        machine.responseSent()
        #expect(machine.clientPinged(now: Self.at(3)) == Machine.Actions(), "a response reset the count")
        _ = machine.clientPinged(now: Self.at(4))
        _ = machine.clientPinged(now: Self.at(5))
        let calm = machine.clientPinged(now: Self.at(6))
        #expect(calm.goAway == .final(errorCode: NGHTTP2_ENHANCE_YOUR_CALM.rawValue, debugData: "too_many_pings"))
        #expect(calm.close == .afterFlushing)
        #expect(machine.clientPinged(now: Self.at(7)) == Machine.Actions(), "GOAWAY once")
    }

    @Test func aVerifiedPeerIsNotEvicted() {
        var machine = Self.machine()
        _ = machine.activated(now: Self.start)
        machine.peerVerified()
        #expect(machine.evictionRank == nil)
    }
}
