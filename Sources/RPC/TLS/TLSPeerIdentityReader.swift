import COpenSSL

/// Reads a `TLSPeerIdentity` out of a finished handshake.
enum TLSPeerIdentityReader {
    /// Subjects longer than this are cut: nothing legitimate comes near it.
    static let maxSubjectBytes = 4096

    /// The client certificate's identity, only if one was sent and verified against the client CA.
    static func verifiedPeer(of ssl: OpaquePointer) -> TLSPeerIdentity? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        guard SSL_get_verify_result(ssl) == Int(X509_V_OK), let name = X509_get_subject_name(certificate) else {
            return nil
        }
        return TLSPeerIdentity(commonName: commonName(name), subject: subject(name),
                               sha256Fingerprint: fingerprint(certificate))
    }

    static func commonName(_ name: OpaquePointer) -> String? {
        let index = X509_NAME_get_index_by_NID(name, NID_commonName, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index),
              let value = X509_NAME_ENTRY_get_data(entry) else { return nil }
        var utf8: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&utf8, value)
        guard length >= 0, let utf8 else { return nil }
        defer { yibao_openssl_free(utf8) }
        return String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
    }

    static func subject(_ name: OpaquePointer) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, yibao_xn_flag_rfc2253()) >= 0 else { return "" }
        let length = min(Int(BIO_ctrl_pending(bio)), maxSubjectBytes)
        var bytes = [UInt8](repeating: 0, count: length)
        let read = length == 0 ? 0 : BIO_read(bio, &bytes, Int32(length))
        return String(decoding: bytes.prefix(Int(max(read, 0))), as: UTF8.self)
    }

    static func fingerprint(_ certificate: OpaquePointer) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(certificate, EVP_sha256(), &digest, &length) == 1 else { return "" }
        let hex: [Character] = Array("0123456789abcdef")
        var text = ""
        text.reserveCapacity(Int(length) * 2)
        for byte in digest.prefix(Int(length)) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return text
    }
}
