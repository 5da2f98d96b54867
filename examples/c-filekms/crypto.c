/*
 * crypto.c — signatures, key generation, public keys and RSA decryption with OpenSSL 3.
 *
 * ECDSA and RSA sign the digest the host computed (EVP_PKEY_sign with the digest algorithm set,
 * so OpenSSL checks the length too and RSA PKCS#1 v1.5 wraps it in a DigestInfo); ECDSA
 * signatures come out DER-encoded. RSA-PSS uses MGF1 with the same hash and a salt as long as
 * the digest. Ed25519 signs the whole message (EVP_DigestSign, "pure" Ed25519).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "filekms.h"

enum family { FAMILY_EC = 1, FAMILY_RSA = 2, FAMILY_ED25519 = 3 };

typedef struct sig_info {
    uint32_t alg;
    enum family family;
    int pss;
    const char *hash; /* NULL for Ed25519 */
    size_t digest_len;
    const char *label;
} sig_info;

static const sig_info sig_table[] = {
    {STEPCA_SIG_ECDSA_SHA256, FAMILY_EC, 0, "SHA256", 32, "ECDSA with SHA-256"},
    {STEPCA_SIG_ECDSA_SHA384, FAMILY_EC, 0, "SHA384", 48, "ECDSA with SHA-384"},
    {STEPCA_SIG_ECDSA_SHA512, FAMILY_EC, 0, "SHA512", 64, "ECDSA with SHA-512"},
    {STEPCA_SIG_RSA_PKCS1_SHA256, FAMILY_RSA, 0, "SHA256", 32, "RSA PKCS#1 v1.5 with SHA-256"},
    {STEPCA_SIG_RSA_PKCS1_SHA384, FAMILY_RSA, 0, "SHA384", 48, "RSA PKCS#1 v1.5 with SHA-384"},
    {STEPCA_SIG_RSA_PKCS1_SHA512, FAMILY_RSA, 0, "SHA512", 64, "RSA PKCS#1 v1.5 with SHA-512"},
    {STEPCA_SIG_RSA_PSS_SHA256, FAMILY_RSA, 1, "SHA256", 32, "RSA-PSS with SHA-256"},
    {STEPCA_SIG_RSA_PSS_SHA384, FAMILY_RSA, 1, "SHA384", 48, "RSA-PSS with SHA-384"},
    {STEPCA_SIG_RSA_PSS_SHA512, FAMILY_RSA, 1, "SHA512", 64, "RSA-PSS with SHA-512"},
    {STEPCA_SIG_ED25519, FAMILY_ED25519, 0, NULL, 0, "Ed25519"},
};

static const sig_info *sig_lookup(uint32_t alg) {
    for (size_t i = 0; i < sizeof sig_table / sizeof sig_table[0]; i++) {
        if (sig_table[i].alg == alg) return &sig_table[i];
    }
    return NULL;
}

static const char *family_name(enum family f) {
    switch (f) {
    case FAMILY_EC: return "an EC";
    case FAMILY_RSA: return "an RSA";
    case FAMILY_ED25519: return "an Ed25519";
    }
    return "an unknown";
}

/** The family of a key, after checking that filekms supports it (EC on P-256/384/521 only). */
static int32_t key_family(EVP_PKEY *pkey, const char *label, enum family *out, fk_error *e) {
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
        *out = FAMILY_RSA;
        return STEPCA_OK;
    case EVP_PKEY_ED25519:
        *out = FAMILY_ED25519;
        return STEPCA_OK;
    case EVP_PKEY_EC: {
        char group[64] = "";
        size_t group_len = 0;
        if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &group_len) != 1) {
            ERR_clear_error();
            return fk_fail(e, STEPCA_E_UNSUPPORTED, "key %s: an EC key without a named curve is not supported", label);
        }
        if (strcmp(group, "prime256v1") != 0 && strcmp(group, "P-256") != 0 && strcmp(group, "secp384r1") != 0 &&
            strcmp(group, "P-384") != 0 && strcmp(group, "secp521r1") != 0 && strcmp(group, "P-521") != 0) {
            return fk_fail(e, STEPCA_E_UNSUPPORTED, "key %s: curve %s is not supported (P-256, P-384, P-521)", label, group);
        }
        *out = FAMILY_EC;
        return STEPCA_OK;
    }
    default:
        return fk_fail(e, STEPCA_E_UNSUPPORTED, "key %s: key type %s is not supported (EC, RSA, Ed25519)", label,
                       EVP_PKEY_get0_type_name(pkey) ? EVP_PKEY_get0_type_name(pkey) : "(unknown)");
    }
}

int32_t fk_check_sign_args(EVP_PKEY *pkey, const char *label, uint32_t sig_alg, size_t input_len, fk_error *e) {
    const sig_info *info = sig_lookup(sig_alg);
    if (info == NULL) {
        return fk_fail(e, STEPCA_E_UNSUPPORTED, "key %s: signature algorithm %u is not supported by filekms", label,
                       (unsigned)sig_alg);
    }
    enum family family;
    if (key_family(pkey, label, &family, e) != STEPCA_OK) return e->status;
    if (family != info->family) {
        return fk_fail(e, STEPCA_E_INVALID_ARG, "key %s is %s key; it cannot make %s signatures", label,
                       family_name(family), info->label);
    }
    if (info->hash != NULL && input_len != info->digest_len) {
        return fk_fail(e, STEPCA_E_INVALID_ARG, "key %s: %s signs a %zu-byte digest, got %zu bytes", label, info->label,
                       info->digest_len, input_len);
    }
    return STEPCA_OK;
}

int32_t fk_sign(EVP_PKEY *pkey, const char *label, uint32_t sig_alg, const uint8_t *input, size_t input_len,
                uint8_t *sig, size_t *sig_len, fk_error *e) {
    static const uint8_t empty[1] = {0};
    const sig_info *info = sig_lookup(sig_alg);
    if (info == NULL) return fk_fail(e, STEPCA_E_UNSUPPORTED, "signature algorithm %u is not supported", (unsigned)sig_alg);
    if (input == NULL) input = empty;
    int max = EVP_PKEY_get_size(pkey);
    if (max <= 0) return fk_fail_ssl(e, STEPCA_E_INTERNAL, "key %s: cannot tell the signature size", label);
    uint8_t *buf = OPENSSL_malloc((size_t)max);
    if (buf == NULL) return fk_fail(e, STEPCA_E_INTERNAL, "out of memory");
    size_t len = (size_t)max;
    int ok = 0;
    if (info->family == FAMILY_ED25519) {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        ok = md != NULL && EVP_DigestSignInit(md, NULL, NULL, NULL, pkey) == 1 &&
             EVP_DigestSign(md, buf, &len, input, input_len) == 1;
        EVP_MD_CTX_free(md);
    } else {
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
        EVP_MD *md = EVP_MD_fetch(NULL, info->hash, NULL);
        ok = ctx != NULL && md != NULL && EVP_PKEY_sign_init(ctx) == 1;
        if (ok && info->family == FAMILY_RSA) {
            ok = EVP_PKEY_CTX_set_rsa_padding(ctx, info->pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) == 1;
        }
        if (ok) ok = EVP_PKEY_CTX_set_signature_md(ctx, md) == 1;
        if (ok && info->pss) {
            ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
                 EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1;
        }
        if (ok) ok = EVP_PKEY_sign(ctx, buf, &len, input, input_len) == 1;
        EVP_MD_free(md);
        EVP_PKEY_CTX_free(ctx);
    }
    if (!ok) {
        OPENSSL_free(buf);
        return fk_fail_ssl(e, STEPCA_E_INTERNAL, "key %s: %s signing failed", label, info->label);
    }
    if (len > *sig_len) {
        size_t cap = *sig_len;
        OPENSSL_free(buf);
        *sig_len = (size_t)max; /* enough for every signature of this key, not just this one */
        return fk_fail(e, STEPCA_E_BUFFER_TOO_SMALL, "key %s: the signature (%s) needs up to %d bytes, the buffer holds %zu",
                       label, info->label, max, cap);
    }
    memcpy(sig, buf, len);
    *sig_len = len;
    OPENSSL_free(buf);
    return STEPCA_OK;
}

int32_t fk_public_der(EVP_PKEY *pkey, const char *label, uint8_t **der, size_t *der_len, fk_error *e) {
    unsigned char *out = NULL;
    int len = i2d_PUBKEY(pkey, &out);
    if (len <= 0) return fk_fail_ssl(e, STEPCA_E_INTERNAL, "key %s: cannot encode the public key", label);
    *der = out;
    *der_len = (size_t)len;
    return STEPCA_OK;
}

const char *fk_sig_label(uint32_t sig_alg) {
    const sig_info *info = sig_lookup(sig_alg);
    return info ? info->label : "unknown algorithm";
}

const char *fk_key_type_label(uint32_t key_type) {
    switch (key_type) {
    case STEPCA_KEY_EC_P256: return "EC P-256";
    case STEPCA_KEY_EC_P384: return "EC P-384";
    case STEPCA_KEY_EC_P521: return "EC P-521";
    case STEPCA_KEY_RSA: return "RSA";
    case STEPCA_KEY_ED25519: return "Ed25519";
    default: return "unknown key type";
    }
}

int fk_key_type_signs(uint32_t key_type, uint32_t sig_alg) {
    const sig_info *info = sig_lookup(sig_alg);
    if (info == NULL) return 0;
    switch (key_type) {
    case STEPCA_KEY_EC_P256:
    case STEPCA_KEY_EC_P384:
    case STEPCA_KEY_EC_P521: return info->family == FAMILY_EC;
    case STEPCA_KEY_RSA: return info->family == FAMILY_RSA;
    case STEPCA_KEY_ED25519: return info->family == FAMILY_ED25519;
    default: return 0;
    }
}

int32_t fk_generate(uint32_t key_type, uint32_t bits, const char *label, EVP_PKEY **out, fk_error *e) {
    EVP_PKEY *pkey = NULL;
    const char *what;
    switch (key_type) {
    case STEPCA_KEY_EC_P256: what = "EC P-256"; pkey = EVP_EC_gen("P-256"); break;
    case STEPCA_KEY_EC_P384: what = "EC P-384"; pkey = EVP_EC_gen("P-384"); break;
    case STEPCA_KEY_EC_P521: what = "EC P-521"; pkey = EVP_EC_gen("P-521"); break;
    case STEPCA_KEY_RSA: what = "RSA"; pkey = EVP_RSA_gen((unsigned int)bits); break;
    case STEPCA_KEY_ED25519: what = "Ed25519"; pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"); break;
    default: return fk_fail(e, STEPCA_E_UNSUPPORTED, "key %s: key type %u is not supported", label, (unsigned)key_type);
    }
    if (pkey == NULL) return fk_fail_ssl(e, STEPCA_E_INTERNAL, "key %s: %s key generation failed", label, what);
    *out = pkey;
    return STEPCA_OK;
}

int32_t fk_decrypt(EVP_PKEY *pkey, const char *label, uint32_t dec_alg, const uint8_t *in, size_t in_len,
                   uint8_t **out, size_t *out_len, fk_error *e) {
    const char *oaep_hash = NULL;
    switch (dec_alg) {
    case STEPCA_DEC_RSA_PKCS1: break;
    case STEPCA_DEC_RSA_OAEP_SHA1: oaep_hash = "SHA1"; break;
    case STEPCA_DEC_RSA_OAEP_SHA256: oaep_hash = "SHA256"; break;
    default:
        return fk_fail(e, STEPCA_E_UNSUPPORTED, "key %s: decryption algorithm %u is not supported by filekms", label,
                       (unsigned)dec_alg);
    }
    enum family family;
    if (key_family(pkey, label, &family, e) != STEPCA_OK) return e->status;
    if (family != FAMILY_RSA) {
        return fk_fail(e, STEPCA_E_INVALID_ARG, "key %s is %s key; only RSA keys decrypt", label, family_name(family));
    }
    int size = EVP_PKEY_get_size(pkey);
    if (size <= 0 || in_len != (size_t)size) {
        return fk_fail(e, STEPCA_E_INVALID_ARG, "key %s: the ciphertext has %zu bytes, the key's modulus %d", label,
                       in_len, size);
    }
    uint8_t *buf = OPENSSL_malloc((size_t)size);
    if (buf == NULL) return fk_fail(e, STEPCA_E_INTERNAL, "out of memory");
    size_t len = (size_t)size;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    EVP_MD *md = oaep_hash ? EVP_MD_fetch(NULL, oaep_hash, NULL) : NULL;
    int ok = ctx != NULL && (oaep_hash == NULL || md != NULL) && EVP_PKEY_decrypt_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, oaep_hash ? RSA_PKCS1_OAEP_PADDING : RSA_PKCS1_PADDING) == 1;
    if (ok && oaep_hash) ok = EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1;
    int setup = ok;
    if (ok) ok = EVP_PKEY_decrypt(ctx, buf, &len, in, in_len) == 1;
    EVP_MD_free(md);
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        OPENSSL_clear_free(buf, (size_t)size);
        /* A padding failure means the ciphertext was not made for this key and algorithm. */
        return fk_fail_ssl(e, setup ? STEPCA_E_INVALID_ARG : STEPCA_E_INTERNAL, "key %s: decryption failed", label);
    }
    *out = buf;
    *out_len = len;
    return STEPCA_OK;
}
