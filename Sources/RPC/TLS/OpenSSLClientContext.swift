import COpenSSL

/// One client `SSL_CTX`, built when the `RPCClient` is made and shared by its connections: trusted CAs,
/// peer verification, ALPN `h2`, TLS 1.2+, no renegotiation, and the client certificate when given.
/// PEM reading is the server context's (`OpenSSLServerContext.readCertificates` / `withPEMBIO`).
final class OpenSSLClientContext: @unchecked Sendable {
    // Why unchecked is safe: the SSL_CTX is configured in init and only read afterwards (SSL_new), which
    // OpenSSL allows from any thread.
    let pointer: OpaquePointer
    let configuration: TLSClientConfiguration
    var serverName: String? { configuration.serverName }

    init(_ configuration: TLSClientConfiguration) throws {
        let ctx = try OpenSSLServerContext.makeHardenedContext(TLS_client_method())
        pointer = ctx
        self.configuration = configuration
        let h2: [UInt8] = [2, UInt8(ascii: "h"), UInt8(ascii: "2")]
        guard SSL_CTX_set_alpn_protos(ctx, h2, UInt32(h2.count)) == 0 else {  // 0 is success here
            throw TLSError("cannot offer ALPN h2", openSSLReasons: OpenSSLErrorQueue.drain())
        }
        let authorities = try OpenSSLServerContext.readCertificates(configuration.trustedCA, what: "trusted CA")
        defer { authorities.forEach { X509_free($0) } }
        guard !authorities.isEmpty else { throw TLSError("the trusted CA PEM holds no certificate") }
        let store = SSL_CTX_get_cert_store(ctx)
        for authority in authorities {
            guard X509_STORE_add_cert(store, authority) == 1 else {
                throw TLSError("trusted CA refused", openSSLReasons: OpenSSLErrorQueue.drain())
            }
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        switch (configuration.certificateChain, configuration.privateKey) {
        case (nil, nil):
            break
        case let (chain?, key?):
            try useClientCertificate(chain, key)
        default:
            throw TLSError("a client certificate needs both certificateChain and privateKey")
        }
    }

    deinit { SSL_CTX_free(pointer) }

    private func useClientCertificate(_ chain: TLSClientConfiguration.PEMSource,
                                      _ keySource: TLSClientConfiguration.PEMSource) throws {
        let certificates = try OpenSSLServerContext.readCertificates(chain, what: "client certificate chain")
        defer { certificates.forEach { X509_free($0) } }
        guard let leaf = certificates.first else { throw TLSError("the client certificate chain holds no certificate") }
        guard SSL_CTX_use_certificate(pointer, leaf) == 1 else {
            throw TLSError("client certificate refused", openSSLReasons: OpenSSLErrorQueue.drain())
        }
        for intermediate in certificates.dropFirst() where yibao_ssl_ctx_add1_chain_cert(pointer, intermediate) != 1 {
            throw TLSError("intermediate certificate refused", openSSLReasons: OpenSSLErrorQueue.drain())
        }
        let key: OpaquePointer? = try OpenSSLServerContext.withPEMBIO(keySource, what: "client private key") { bio in
            PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let key else { throw TLSError("no private key in the PEM", openSSLReasons: OpenSSLErrorQueue.drain()) }
        defer { EVP_PKEY_free(key) }
        guard SSL_CTX_use_PrivateKey(pointer, key) == 1, SSL_CTX_check_private_key(pointer) == 1 else {
            throw TLSError("the client private key does not match its certificate", openSSLReasons: OpenSSLErrorQueue.drain())
        }
    }

    /// Per connection: the name the server certificate must carry (an IP SAN for an address, else a DNS SAN),
    /// and SNI for names. False when OpenSSL refuses the name.
    static func prepare(_ ssl: OpaquePointer, serverName: String) -> Bool {
        let param = SSL_get0_param(ssl)
        if isIPAddress(serverName) {
            return X509_VERIFY_PARAM_set1_ip_asc(param, serverName) == 1
        }
        return X509_VERIFY_PARAM_set1_host(param, serverName, 0) == 1
            && yibao_ssl_set_tlsext_host_name(ssl, serverName) == 1
    }

    private static func isIPAddress(_ text: String) -> Bool {
        text.contains(":") || (text.split(separator: ".").count == 4 && text.allSatisfy { $0.isNumber || $0 == "." })
    }
}
