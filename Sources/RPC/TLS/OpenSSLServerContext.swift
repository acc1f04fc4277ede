import COpenSSL
import Foundation

/// One `SSL_CTX` built from a `TLSConfiguration` at server start and shared (read-only, as OpenSSL allows) by
/// every connection: certificates, key, client CA, TLS 1.2+, ALPN `h2`, no renegotiation.
final class OpenSSLServerContext: @unchecked Sendable {
    /// PEM inputs larger than this are refused: certificates and keys are a few KiB.
    static let maxPEMBytes = 1 << 20
    /// Certificates read from one PEM input, at most.
    static let maxCertificatesPerPEM = 64

    let pointer: OpaquePointer
    let configuration: TLSConfiguration

    init(_ configuration: TLSConfiguration) throws {
        let ctx = try Self.makeHardenedContext(TLS_server_method())
        pointer = ctx
        self.configuration = configuration
        yibao_ssl_ctx_require_alpn_h2(ctx)
        try useCertificateChain(configuration.certificateChain)
        try usePrivateKey(configuration.privateKey)
        try configureClientAuthentication(configuration)
    }

    deinit { SSL_CTX_free(pointer) }

    private func useCertificateChain(_ source: TLSConfiguration.PEMSource) throws {
        let certificates = try Self.readCertificates(source, what: "certificate chain")
        defer { certificates.forEach { X509_free($0) } }
        guard let leaf = certificates.first else { throw TLSError("the certificate chain holds no certificate") }
        guard SSL_CTX_use_certificate(pointer, leaf) == 1 else {
            throw TLSError("server certificate refused", openSSLReasons: OpenSSLErrorQueue.drain())
        }
        for intermediate in certificates.dropFirst() {
            guard yibao_ssl_ctx_add1_chain_cert(pointer, intermediate) == 1 else {
                throw TLSError("intermediate certificate refused", openSSLReasons: OpenSSLErrorQueue.drain())
            }
        }
    }

    private func usePrivateKey(_ source: TLSConfiguration.PEMSource) throws {
        let key: OpaquePointer? = try Self.withPEMBIO(source, what: "private key") { bio in
            PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let key else { throw TLSError("no private key in the PEM", openSSLReasons: OpenSSLErrorQueue.drain()) }
        defer { EVP_PKEY_free(key) }
        guard SSL_CTX_use_PrivateKey(pointer, key) == 1, SSL_CTX_check_private_key(pointer) == 1 else {
            throw TLSError("the private key does not match the certificate", openSSLReasons: OpenSSLErrorQueue.drain())
        }
    }

    private func configureClientAuthentication(_ configuration: TLSConfiguration) throws {
        let mode: Int32
        switch configuration.clientAuthentication {
        case .none:
            SSL_CTX_set_verify(pointer, SSL_VERIFY_NONE, nil)
            return
        case .optional:
            mode = SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE
        case .required:
            mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE
        }
        guard let caSource = configuration.clientCA else {
            throw TLSError("client authentication needs clientCA")
        }
        let authorities = try Self.readCertificates(caSource, what: "client CA")
        defer { authorities.forEach { X509_free($0) } }
        guard !authorities.isEmpty else { throw TLSError("the client CA PEM holds no certificate") }
        let store = SSL_CTX_get_cert_store(pointer)
        for authority in authorities {
            // The store verifies; the CA list tells clients which issuers we accept (CertificateRequest).
            guard X509_STORE_add_cert(store, authority) == 1, SSL_CTX_add_client_CA(pointer, authority) == 1 else {
                throw TLSError("client CA refused", openSSLReasons: OpenSSLErrorQueue.drain())
            }
        }
        SSL_CTX_set_verify(pointer, mode, nil)
        SSL_CTX_set_verify_depth(pointer, configuration.maxClientChainDepth)
    }

    /// A new `SSL_CTX` (server or client method) with what both roles want: TLS 1.2 minimum, no
    /// renegotiation, no compression, released idle buffers.
    static func makeHardenedContext(_ method: OpaquePointer?) throws -> OpaquePointer {
        guard let ctx = SSL_CTX_new(method) else {
            throw TLSError("SSL_CTX_new failed", openSSLReasons: OpenSSLErrorQueue.drain())
        }
        guard yibao_ssl_ctx_set_min_tls12(ctx) == 1 else {
            SSL_CTX_free(ctx)
            throw TLSError("cannot set the minimum version to TLS 1.2", openSSLReasons: OpenSSLErrorQueue.drain())
        }
        yibao_ssl_ctx_harden(ctx)
        return ctx
    }

    // MARK: PEM

    static func pemText(_ source: TLSConfiguration.PEMSource, what: String) throws -> [UInt8] {
        switch source {
        case .pem(let text):
            guard text.utf8.count <= maxPEMBytes else { throw TLSError("\(what): PEM above \(maxPEMBytes) bytes") }
            return Array(text.utf8)
        case .file(let path):
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw TLSError("\(what): cannot open \(path)")
            }
            defer { try? handle.close() }
            let data = try handle.read(upToCount: maxPEMBytes + 1) ?? Data()
            guard data.count <= maxPEMBytes else { throw TLSError("\(what): \(path) above \(maxPEMBytes) bytes") }
            return Array(data)
        }
    }

    static func withPEMBIO<T>(_ source: TLSConfiguration.PEMSource, what: String,
                              _ body: (OpaquePointer) throws -> T) throws -> T {
        let bytes = try pemText(source, what: what)
        return try bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                throw TLSError("\(what): BIO_new_mem_buf failed", openSSLReasons: OpenSSLErrorQueue.drain())
            }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    /// Every certificate in the PEM, in order; the caller frees them.
    static func readCertificates(_ source: TLSConfiguration.PEMSource, what: String) throws -> [OpaquePointer] {
        let certificates = try withPEMBIO(source, what: what) { bio -> [OpaquePointer] in
            var found: [OpaquePointer] = []
            while found.count < maxCertificatesPerPEM, let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
                found.append(certificate)
            }
            return found
        }
        _ = OpenSSLErrorQueue.drain()  // the read that ended the loop leaves "no start line" behind
        return certificates
    }
}
