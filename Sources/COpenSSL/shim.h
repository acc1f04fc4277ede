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
#endif
