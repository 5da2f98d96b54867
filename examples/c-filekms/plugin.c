/*
 * plugin.c — the entry point, the descriptor and the stepca_kms_v1 function table of filekms.
 *
 * Every slot checks its arguments before touching them (a NULL handle, pointer or length
 * mismatch is STEPCA_E_INVALID_ARG, never a crash), clears this thread's OpenSSL error queue,
 * and on failure writes a message into the caller's stepca_errbuf. Values of unbounded size
 * (certificates, plaintexts) go to the caller's sink after every lock is released, so a sink
 * may call back into the plugin.
 *
 * Slots left NULL: attest (a file has nothing to attest) and sign_async (signing is local and
 * fast; the host runs sign on its plugin thread pool).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "filekms.h"

#define FK_EXPORT __attribute__((visibility("default")))

/** The reference a created key is known by: what goes into ca.json. */
static void canonical(const fk_name *name, char *out, size_t cap) { snprintf(out, cap, "filekms:name=%s", name->name); }

static int32_t kms_open(const char *config_json, size_t config_len, stepca_kms **out, stepca_errbuf *err) {
    fk_error e = {0};
    ERR_clear_error();
    if (out == NULL) return fk_report(err, &(fk_error){STEPCA_E_INVALID_ARG, "the handle output pointer is NULL"});
    *out = NULL;
    fk_config config;
    if (fk_config_parse(config_json, config_len, &config, &e) != STEPCA_OK) return fk_report(err, &e);
    if (fk_store_open(&config, out, &e) != STEPCA_OK) return fk_report(err, &e);
    fk_log(STEPCA_LOG_INFO, "filekms: keys in %s", config.dir);
    return STEPCA_OK;
}

static void kms_close(stepca_kms *kms) {
    if (kms != NULL) fk_store_close(kms);
}

#define REQUIRE(cond, message)                                                                      \
    do {                                                                                           \
        if (!(cond)) return fk_report(err, &(fk_error){STEPCA_E_INVALID_ARG, message});             \
    } while (0)

static int32_t kms_get_public_key(stepca_kms *kms, const char *key, size_t key_len, uint8_t *out, size_t *out_len,
                                  stepca_errbuf *err) {
    fk_error e = {0};
    ERR_clear_error();
    REQUIRE(kms != NULL, "the KMS handle is NULL");
    REQUIRE(out_len != NULL, "the output length pointer is NULL");
    REQUIRE(out != NULL || *out_len == 0, "the output buffer is NULL but its capacity is not 0");
    fk_name name;
    if (fk_name_parse(key, key_len, "key", &name, &e) != STEPCA_OK) return fk_report(err, &e);
    const char *label = name.shown;
    EVP_PKEY *pkey = NULL;
    if (fk_store_key(kms, &name, &pkey, &e) != STEPCA_OK) return fk_report(err, &e);
    uint8_t *der = NULL;
    size_t der_len = 0;
    int32_t rc = fk_public_der(pkey, label, &der, &der_len, &e);
    EVP_PKEY_free(pkey);
    if (rc != STEPCA_OK) return fk_report(err, &e);
    if (der_len > *out_len) {
        size_t cap = *out_len;
        *out_len = der_len;
        OPENSSL_free(der);
        fk_fail(&e, STEPCA_E_BUFFER_TOO_SMALL, "key %s: the public key needs %zu bytes, the buffer holds %zu", label,
                der_len, cap);
        return fk_report(err, &e);
    }
    memcpy(out, der, der_len);
    *out_len = der_len;
    OPENSSL_free(der);
    return STEPCA_OK;
}

static int32_t kms_sign(stepca_kms *kms, const char *key, size_t key_len, uint32_t sig_alg, const uint8_t *digest,
                        size_t digest_len, uint8_t *sig, size_t *sig_len, stepca_errbuf *err) {
    fk_error e = {0};
    ERR_clear_error();
    REQUIRE(kms != NULL, "the KMS handle is NULL");
    REQUIRE(sig_len != NULL, "the signature length pointer is NULL");
    REQUIRE(sig != NULL || *sig_len == 0, "the signature buffer is NULL but its capacity is not 0");
    REQUIRE(digest != NULL || digest_len == 0, "the digest pointer is NULL but its length is not 0");
    fk_name name;
    if (fk_name_parse(key, key_len, "key", &name, &e) != STEPCA_OK) return fk_report(err, &e);
    const char *label = name.shown;
    EVP_PKEY *pkey = NULL;
    if (fk_store_key(kms, &name, &pkey, &e) != STEPCA_OK) return fk_report(err, &e);
    int32_t rc = fk_check_sign_args(pkey, label, sig_alg, digest_len, &e);
    if (rc == STEPCA_OK) rc = fk_sign(pkey, label, sig_alg, digest, digest_len, sig, sig_len, &e);
    EVP_PKEY_free(pkey);
    return rc == STEPCA_OK ? STEPCA_OK : fk_report(err, &e);
}

static int32_t kms_create_key(stepca_kms *kms, const stepca_kms_key_request *request, stepca_kms_key_fn done,
                              void *done_ctx, stepca_errbuf *err) {
    fk_error e = {0};
    ERR_clear_error();
    REQUIRE(kms != NULL, "the KMS handle is NULL");
    REQUIRE(request != NULL, "the key request is NULL");
    REQUIRE(request->struct_size >= offsetof(stepca_kms_key_request, name_len) + sizeof(size_t),
            "the key request is too small for ABI 1");
    uint32_t sig_alg = 0;
    if (request->struct_size >= offsetof(stepca_kms_key_request, sig_alg) + sizeof(uint32_t)) sig_alg = request->sig_alg;
    fk_name name;
    if (fk_name_parse(request->name, request->name_len, "key", &name, &e) != STEPCA_OK) return fk_report(err, &e);
    const char *label = name.shown;

    uint32_t type = request->key_type;
    if (type < STEPCA_KEY_EC_P256 || type > STEPCA_KEY_ED25519) {
        fk_fail(&e, STEPCA_E_UNSUPPORTED, "key %s: key type %u is not supported (EC P-256/P-384/P-521, RSA, Ed25519)",
                label, (unsigned)type);
        return fk_report(err, &e);
    }
    if (request->flags & STEPCA_KEYF_HSM) {
        fk_fail(&e, STEPCA_E_UNSUPPORTED, "key %s: filekms keeps keys in files and cannot create hardware-protected keys",
                label);
        return fk_report(err, &e);
    }
    uint32_t bits = request->bits;
    if (type == STEPCA_KEY_RSA) {
        if (bits == 0) bits = FK_RSA_DEFAULT_BITS;
        if (bits < FK_RSA_MIN_BITS || bits > FK_RSA_MAX_BITS || bits % 8 != 0) {
            fk_fail(&e, STEPCA_E_INVALID_ARG, "key %s: an RSA key of %u bits is not supported (%d to %d, a multiple of 8)",
                    label, (unsigned)bits, FK_RSA_MIN_BITS, FK_RSA_MAX_BITS);
            return fk_report(err, &e);
        }
    }
    if (sig_alg != 0 && !fk_key_type_signs(type, sig_alg)) {
        fk_fail(&e, STEPCA_E_INVALID_ARG, "key %s: an %s key cannot make %s signatures (algorithm %u)", label,
                fk_key_type_label(type), fk_sig_label(sig_alg), (unsigned)sig_alg);
        return fk_report(err, &e);
    }

    EVP_PKEY *pkey = NULL;
    if (fk_generate(type, bits, label, &pkey, &e) != STEPCA_OK) return fk_report(err, &e);
    uint8_t *der = NULL;
    size_t der_len = 0;
    int32_t rc = fk_public_der(pkey, label, &der, &der_len, &e);
    if (rc == STEPCA_OK) rc = fk_store_add_key(kms, &name, pkey, &e);
    EVP_PKEY_free(pkey);
    if (rc != STEPCA_OK) {
        OPENSSL_free(der);
        return fk_report(err, &e);
    }
    char created[FK_MAX_NAME + 16];
    canonical(&name, created, sizeof created);
    fk_log(STEPCA_LOG_INFO, "filekms: created key %s", created);
    if (done != NULL) done(done_ctx, created, strlen(created), der, der_len);
    OPENSSL_free(der);
    return STEPCA_OK;
}

static int32_t kms_delete_key(stepca_kms *kms, const char *key, size_t key_len, stepca_errbuf *err) {
    fk_error e = {0};
    ERR_clear_error();
    REQUIRE(kms != NULL, "the KMS handle is NULL");
    fk_name name;
    if (fk_name_parse(key, key_len, "key", &name, &e) != STEPCA_OK) return fk_report(err, &e);
    if (fk_store_delete_key(kms, &name, &e) != STEPCA_OK) return fk_report(err, &e);
    fk_log(STEPCA_LOG_INFO, "filekms: deleted key filekms:name=%s", name.name);
    return STEPCA_OK;
}

static int32_t kms_load_certificate(stepca_kms *kms, const char *name_text, size_t name_len, stepca_bytes_fn sink,
                                    void *sink_ctx, stepca_errbuf *err) {
    fk_error e = {0};
    ERR_clear_error();
    REQUIRE(kms != NULL, "the KMS handle is NULL");
    REQUIRE(sink != NULL, "the certificate sink is NULL");
    fk_name name;
    if (fk_name_parse(name_text, name_len, "certificate", &name, &e) != STEPCA_OK) return fk_report(err, &e);
    uint8_t *der = NULL;
    size_t der_len = 0;
    if (fk_store_load_cert(kms, &name, &der, &der_len, &e) != STEPCA_OK) return fk_report(err, &e);
    sink(sink_ctx, der, der_len);
    OPENSSL_free(der);
    return STEPCA_OK;
}

static int32_t kms_store_certificate(stepca_kms *kms, const char *name_text, size_t name_len, const uint8_t *der,
                                     size_t der_len, stepca_errbuf *err) {
    fk_error e = {0};
    ERR_clear_error();
    REQUIRE(kms != NULL, "the KMS handle is NULL");
    REQUIRE(der != NULL || der_len == 0, "the certificate pointer is NULL but its length is not 0");
    fk_name name;
    if (fk_name_parse(name_text, name_len, "certificate", &name, &e) != STEPCA_OK) return fk_report(err, &e);
    if (fk_store_save_cert(kms, &name, der, der_len, &e) != STEPCA_OK) return fk_report(err, &e);
    return STEPCA_OK;
}

static int32_t kms_decrypt(stepca_kms *kms, const char *key, size_t key_len, uint32_t dec_alg,
                           const uint8_t *ciphertext, size_t ciphertext_len, stepca_bytes_fn sink, void *sink_ctx,
                           stepca_errbuf *err) {
    fk_error e = {0};
    ERR_clear_error();
    REQUIRE(kms != NULL, "the KMS handle is NULL");
    REQUIRE(sink != NULL, "the plaintext sink is NULL");
    REQUIRE(ciphertext != NULL || ciphertext_len == 0, "the ciphertext pointer is NULL but its length is not 0");
    fk_name name;
    if (fk_name_parse(key, key_len, "key", &name, &e) != STEPCA_OK) return fk_report(err, &e);
    const char *label = name.shown;
    EVP_PKEY *pkey = NULL;
    if (fk_store_key(kms, &name, &pkey, &e) != STEPCA_OK) return fk_report(err, &e);
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    int32_t rc = fk_decrypt(pkey, label, dec_alg, ciphertext, ciphertext_len, &plain, &plain_len, &e);
    EVP_PKEY_free(pkey);
    if (rc != STEPCA_OK) return fk_report(err, &e);
    sink(sink_ctx, plain, plain_len);
    OPENSSL_clear_free(plain, plain_len);
    return STEPCA_OK;
}

static const stepca_kms_v1 kms_table = {
    .struct_size = sizeof(stepca_kms_v1),
    .reserved = 0,
    .open = kms_open,
    .close = kms_close,
    .get_public_key = kms_get_public_key,
    .sign = kms_sign,
    .create_key = kms_create_key,
    .delete_key = kms_delete_key,
    .load_certificate = kms_load_certificate,
    .store_certificate = kms_store_certificate,
    .decrypt = kms_decrypt,
    .attest = NULL,
    .sign_async = NULL,
};

static const char *const served_types[] = {FK_NAME, NULL};

static const stepca_plugin_v1 descriptor = {
    .struct_size = sizeof(stepca_plugin_v1),
    .abi_major = STEPCA_ABI_MAJOR,
    .abi_minor = STEPCA_ABI_MINOR,
    .kind = STEPCA_KIND_KMS,
    .flags = STEPCA_F_THREADSAFE,
    .name = FK_NAME,
    .version = "1.0.0",
    .description = "Keys in PEM files in one directory (OpenSSL libcrypto); an example KMS plugin in C",
    .types = served_types,
    .table = &kms_table,
};

FK_EXPORT int32_t stepca_plugin_entry(uint32_t host_abi_major, const stepca_host_v1 *host,
                                      const stepca_plugin_v1 **out, stepca_errbuf *err) {
    fk_error e = {0};
    if (host_abi_major != STEPCA_ABI_MAJOR) {
        fk_fail(&e, STEPCA_E_UNSUPPORTED, "the filekms plugin implements plugin ABI %d; the host speaks ABI %u",
                STEPCA_ABI_MAJOR, (unsigned)host_abi_major);
        return fk_report(err, &e);
    }
    if (out == NULL) return fk_report(err, &(fk_error){STEPCA_E_INVALID_ARG, "the descriptor output pointer is NULL"});
    /* No atexit cleanup: the host may still be signing on other threads while it exits. */
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
    fk_set_host(host);
    *out = &descriptor;
    return STEPCA_OK;
}
