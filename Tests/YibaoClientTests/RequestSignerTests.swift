import NIOCore
import Testing
import YibaoClient
import YibaoCrypto
import YibaoRPC

/// `RequestSigner` through a real call: the server side of this test checks what arrived the way the
/// contract's server does (org, timestamp window, SM2 over RequestSigningMessage with SM3 of the request).
@Suite("Request signing")
struct RequestSignerTests {
    static func verdict(_ context: RPCServerContext, request: [UInt8]?, key: SM2PublicKey) -> String {
        let metadata = context.requestMetadata
        guard let org = metadata.firstString("yibao-org") else { return "no org" }
        guard let timestamp = metadata.firstString("yibao-timestamp").flatMap(UInt64.init) else { return "no timestamp" }
        guard let signature = metadata.firstBytes("yibao-signature-bin") else { return "no signature" }
        let now = RequestSigner.utcMilliseconds()
        guard max(now, timestamp) - min(now, timestamp) <= 300_000 else { return "timestamp outside the window" }
        let message = RequestSigningMessage.bytes(method: context.method, org: org, timestampMs: timestamp,
                                                  requestDigest: HashAlgorithm.sm3.hash(request ?? []))
        return key.isValidSignature(signature, for: message) ? "valid \(org)" : "bad signature"
    }

    @Test func unaryAndStreamingCallsCarryAValidSignature() async throws {
        let key = SM2PrivateKey()
        let publicKey = key.publicKey
        var router = RPCRouter()
        router.register("/yibao.test.v1.Sign/Unary", .unary { request, context in
            ByteBuffer(string: Self.verdict(context, request: Array(request.readableBytesView), key: publicKey))
        })
        router.register("/yibao.test.v1.Sign/Stream", .clientStreaming { requests, context in
            for try await _ in requests {}
            return ByteBuffer(string: Self.verdict(context, request: nil, key: publicKey))
        })
        let server = try await RPCServer.start(router: router)
        var configuration = RPCClientConfiguration(port: server.port)
        configuration.callAuthenticator = RequestSigner(org: "H46010600001", privateKey: key).authenticator
        let client = try RPCClient(configuration: configuration)

        let unary = try await client.unary(path: "/yibao.test.v1.Sign/Unary", request: Array("invoice batch".utf8))
        #expect(String(decoding: unary.message, as: UTF8.self) == "valid H46010600001")
        let stream = try await client.clientStreaming(path: "/yibao.test.v1.Sign/Stream") { writer in
            try await writer.write([1, 2, 3])
        }
        #expect(String(decoding: stream.message, as: UTF8.self) == "valid H46010600001")

        // Signed by another key: the same check refuses it, so the test can tell good from bad.
        var forged = RPCClientConfiguration(port: server.port)
        forged.callAuthenticator = RequestSigner(org: "H46010600001", privateKey: SM2PrivateKey()).authenticator
        let forger = try RPCClient(configuration: forged)
        let refused = try await forger.unary(path: "/yibao.test.v1.Sign/Unary", request: Array("invoice batch".utf8))
        #expect(String(decoding: refused.message, as: UTF8.self) == "bad signature")

        await client.close()
        await forger.close()
        await server.shutdown()
    }
}
