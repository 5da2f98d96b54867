/*
 * filekms.h — internal declarations shared by the files of the filekms example plugin.
 *
 * Nothing declared here is exported from the shared library: the whole plugin is compiled with
 * -fvisibility=hidden and only stepca_plugin_entry (plugin.c) is marked visible.
 */
#ifndef FILEKMS_H
#define FILEKMS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <pthread.h>

#include <openssl/evp.h>

#include "stepca_plugin.h"

/** The plugin's name, ca.json type and URI scheme. */
#define FK_NAME "filekms"
/** Longest key name (the NAME in filekms:name=NAME), in bytes. */
#define FK_MAX_NAME 128
/** Longest key directory path, in bytes. */
#define FK_MAX_DIR 1024
/** RSA modulus sizes create_key accepts, and the default for bits == 0. */
#define FK_RSA_MIN_BITS 2048
#define FK_RSA_MAX_BITS 8192
#define FK_RSA_DEFAULT_BITS 2048
/** Largest key or certificate file the plugin reads. */
#define FK_MAX_FILE (1024 * 1024)

/* ---------------------------------------------------------------------------------------------
 * Failures (errors.c)
 * ------------------------------------------------------------------------------------------- */

/** A status and its message, filled by internal functions and copied into the caller's errbuf. */
typedef struct fk_error {
    int32_t status;
    char msg[512];
} fk_error;

/** Records a failure and returns its status. */
__attribute__((format(printf, 3, 4)))
int32_t fk_fail(fk_error *e, int32_t status, const char *fmt, ...);

/** Like fk_fail, with the reason OpenSSL left in this thread's error queue appended. */
__attribute__((format(printf, 3, 4)))
int32_t fk_fail_ssl(fk_error *e, int32_t status, const char *fmt, ...);

/** Copies a failure into the caller's error buffer (never an empty message) and returns it. */
int32_t fk_report(stepca_errbuf *err, const fk_error *e);

/** Writes one log line through the host (never to stdout or stderr). */
__attribute__((format(printf, 2, 3)))
void fk_log(int32_t level, const char *fmt, ...);

/** Remembers the host services passed to the entry point. */
void fk_set_host(const stepca_host_v1 *host);

/* ---------------------------------------------------------------------------------------------
 * Configuration and names (config.c, json.c)
 * ------------------------------------------------------------------------------------------- */

/** The ca.json "kms" object as this plugin reads it. */
typedef struct fk_config {
    /** The key directory: the dir= attribute of "uri", an absolute path. */
    char dir[FK_MAX_DIR + 1];
} fk_config;

/**
 * Reads the "type" and "uri" members of a JSON object (len bytes, not NUL-terminated). The
 * whole text must be one well-formed JSON object; other members are checked and ignored.
 * A missing member leaves its output empty; *type_found / *uri_found say whether it was there.
 */
int32_t fk_json_members(const char *text, size_t len, char *type, size_t type_cap, int *type_found,
                        char *uri, size_t uri_cap, int *uri_found, fk_error *e);

/** Parses and validates the "kms" stanza. */
int32_t fk_config_parse(const char *json, size_t len, fk_config *out, fk_error *e);

/** A validated key or certificate name: the NAME of filekms:name=NAME (or of a bare NAME). */
typedef struct fk_name {
    char name[FK_MAX_NAME + 1];
    /** The reference exactly as the host passed it (printable, for messages): users find the
     *  string they wrote in ca.json in every message about it. */
    char shown[FK_MAX_NAME * 3 + 32];
} fk_name;

/**
 * Parses a key reference as passed by the host: "filekms:name=NAME" or a bare "NAME". NAME is
 * 1-128 bytes of [A-Za-z0-9._-], does not start with '.' and does not contain "..".
 * `what` ("key", "certificate") begins the messages.
 */
int32_t fk_name_parse(const char *text, size_t len, const char *what, fk_name *out, fk_error *e);

/** Writes a key reference into a message-safe label: printable ASCII, cut to fit cap. */
void fk_label(const char *text, size_t len, char *out, size_t cap);

/* ---------------------------------------------------------------------------------------------
 * The key directory (store.c)
 * ------------------------------------------------------------------------------------------- */

/** One key loaded from its file, shared by concurrent signers (reference-counted EVP_PKEY). */
typedef struct fk_cached_key {
    char name[FK_MAX_NAME + 1];
    EVP_PKEY *pkey;
    /* Identity of the file the key was read from: a replaced file is read again. */
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
} fk_cached_key;

/** An open session: the key directory and a cache of parsed keys. */
struct stepca_kms {
    char dir[FK_MAX_DIR + 1];
    int dirfd;
    pthread_mutex_t lock;
    fk_cached_key *cache;
    size_t cache_count;
    size_t cache_cap;
    uint64_t temp_counter;
};

/** Opens (creating it 0700 when missing) the key directory. */
int32_t fk_store_open(const fk_config *config, stepca_kms **out, fk_error *e);
/** Closes the directory and frees every cached key. */
void fk_store_close(stepca_kms *kms);

/** Returns the key NAME.pem with a reference the caller frees with EVP_PKEY_free. */
int32_t fk_store_key(stepca_kms *kms, const fk_name *name, EVP_PKEY **out, fk_error *e);
/** Writes NAME.pem (0600) for a new key; STEPCA_E_CONFLICT if the name is taken. */
int32_t fk_store_add_key(stepca_kms *kms, const fk_name *name, EVP_PKEY *pkey, fk_error *e);
/** Removes NAME.pem; STEPCA_E_NOT_FOUND if there is none. */
int32_t fk_store_delete_key(stepca_kms *kms, const fk_name *name, fk_error *e);
/** Reads NAME.crt and returns the DER certificate (free with OPENSSL_free). */
int32_t fk_store_load_cert(stepca_kms *kms, const fk_name *name, uint8_t **der, size_t *der_len,
                           fk_error *e);
/** Checks a DER certificate and writes it as NAME.crt (PEM, 0644), replacing any earlier one. */
int32_t fk_store_save_cert(stepca_kms *kms, const fk_name *name, const uint8_t *der,
                           size_t der_len, fk_error *e);

/* ---------------------------------------------------------------------------------------------
 * Cryptography (crypto.c)
 * ------------------------------------------------------------------------------------------- */

/** Writes the DER SubjectPublicKeyInfo of a key into a newly allocated buffer (OPENSSL_free). */
int32_t fk_public_der(EVP_PKEY *pkey, const char *label, uint8_t **der, size_t *der_len,
                      fk_error *e);

/** Checks that a key can make signatures of sig_alg over an input of input_len bytes. */
int32_t fk_check_sign_args(EVP_PKEY *pkey, const char *label, uint32_t sig_alg, size_t input_len,
                           fk_error *e);

/**
 * Signs (after fk_check_sign_args). *sig_len is the capacity on input; on success the size
 * written, on STEPCA_E_BUFFER_TOO_SMALL the size that always suffices for this key.
 */
int32_t fk_sign(EVP_PKEY *pkey, const char *label, uint32_t sig_alg, const uint8_t *input,
                size_t input_len, uint8_t *sig, size_t *sig_len, fk_error *e);

/** Generates a key of a STEPCA_KEY_* type (bits: RSA modulus size, already validated). */
int32_t fk_generate(uint32_t key_type, uint32_t bits, const char *label, EVP_PKEY **out,
                    fk_error *e);

/** Human names of a STEPCA_SIG_* algorithm and a STEPCA_KEY_* type, for messages. */
const char *fk_sig_label(uint32_t sig_alg);
const char *fk_key_type_label(uint32_t key_type);

/** Whether a key of a STEPCA_KEY_* type can make signatures of sig_alg. */
int fk_key_type_signs(uint32_t key_type, uint32_t sig_alg);

/** Decrypts with an RSA key (STEPCA_DEC_*) into a newly allocated buffer (OPENSSL_clear_free). */
int32_t fk_decrypt(EVP_PKEY *pkey, const char *label, uint32_t dec_alg, const uint8_t *in,
                   size_t in_len, uint8_t **out, size_t *out_len, fk_error *e);

#endif /* FILEKMS_H */
