/*
 * stepca_plugin.h — the swift-step-ca plugin ABI, version 1.
 *
 * A plugin is a shared library named libstepca-<kind>-<name>.so (kind is "db" or "kms") that
 * exports exactly one symbol, stepca_plugin_entry. The host loads it with
 * dlopen(RTLD_NOW | RTLD_LOCAL), calls the entry point once, checks the descriptor it returns,
 * and from then on calls the function table in the descriptor. Plugins may be written in C, in
 * Swift (see PluginKit) or in anything else that can produce this C ABI.
 *
 * VERSIONING
 *   STEPCA_ABI_MAJOR changes only when an existing declaration changes meaning; the host refuses
 *   a plugin with another major. STEPCA_ABI_MINOR grows when slots or constants are appended.
 *   Every struct begins with uint32_t struct_size; a reader treats a slot at or beyond
 *   struct_size, or a NULL function slot, as absent (STEPCA_E_UNSUPPORTED). Slots and status
 *   codes are never reordered, removed or reused. Types are fixed-width integers, size_t,
 *   pointers and function pointers; no bool, long, enum, varargs or packing pragmas.
 *
 * ERRORS
 *   Every fallible call returns an int32_t status (STEPCA_OK or STEPCA_E_*) and, on failure,
 *   writes a human-readable UTF-8 message into the caller-owned stepca_errbuf: at most cap-1
 *   bytes, NUL-terminated, with the message length (excluding NUL) in len. A plugin must never
 *   return a failure without a message, and must never abort, trap or exit on bad input.
 *
 * MEMORY
 *   All inputs are borrowed for the duration of one call; copy what must outlive it. Bounded
 *   outputs (public keys, signatures) go into caller buffers: *len is the capacity on input and
 *   the size written (or needed, with STEPCA_E_BUFFER_TOO_SMALL) on output. Unbounded outputs
 *   (stored values, listings, certificates) are delivered through a callback supplied by the
 *   caller, with pointers valid only during that callback. No side ever frees the other side's
 *   memory.
 *
 * THREADS
 *   Every call may block. The host never calls a plugin from an event loop; it uses a thread
 *   pool. A plugin whose descriptor has STEPCA_F_THREADSAFE may be called concurrently from any
 *   thread with the same handle; without it the host serialises all calls to that plugin.
 *   Callbacks are invoked on the calling thread before the call returns, except the completion
 *   of an *_async call, which may run on any thread, exactly once.
 *
 * CONFIGURATION
 *   open() receives the plugin's own ca.json stanza (the "db" object, or the "kms" object) as
 *   UTF-8 JSON text, plus, for KMS plugins, key names or URIs in each call. The plugin validates
 *   its configuration itself and reports problems through the error buffer.
 */
#ifndef STEPCA_PLUGIN_H
#define STEPCA_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Versions, kinds, flags
 * ------------------------------------------------------------------------------------------- */

/** ABI major version. A plugin built for another major is refused. */
#define STEPCA_ABI_MAJOR 1
/** ABI minor version: grows when slots or constants are appended. */
#define STEPCA_ABI_MINOR 0

/** The name of the single exported symbol. */
#define STEPCA_ENTRY_SYMBOL "stepca_plugin_entry"

/** Plugin kinds (stepca_plugin_v1.kind). */
#define STEPCA_KIND_DB 1u
#define STEPCA_KIND_KMS 2u

/** The plugin may be called concurrently from several threads with the same handle. */
#define STEPCA_F_THREADSAFE 0x1u
/** The KMS plugin implements sign_async and prefers it (network-bound backends). */
#define STEPCA_F_ASYNC_SIGN 0x2u

/* ---------------------------------------------------------------------------------------------
 * Status codes
 * ------------------------------------------------------------------------------------------- */

#define STEPCA_OK 0
/** A parameter, configuration value or input encoding is invalid. Not retryable. */
#define STEPCA_E_INVALID_ARG 1
/** The table, key, or record does not exist. */
#define STEPCA_E_NOT_FOUND 2
/** The operation or algorithm is not implemented by this plugin. */
#define STEPCA_E_UNSUPPORTED 3
/** An output buffer is too small; the needed size was written to its length. */
#define STEPCA_E_BUFFER_TOO_SMALL 4
/** Authentication or authorisation with the backend failed (wrong PIN, credentials). */
#define STEPCA_E_AUTH 5
/** The backend is unreachable or busy; the same call may succeed later. */
#define STEPCA_E_UNAVAILABLE 6
/** A concurrent change won (compare-and-swap mismatch inside an aborting update). */
#define STEPCA_E_CONFLICT 7
/** Any other failure inside the plugin or its backend. */
#define STEPCA_E_INTERNAL 8
/** Plugin-specific codes start here; the host treats them like STEPCA_E_INTERNAL. */
#define STEPCA_E_VENDOR_BASE 0x10000

/* ---------------------------------------------------------------------------------------------
 * Shared types
 * ------------------------------------------------------------------------------------------- */

/** A caller-owned buffer for an error message. The plugin writes at most cap-1 bytes plus NUL. */
typedef struct stepca_errbuf {
    char *buf;
    size_t cap;
    size_t len;
} stepca_errbuf;

/**
 * Copies a message into an error buffer (truncating to cap-1 bytes, always NUL-terminating).
 * A convenience for plugin authors; safe with err == NULL or cap == 0.
 */
static inline void stepca_errbuf_set(stepca_errbuf *err, const char *msg, size_t msg_len) {
    if (err == NULL || err->buf == NULL || err->cap == 0) return;
    size_t n = msg_len < err->cap - 1 ? msg_len : err->cap - 1;
    for (size_t i = 0; i < n; i++) err->buf[i] = msg[i];
    err->buf[n] = '\0';
    err->len = n;
}

/** Log levels for stepca_host_v1.log. */
#define STEPCA_LOG_DEBUG 0
#define STEPCA_LOG_INFO 1
#define STEPCA_LOG_WARNING 2
#define STEPCA_LOG_ERROR 3

/**
 * Services the host offers to a plugin, valid from the entry call until the process exits.
 * A plugin logs only through log(); it must not write to stdout or stderr itself.
 */
typedef struct stepca_host_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    /** Opaque host context; pass it back unchanged. */
    void *ctx;
    /** Writes one log line (UTF-8, msg_len bytes, no NUL needed). Thread-safe. */
    void (*log)(void *ctx, int32_t level, const char *msg, size_t msg_len);
} stepca_host_v1;

/**
 * Receives one byte string (a stored value, a DER certificate, a JSON document). The pointer is
 * valid only during the call.
 */
typedef void (*stepca_bytes_fn)(void *ctx, const uint8_t *bytes, size_t len);

/* ---------------------------------------------------------------------------------------------
 * Descriptor and entry point
 * ------------------------------------------------------------------------------------------- */

/** The static description of a plugin, returned by the entry point. Lives as long as the process. */
typedef struct stepca_plugin_v1 {
    uint32_t struct_size;
    /** The ABI the plugin was built against (STEPCA_ABI_MAJOR / STEPCA_ABI_MINOR). */
    uint16_t abi_major;
    uint16_t abi_minor;
    /** STEPCA_KIND_DB or STEPCA_KIND_KMS. */
    uint32_t kind;
    /** STEPCA_F_* bits. */
    uint32_t flags;
    /** Short plugin name, equal to <name> in libstepca-<kind>-<name>.so, e.g. "sqlite". */
    const char *name;
    /** The plugin's own version, e.g. "1.2.0". */
    const char *version;
    /** One-line human description. */
    const char *description;
    /** NULL-terminated list of ca.json type names served, e.g. {"postgresql", "postgres", NULL}. */
    const char *const *types;
    /** The function table: a const stepca_db_v1 * or a const stepca_kms_v1 *, by kind. */
    const void *table;
} stepca_plugin_v1;

/**
 * The single exported symbol. Called once by the host right after dlopen.
 * host_abi_major is the host's STEPCA_ABI_MAJOR; a plugin that cannot serve it returns
 * STEPCA_E_UNSUPPORTED with a message. On success *out points to a static descriptor.
 */
typedef int32_t (*stepca_plugin_entry_fn)(uint32_t host_abi_major, const stepca_host_v1 *host,
                                          const stepca_plugin_v1 **out, stepca_errbuf *err);

int32_t stepca_plugin_entry(uint32_t host_abi_major, const stepca_host_v1 *host,
                            const stepca_plugin_v1 **out, stepca_errbuf *err);

/* ---------------------------------------------------------------------------------------------
 * Database plugins (STEPCA_KIND_DB): step-ca's key/value "nosql" model.
 *
 * A database holds tables ("buckets") of entries; table names and keys are byte strings
 * (step-ca uses ASCII names such as "x509_certs"), values are byte strings of any length.
 * A missing value, a NULL value and an empty value are the same thing. Every write is
 * acknowledged only once it is durable.
 * ------------------------------------------------------------------------------------------- */

/** An open database connection or pool. Opaque to the host. */
typedef struct stepca_db stepca_db;

/**
 * Receives one entry of a listing. Return 0 to continue, non-zero to stop the listing early
 * (the list call then still returns STEPCA_OK).
 */
typedef int32_t (*stepca_kv_fn)(void *ctx, const uint8_t *key, size_t key_len,
                                const uint8_t *value, size_t value_len);

/** Operations inside stepca_db_v1.update. */
#define STEPCA_DB_OP_CREATE_TABLE 1u
#define STEPCA_DB_OP_DELETE_TABLE 2u
#define STEPCA_DB_OP_GET 3u
#define STEPCA_DB_OP_SET 4u
#define STEPCA_DB_OP_DELETE 5u
#define STEPCA_DB_OP_CAS 6u

/** Op flag: a CAS whose current value differs from old_value aborts the whole update. */
#define STEPCA_DB_OPF_ABORT_ON_MISMATCH 0x1u

/** One operation of an atomic update. Inputs are borrowed; outputs are written by the plugin. */
typedef struct stepca_db_op {
    uint32_t struct_size;
    /** STEPCA_DB_OP_*. */
    uint32_t op;
    /** STEPCA_DB_OPF_* bits. */
    uint32_t flags;
    /** Output: STEPCA_OK, or this op's failure status. */
    int32_t status;
    const uint8_t *table;
    size_t table_len;
    const uint8_t *key;
    size_t key_len;
    /** SET: the value. CAS: the new value. */
    const uint8_t *value;
    size_t value_len;
    /** CAS: the expected current value (empty = absent). */
    const uint8_t *old_value;
    size_t old_value_len;
    /** Output, CAS only: 1 if the value was swapped, 0 if not. */
    uint32_t swapped;
    uint32_t reserved;
} stepca_db_op;

/**
 * Receives the value read by a GET op, or the current value of a CAS op that did not swap,
 * inside an update. op_index is the op's position in the array.
 */
typedef void (*stepca_db_result_fn)(void *ctx, size_t op_index, const uint8_t *value, size_t len);

/** The database function table. Every slot is required unless marked optional. */
typedef struct stepca_db_v1 {
    uint32_t struct_size;
    uint32_t reserved;

    /** Opens the database described by config_json (the ca.json "db" object). */
    int32_t (*open)(const char *config_json, size_t config_len, stepca_db **out,
                    stepca_errbuf *err);
    /** Closes the handle. No call may be in flight. Never fails. */
    void (*close)(stepca_db *db);

    /** Creates a table if it does not exist (idempotent). */
    int32_t (*create_table)(stepca_db *db, const uint8_t *table, size_t table_len,
                            stepca_errbuf *err);
    /** Deletes a table and its entries. STEPCA_E_NOT_FOUND if it does not exist. */
    int32_t (*delete_table)(stepca_db *db, const uint8_t *table, size_t table_len,
                            stepca_errbuf *err);

    /** Reads one value and passes it to sink. STEPCA_E_NOT_FOUND if the key or table is absent. */
    int32_t (*get)(stepca_db *db, const uint8_t *table, size_t table_len, const uint8_t *key,
                   size_t key_len, stepca_bytes_fn sink, void *sink_ctx, stepca_errbuf *err);
    /** Inserts or replaces one value. STEPCA_E_NOT_FOUND if the table is absent. */
    int32_t (*set)(stepca_db *db, const uint8_t *table, size_t table_len, const uint8_t *key,
                   size_t key_len, const uint8_t *value, size_t value_len, stepca_errbuf *err);
    /** Deletes one value. Deleting an absent key succeeds. STEPCA_E_NOT_FOUND if no table. */
    int32_t (*del)(stepca_db *db, const uint8_t *table, size_t table_len, const uint8_t *key,
                   size_t key_len, stepca_errbuf *err);
    /** Passes every entry of a table to visit, in unspecified order. */
    int32_t (*list)(stepca_db *db, const uint8_t *table, size_t table_len, stepca_kv_fn visit,
                    void *visit_ctx, stepca_errbuf *err);

    /**
     * Atomically: reads the current value (absent = empty); if it equals old_value, stores
     * new_value and sets *swapped = 1; otherwise sets *swapped = 0 and passes the current value
     * to sink (when sink is not NULL). Storing an empty new_value stores an empty value.
     */
    int32_t (*cas)(stepca_db *db, const uint8_t *table, size_t table_len, const uint8_t *key,
                   size_t key_len, const uint8_t *old_value, size_t old_len,
                   const uint8_t *new_value, size_t new_len, uint32_t *swapped,
                   stepca_bytes_fn sink, void *sink_ctx, stepca_errbuf *err);

    /**
     * Runs ops in order inside one transaction. If any op fails (its status is set), or a CAS
     * flagged STEPCA_DB_OPF_ABORT_ON_MISMATCH does not swap (status STEPCA_E_CONFLICT), nothing
     * is applied and that status is returned; the message names the op index. Results of GET
     * ops and of non-swapping CAS ops go to result (when not NULL) as each op runs; after a
     * rollback the host discards them. The host may merge concurrent callers' updates into one
     * call: set the failing op's status, so that the host fails only the caller that op belongs
     * to (otherwise it retries each caller's ops in a call of their own).
     */
    int32_t (*update)(stepca_db *db, stepca_db_op *ops, size_t op_count,
                      stepca_db_result_fn result, void *result_ctx, stepca_errbuf *err);
} stepca_db_v1;

/* ---------------------------------------------------------------------------------------------
 * Key-management plugins (STEPCA_KIND_KMS)
 *
 * Keys are named by the strings that appear in ca.json ("key", "ssh.hostKey", ...), typically
 * URIs such as "pkcs11:id=7331;object=intermediate" or "awskms:key-id=...". The plugin parses
 * them. Public keys travel as DER SubjectPublicKeyInfo.
 * ------------------------------------------------------------------------------------------- */

/** An open key store session. Opaque to the host. */
typedef struct stepca_kms stepca_kms;

/** Signature algorithms. ECDSA and RSA sign a digest computed by the host; Ed25519 signs the
 *  whole message. ECDSA signatures are returned DER-encoded (SEQUENCE { r, s }). */
#define STEPCA_SIG_ECDSA_SHA256 1u
#define STEPCA_SIG_ECDSA_SHA384 2u
#define STEPCA_SIG_ECDSA_SHA512 3u
#define STEPCA_SIG_RSA_PKCS1_SHA256 4u
#define STEPCA_SIG_RSA_PKCS1_SHA384 5u
#define STEPCA_SIG_RSA_PKCS1_SHA512 6u
/** RSASSA-PSS with MGF1 over the same hash and a salt as long as the hash. */
#define STEPCA_SIG_RSA_PSS_SHA256 7u
#define STEPCA_SIG_RSA_PSS_SHA384 8u
#define STEPCA_SIG_RSA_PSS_SHA512 9u
#define STEPCA_SIG_ED25519 10u

/** Key types for create_key. */
#define STEPCA_KEY_EC_P256 1u
#define STEPCA_KEY_EC_P384 2u
#define STEPCA_KEY_EC_P521 3u
#define STEPCA_KEY_RSA 4u
#define STEPCA_KEY_ED25519 5u

/** Decryption algorithms (SCEP). */
#define STEPCA_DEC_RSA_PKCS1 1u
#define STEPCA_DEC_RSA_OAEP_SHA1 2u
#define STEPCA_DEC_RSA_OAEP_SHA256 3u

/** create_key flag: create the key in hardware protection where the backend offers a choice. */
#define STEPCA_KEYF_HSM 0x1u

/** A request to create a key. */
typedef struct stepca_kms_key_request {
    uint32_t struct_size;
    /** STEPCA_KEY_*. */
    uint32_t key_type;
    /** RSA modulus size in bits (0 = backend default); ignored for other types. */
    uint32_t bits;
    /** STEPCA_KEYF_* bits. */
    uint32_t flags;
    /** The requested name or URI, UTF-8, name_len bytes. */
    const char *name;
    size_t name_len;
    /** The signature algorithm the key will be used with (STEPCA_SIG_*), or 0. */
    uint32_t sig_alg;
    uint32_t reserved;
} stepca_kms_key_request;

/** Receives a created key: its name (as to be written into ca.json) and its DER public key. */
typedef void (*stepca_kms_key_fn)(void *ctx, const char *name, size_t name_len,
                                  const uint8_t *public_der, size_t public_len);

/**
 * Completion of sign_async: called exactly once, on any thread. On success status is
 * STEPCA_OK and sig holds the signature; otherwise message holds the error text. Pointers are
 * valid only during the call.
 */
typedef void (*stepca_kms_sign_done_fn)(void *ctx, int32_t status, const uint8_t *sig,
                                        size_t sig_len, const char *message, size_t message_len);

/** The KMS function table. Optional slots may be NULL (then STEPCA_E_UNSUPPORTED). */
typedef struct stepca_kms_v1 {
    uint32_t struct_size;
    uint32_t reserved;

    /** Opens a session with the key store described by config_json (the ca.json "kms" object). */
    int32_t (*open)(const char *config_json, size_t config_len, stepca_kms **out,
                    stepca_errbuf *err);
    /** Closes the session. No call may be in flight. Never fails. */
    void (*close)(stepca_kms *kms);

    /** Writes the DER SubjectPublicKeyInfo of a key into out (*out_len: capacity in, size out). */
    int32_t (*get_public_key)(stepca_kms *kms, const char *key, size_t key_len, uint8_t *out,
                              size_t *out_len, stepca_errbuf *err);

    /**
     * Signs digest (or, for STEPCA_SIG_ED25519, the message) with a key and writes the
     * signature into sig (*sig_len: capacity in, size out). 1024 bytes always suffice for keys
     * up to RSA 8192.
     */
    int32_t (*sign)(stepca_kms *kms, const char *key, size_t key_len, uint32_t sig_alg,
                    const uint8_t *digest, size_t digest_len, uint8_t *sig, size_t *sig_len,
                    stepca_errbuf *err);

    /** Optional. Creates a key and passes its name and public key to done. */
    int32_t (*create_key)(stepca_kms *kms, const stepca_kms_key_request *request,
                          stepca_kms_key_fn done, void *done_ctx, stepca_errbuf *err);
    /** Optional. Deletes a key. */
    int32_t (*delete_key)(stepca_kms *kms, const char *key, size_t key_len, stepca_errbuf *err);

    /** Optional. Reads the DER certificate stored under a name and passes it to sink. */
    int32_t (*load_certificate)(stepca_kms *kms, const char *name, size_t name_len,
                                stepca_bytes_fn sink, void *sink_ctx, stepca_errbuf *err);
    /** Optional. Stores a DER certificate under a name. */
    int32_t (*store_certificate)(stepca_kms *kms, const char *name, size_t name_len,
                                 const uint8_t *der, size_t der_len, stepca_errbuf *err);

    /** Optional. Decrypts ciphertext with a key (STEPCA_DEC_*) and passes the plaintext to sink. */
    int32_t (*decrypt)(stepca_kms *kms, const char *key, size_t key_len, uint32_t dec_alg,
                       const uint8_t *ciphertext, size_t ciphertext_len, stepca_bytes_fn sink,
                       void *sink_ctx, stepca_errbuf *err);

    /**
     * Optional. Produces attestation material for a key as JSON
     * ({"certificates":["<base64 DER>",...],"format":"..."}) and passes it to sink.
     */
    int32_t (*attest)(stepca_kms *kms, const char *key, size_t key_len, stepca_bytes_fn sink,
                      void *sink_ctx, stepca_errbuf *err);

    /**
     * Optional, for network-bound backends. Starts a signature and returns STEPCA_OK at once;
     * done is then called exactly once. A non-OK return means done will not be called and err
     * holds the reason.
     */
    int32_t (*sign_async)(stepca_kms *kms, const char *key, size_t key_len, uint32_t sig_alg,
                          const uint8_t *digest, size_t digest_len, stepca_kms_sign_done_fn done,
                          void *done_ctx, stepca_errbuf *err);
} stepca_kms_v1;

#ifdef __cplusplus
}
#endif

#endif /* STEPCA_PLUGIN_H */
