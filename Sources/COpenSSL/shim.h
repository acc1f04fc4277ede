#ifndef YIBAO_COPENSSL_SHIM_H
#define YIBAO_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

// Function-like macros do not import into Swift; these wrappers give them a callable form.
static inline void yibao_openssl_free(void *p) { OPENSSL_free(p); }
static inline long yibao_bio_get_mem_data(BIO *bio, char **pp) { return BIO_get_mem_data(bio, pp); }
// EVP_PKEY_PUBLIC_KEY is an OR of other macros, which Swift does not import.
static inline int yibao_evp_pkey_public_key_selection(void) { return EVP_PKEY_PUBLIC_KEY; }

// TLS (YibaoRPC's OpenSSLConnectionHandler): SSL_CTX_ctrl macros and OR-ed flag macros, given callable forms.
static inline int yibao_ssl_ctx_set_min_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}
static inline int yibao_ssl_ctx_add1_chain_cert(SSL_CTX *ctx, X509 *cert) { return (int)SSL_CTX_add1_chain_cert(ctx, cert); }
static inline void yibao_ssl_ctx_harden(SSL_CTX *ctx) {
    // No renegotiation (a TLS 1.2 client asking gets a no_renegotiation alert), no compression, and release
    // idle read/write buffers so thousands of quiet connections cost little.
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
}
static inline unsigned long yibao_xn_flag_rfc2253(void) { return XN_FLAG_RFC2253; }

// ALPN: pick "h2" or refuse the handshake with a no_application_protocol alert. gRPC speaks nothing else.
static inline int yibao_alpn_select_h2(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                       const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl; (void)arg;
    static const unsigned char h2[] = {2, 'h', '2'};
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, h2, sizeof h2, in, inlen) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}
// A ClientHello without the ALPN extension never reaches the select callback: refuse it here, with the same
// fatal no_application_protocol alert, instead of finishing a handshake only to close it.
static inline int yibao_client_hello_requires_alpn(SSL *ssl, int *alert, void *arg) {
    (void)arg;
    const unsigned char *extension = NULL;
    size_t length = 0;
    if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation, &extension, &length)) {
        *alert = SSL_AD_NO_APPLICATION_PROTOCOL;
        return SSL_CLIENT_HELLO_ERROR;
    }
    return SSL_CLIENT_HELLO_SUCCESS;
}
static inline void yibao_ssl_ctx_require_alpn_h2(SSL_CTX *ctx) {
    SSL_CTX_set_client_hello_cb(ctx, yibao_client_hello_requires_alpn, NULL);
    SSL_CTX_set_alpn_select_cb(ctx, yibao_alpn_select_h2, NULL);
}

// TLS client (YibaoRPC's OpenSSLClientContext): SNI is a macro over SSL_ctrl.
static inline int yibao_ssl_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
#endif
