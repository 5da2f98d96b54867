/*
 * smoke.c — drives libstepca-kms-filekms.so the way the host does and checks every slot.
 *
 *   usage: filekms-smoke path/to/libstepca-kms-filekms.so
 *
 * It dlopen()s the plugin (RTLD_NOW | RTLD_LOCAL), calls the entry point, checks the descriptor
 * and then exercises the function table: configuration errors, key creation of every type,
 * signatures with every algorithm (each verified here with libcrypto against the exported
 * SubjectPublicKeyInfo), argument validation, missing keys, certificates, RSA decryption, file
 * modes, and eight threads signing at once while another creates and deletes keys.
 *
 * Prints one line per failed check and a PASS/FAIL summary; exits 1 on any failure.
 * FILEKMS_SMOKE_ROUNDS sets the signatures per thread (default 40; valgrind runs use fewer).
 * FILEKMS_SMOKE_VERBOSE=1 prints the plugin's log lines and every error message it returned.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "stepca_plugin.h"

/* ---------------------------------------------------------------------------------------------
 * Checks and the summary
 * ------------------------------------------------------------------------------------------- */

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static int checks;
static int failures;
static int verbose;

__attribute__((format(printf, 4, 5)))
static int check_at(int ok, const char *file, int line, const char *fmt, ...) {
    pthread_mutex_lock(&count_lock);
    checks++;
    if (!ok) {
        failures++;
        char text[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        printf("FAIL %s:%d: %s\n", file, line, text);
        fflush(stdout);
    }
    pthread_mutex_unlock(&count_lock);
    return ok;
}
#define CHECK(cond, ...) check_at((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)

static const char *status_name(int32_t s) {
    switch (s) {
    case STEPCA_OK: return "OK";
    case STEPCA_E_INVALID_ARG: return "INVALID_ARG";
    case STEPCA_E_NOT_FOUND: return "NOT_FOUND";
    case STEPCA_E_UNSUPPORTED: return "UNSUPPORTED";
    case STEPCA_E_BUFFER_TOO_SMALL: return "BUFFER_TOO_SMALL";
    case STEPCA_E_AUTH: return "AUTH";
    case STEPCA_E_UNAVAILABLE: return "UNAVAILABLE";
    case STEPCA_E_CONFLICT: return "CONFLICT";
    case STEPCA_E_INTERNAL: return "INTERNAL";
    default: return "vendor";
    }
}

/** A caller-owned error buffer, reset before each call. */
typedef struct errbox {
    char buf[1024];
    stepca_errbuf eb;
} errbox;

static stepca_errbuf *E(errbox *b) {
    memset(b->buf, 'x', sizeof b->buf); /* a missing NUL would show */
    b->eb.buf = b->buf;
    b->eb.cap = sizeof b->buf;
    b->eb.len = 0;
    return &b->eb;
}

/** Checks a status, and for a failure that the message is non-empty and consistent. */
static int expect_at(int32_t got, int32_t want, const errbox *b, const char *what, const char *file, int line) {
    int ok = check_at(got == want, file, line, "%s: status %s (%d), expected %s; message: %.300s", what,
                      status_name(got), (int)got, status_name(want), got == STEPCA_OK ? "" : b->buf);
    if (got != STEPCA_OK) {
        size_t n = strnlen(b->buf, sizeof b->buf);
        check_at(n > 0 && n < sizeof b->buf && n == b->eb.len, file, line,
                 "%s: a failure must leave a NUL-terminated message of len bytes (len %zu, strlen %zu)", what,
                 b->eb.len, n);
        if (verbose) printf("  %-34s -> %s: %s\n", what, status_name(got), b->buf);
    }
    return ok;
}
#define EXPECT(got, want, box, what) expect_at((got), (want), (box), (what), __FILE__, __LINE__)

/* ---------------------------------------------------------------------------------------------
 * The host side
 * ------------------------------------------------------------------------------------------- */

static int log_lines;

static void host_log(void *ctx, int32_t level, const char *msg, size_t len) {
    (void)ctx;
    pthread_mutex_lock(&count_lock);
    log_lines++;
    pthread_mutex_unlock(&count_lock);
    if (verbose) printf("  [plugin log %d] %.*s\n", (int)level, (int)len, msg);
}

static stepca_host_v1 host = {sizeof(stepca_host_v1), STEPCA_ABI_MAJOR, STEPCA_ABI_MINOR, NULL, host_log};
static const stepca_kms_v1 *T;

/** Receives a created key. */
typedef struct created {
    char name[256];
    uint8_t der[4096];
    size_t der_len;
    int calls;
} created;

static void on_created(void *ctx, const char *name, size_t name_len, const uint8_t *der, size_t der_len) {
    created *c = ctx;
    c->calls++;
    snprintf(c->name, sizeof c->name, "%.*s", (int)name_len, name);
    c->der_len = der_len <= sizeof c->der ? der_len : 0;
    if (c->der_len) memcpy(c->der, der, der_len);
}

/** Collects bytes handed to a sink. */
typedef struct bytes {
    uint8_t *data;
    size_t len;
    int calls;
} bytes;

static void on_bytes(void *ctx, const uint8_t *data, size_t len) {
    bytes *b = ctx;
    b->calls++;
    free(b->data);
    b->data = malloc(len ? len : 1);
    if (b->data) memcpy(b->data, data, len);
    b->len = len;
}

static void bytes_free(bytes *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* ---------------------------------------------------------------------------------------------
 * Verification with libcrypto, independent of the plugin
 * ------------------------------------------------------------------------------------------- */

typedef struct alg {
    uint32_t id;
    const char *name;
    int family; /* 1 EC, 2 RSA, 3 Ed25519 */
    int pss;
    const char *hash;
    size_t digest_len;
} alg;

static const alg algs[] = {
    {STEPCA_SIG_ECDSA_SHA256, "ECDSA-SHA256", 1, 0, "SHA256", 32},
    {STEPCA_SIG_ECDSA_SHA384, "ECDSA-SHA384", 1, 0, "SHA384", 48},
    {STEPCA_SIG_ECDSA_SHA512, "ECDSA-SHA512", 1, 0, "SHA512", 64},
    {STEPCA_SIG_RSA_PKCS1_SHA256, "PKCS1-SHA256", 2, 0, "SHA256", 32},
    {STEPCA_SIG_RSA_PKCS1_SHA384, "PKCS1-SHA384", 2, 0, "SHA384", 48},
    {STEPCA_SIG_RSA_PKCS1_SHA512, "PKCS1-SHA512", 2, 0, "SHA512", 64},
    {STEPCA_SIG_RSA_PSS_SHA256, "PSS-SHA256", 2, 1, "SHA256", 32},
    {STEPCA_SIG_RSA_PSS_SHA384, "PSS-SHA384", 2, 1, "SHA384", 48},
    {STEPCA_SIG_RSA_PSS_SHA512, "PSS-SHA512", 2, 1, "SHA512", 64},
    {STEPCA_SIG_ED25519, "Ed25519", 3, 0, NULL, 0},
};
#define ALG_COUNT (sizeof algs / sizeof algs[0])

static const alg *find_alg(uint32_t id) {
    for (size_t i = 0; i < ALG_COUNT; i++) {
        if (algs[i].id == id) return &algs[i];
    }
    return NULL;
}

static EVP_PKEY *parse_spki(const uint8_t *der, size_t len) {
    const unsigned char *p = der;
    EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)len);
    if (k != NULL && p != der + len) {
        EVP_PKEY_free(k);
        return NULL;
    }
    return k;
}

/** The input the host would pass: the digest of msg, or msg itself for Ed25519. */
static size_t make_input(const alg *a, const uint8_t *msg, size_t msg_len, uint8_t *out) {
    if (a->hash == NULL) {
        memcpy(out, msg, msg_len);
        return msg_len;
    }
    unsigned int n = 0;
    EVP_MD *md = EVP_MD_fetch(NULL, a->hash, NULL);
    EVP_Digest(msg, msg_len, out, &n, md, NULL);
    EVP_MD_free(md);
    return n;
}

static int verify(EVP_PKEY *pub, const alg *a, const uint8_t *input, size_t input_len, const uint8_t *sig,
                  size_t sig_len) {
    int ok = 0;
    if (a->family == 3) {
        EVP_MD_CTX *m = EVP_MD_CTX_new();
        ok = m && EVP_DigestVerifyInit(m, NULL, NULL, NULL, pub) == 1 &&
             EVP_DigestVerify(m, sig, sig_len, input, input_len) == 1;
        EVP_MD_CTX_free(m);
    } else {
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
        EVP_MD *md = EVP_MD_fetch(NULL, a->hash, NULL);
        ok = c && md && EVP_PKEY_verify_init(c) == 1;
        if (ok && a->family == 2) {
            ok = EVP_PKEY_CTX_set_rsa_padding(c, a->pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) == 1;
        }
        if (ok) ok = EVP_PKEY_CTX_set_signature_md(c, md) == 1;
        if (ok && a->pss) {
            /* The salt must be exactly as long as the digest. */
            ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(c, (int)a->digest_len) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(c, md) == 1;
        }
        if (ok) ok = EVP_PKEY_verify(c, sig, sig_len, input, input_len) == 1;
        EVP_MD_free(md);
        EVP_PKEY_CTX_free(c);
    }
    ERR_clear_error();
    return ok;
}

/** Whether an ECDSA signature is a strict DER SEQUENCE { r, s }. */
static int strict_ecdsa_der(const uint8_t *sig, size_t len) {
    const unsigned char *p = sig;
    ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
    if (s == NULL) return 0;
    int ok = p == sig + len;
    unsigned char *again = NULL;
    int n = i2d_ECDSA_SIG(s, &again);
    ok = ok && n == (int)len && memcmp(again, sig, len) == 0;
    OPENSSL_free(again);
    ECDSA_SIG_free(s);
    return ok;
}

/* ---------------------------------------------------------------------------------------------
 * Plugin call helpers
 * ------------------------------------------------------------------------------------------- */

static int32_t call_sign(stepca_kms *kms, const char *key, uint32_t alg_id, const uint8_t *in, size_t in_len,
                         uint8_t *sig, size_t *sig_len, errbox *b) {
    return T->sign(kms, key, strlen(key), alg_id, in, in_len, sig, sig_len, E(b));
}

static int32_t public_key(stepca_kms *kms, const char *key, uint8_t *out, size_t *len, errbox *b) {
    return T->get_public_key(kms, key, strlen(key), out, len, E(b));
}

static int32_t create(stepca_kms *kms, const char *name, uint32_t type, uint32_t bits, uint32_t flags,
                      uint32_t sig_alg, created *c, errbox *b) {
    stepca_kms_key_request r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.key_type = type;
    r.bits = bits;
    r.flags = flags;
    r.name = name;
    r.name_len = strlen(name);
    r.sig_alg = sig_alg;
    if (c) memset(c, 0, sizeof *c);
    return T->create_key(kms, &r, c ? on_created : NULL, c, E(b));
}

/** Signs msg with key/alg through the plugin and verifies the result against pub. */
static void sign_and_verify(stepca_kms *kms, const char *key, EVP_PKEY *pub, const alg *a, const uint8_t *msg,
                            size_t msg_len) {
    errbox b;
    uint8_t input[2048];
    uint8_t sig[1024];
    size_t sig_len = sizeof sig;
    char what[160];
    snprintf(what, sizeof what, "sign %s %s (%zu-byte message)", key, a->name, msg_len);
    size_t in_len = make_input(a, msg, msg_len, input);
    if (!EXPECT(call_sign(kms, key, a->id, input, in_len, sig, &sig_len, &b), STEPCA_OK, &b, what)) return;
    CHECK(verify(pub, a, input, in_len, sig, sig_len), "%s: the signature does not verify", what);
    if (a->family == 1) CHECK(strict_ecdsa_der(sig, sig_len), "%s: not a strict DER ECDSA signature", what);
    if (a->family == 3) CHECK(sig_len == 64, "%s: an Ed25519 signature has 64 bytes, got %zu", what, sig_len);
    /* A changed input must not verify: the check above is not vacuous. */
    uint8_t changed[2048];
    memcpy(changed, input, in_len);
    if (in_len > 0) {
        changed[0] ^= 0x01;
        CHECK(!verify(pub, a, changed, in_len, sig, sig_len), "%s: verifies over a different input", what);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Files
 * ------------------------------------------------------------------------------------------- */

static char scratch[256];
static char keydir[300];

static int mode_of(const char *path, mode_t *mode) {
    struct stat st;
    if (lstat(path, &st) != 0) return 0;
    *mode = st.st_mode;
    return 1;
}

static void remove_tree(const char *path) {
    DIR *d = opendir(path);
    if (d != NULL) {
        struct dirent *ent;
        while ((ent = readdir(d)) != NULL) {
            if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0) continue;
            char child[1024];
            snprintf(child, sizeof child, "%s/%s", path, ent->d_name);
            struct stat st;
            if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode)) remove_tree(child);
            else unlink(child);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/** Names in the key directory that are neither NAME.pem nor NAME.crt (left-over temp files). */
static int stray_files(void) {
    int stray = 0;
    DIR *d = opendir(keydir);
    if (d == NULL) return -1;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        const char *n = ent->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0) continue;
        size_t len = strlen(n);
        if (n[0] == '.' || len < 5 || (strcmp(n + len - 4, ".pem") != 0 && strcmp(n + len - 4, ".crt") != 0)) {
            printf("  stray file in the key directory: %s\n", n);
            stray++;
        }
    }
    closedir(d);
    return stray;
}

/* ---------------------------------------------------------------------------------------------
 * The tests
 * ------------------------------------------------------------------------------------------- */

static void test_descriptor(stepca_plugin_entry_fn entry, const stepca_plugin_v1 **out) {
    errbox b;
    const stepca_plugin_v1 *d = NULL;
    EXPECT(entry(STEPCA_ABI_MAJOR + 1, &host, &d, E(&b)), STEPCA_E_UNSUPPORTED, &b, "entry with host ABI 2");
    CHECK(d == NULL, "entry with another ABI major must not hand out a descriptor");
    CHECK(strstr(b.buf, "ABI") != NULL, "the ABI refusal should say so: %s", b.buf);
    EXPECT(entry(STEPCA_ABI_MAJOR, &host, NULL, E(&b)), STEPCA_E_INVALID_ARG, &b, "entry with out == NULL");
    EXPECT(entry(STEPCA_ABI_MAJOR, &host, &d, E(&b)), STEPCA_OK, &b, "entry");
    *out = d;
    if (!CHECK(d != NULL, "entry returned no descriptor")) return;
    CHECK(d->struct_size == sizeof(stepca_plugin_v1), "descriptor struct_size %u", (unsigned)d->struct_size);
    CHECK(d->abi_major == STEPCA_ABI_MAJOR && d->abi_minor == STEPCA_ABI_MINOR, "descriptor ABI %u.%u",
          (unsigned)d->abi_major, (unsigned)d->abi_minor);
    CHECK(d->kind == STEPCA_KIND_KMS, "descriptor kind %u, expected STEPCA_KIND_KMS", (unsigned)d->kind);
    CHECK(d->flags == STEPCA_F_THREADSAFE, "descriptor flags 0x%x, expected STEPCA_F_THREADSAFE only", (unsigned)d->flags);
    CHECK(d->name && strcmp(d->name, "filekms") == 0, "descriptor name %s", d->name ? d->name : "(null)");
    CHECK(d->version && d->version[0], "descriptor version is empty");
    CHECK(d->description && d->description[0], "descriptor description is empty");
    CHECK(d->types && d->types[0] && strcmp(d->types[0], "filekms") == 0 && d->types[1] == NULL,
          "descriptor types must be {\"filekms\", NULL}");
    const stepca_kms_v1 *t = d->table;
    if (!CHECK(t != NULL, "descriptor has no table")) return;
    CHECK(t->struct_size == sizeof(stepca_kms_v1), "table struct_size %u", (unsigned)t->struct_size);
    CHECK(t->open && t->close && t->get_public_key && t->sign, "a required slot is NULL");
    CHECK(t->create_key && t->delete_key && t->load_certificate && t->store_certificate && t->decrypt,
          "an implemented optional slot is NULL");
    CHECK(t->attest == NULL && t->sign_async == NULL, "attest and sign_async are documented as NULL");
    const stepca_plugin_v1 *again = NULL;
    EXPECT(entry(STEPCA_ABI_MAJOR, &host, &again, E(&b)), STEPCA_OK, &b, "second entry call");
    CHECK(again == d, "a second entry call must return the same static descriptor");
}

static void test_config(void) {
    errbox b;
    char parent_missing[512], file_path[512], cfg[1024];
    snprintf(parent_missing, sizeof parent_missing, "%s/missing/keys", scratch);
    snprintf(file_path, sizeof file_path, "%s/a-file", scratch);
    write_text(file_path, "not a directory\n");
    struct {
        const char *json;
        const char *mentions;
    } bad[] = {
        {"", "empty"},
        {"   ", "empty"},
        {"[]", "JSON object"},
        {"\"filekms\"", "JSON object"},
        {"{", "not valid JSON"},
        {"{\"type\":\"filekms\",\"uri\":\"filekms:dir=/tmp\"", "not valid JSON"},
        {"{\"type\":\"filekms\",\"uri\":\"filekms:dir=/tmp}", "not valid JSON"},
        {"{\"type\":\"filekms\",\"uri\":\"filekms:dir=/tmp\"} x", "not valid JSON"},
        {"{\"type\":\"filekms\",\"uri\":\"filekms:dir=/tmp\",}", "not valid JSON"},
        {"{\"type\":\"filekms\" \"uri\":\"filekms:dir=/tmp\"}", "not valid JSON"},
        {"{\"type\":\"filekms\",\"uri\":\"\\q\"}", "not valid JSON"},
        {"{\"type\":\"filekms\",\"uri\":\"\\ud800\"}", "not valid JSON"},
        {"{\"type\":\"filekms\",\"x\":01,\"uri\":\"filekms:dir=/tmp\"}", "not valid JSON"},
        {"{\"type\":\"filekms\",\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", "nesting"},
        {"{\"type\":[\"filekms\"],\"uri\":\"filekms:dir=/tmp\"}", "kms.type"},
        {"{\"type\":\"pkcs11\",\"uri\":\"filekms:dir=/tmp\"}", "kms.type"},
        {"{\"type\":7,\"uri\":\"filekms:dir=/tmp\"}", "kms.type"},
        {"{\"type\":\"filekms\"}", "kms.uri"},
        {"{\"type\":\"filekms\",\"uri\":null}", "kms.uri"},
        {"{\"type\":\"filekms\",\"uri\":\"pkcs11:token=x\"}", "filekms URI"},
        {"{\"type\":\"filekms\",\"uri\":\"filekms:\"}", "dir= is required"},
        {"{\"type\":\"filekms\",\"uri\":\"filekms:path=/tmp\"}", "unknown attribute"},
        {"{\"type\":\"filekms\",\"uri\":\"filekms:dir=/tmp;dir=/var\"}", "twice"},
        {"{\"type\":\"filekms\",\"uri\":\"filekms:dir=keys\"}", "absolute"},
        {"{\"type\":\"filekms\",\"uri\":\"filekms:dir=/tmp%2\"}", "escape"},
        {"{\"type\":\"filekms\",\"uri\":\"filekms:dir=/tmp%00x\"}", "NUL"},
        {"{\"type\":\"filekms\",\"uri\":\"filekms:dir=/tmp\\u0000x\"}", "NUL"},
        {"{\"type\":\"filekms\",\"uri\":\"filekms:dir=/a\",\"uri\":\"filekms:dir=/b\"}", "twice"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        stepca_kms *kms = (stepca_kms *)&b; /* must be reset to NULL */
        char what[160];
        snprintf(what, sizeof what, "open bad config #%zu", i);
        EXPECT(T->open(bad[i].json, strlen(bad[i].json), &kms, E(&b)), STEPCA_E_INVALID_ARG, &b, what);
        CHECK(kms == NULL, "%s: *out must be NULL after a failure", what);
        CHECK(strstr(b.buf, bad[i].mentions) != NULL, "%s: the message should mention \"%s\": %s", what,
              bad[i].mentions, b.buf);
    }
    /* The length is what counts: a valid object cut short, and a NUL byte inside the text. */
    const char *whole = "{\"type\":\"filekms\",\"uri\":\"filekms:dir=/tmp/x\"}";
    stepca_kms *kms = NULL;
    EXPECT(T->open(whole, strlen(whole) - 1, &kms, E(&b)), STEPCA_E_INVALID_ARG, &b, "open config cut short");
    const char with_nul[] = "{\"type\":\"filekms\",\0\"uri\":\"filekms:dir=/tmp/x\"}";
    EXPECT(T->open(with_nul, sizeof with_nul - 1, &kms, E(&b)), STEPCA_E_INVALID_ARG, &b, "open config with NUL byte");
    EXPECT(T->open(NULL, 0, &kms, E(&b)), STEPCA_E_INVALID_ARG, &b, "open NULL config");
    EXPECT(T->open(NULL, 5, &kms, E(&b)), STEPCA_E_INVALID_ARG, &b, "open NULL config with a length");
    EXPECT(T->open(whole, strlen(whole), NULL, E(&b)), STEPCA_E_INVALID_ARG, &b, "open with out == NULL");
    snprintf(cfg, sizeof cfg, "{\"type\":\"filekms\",\"uri\":\"filekms:dir=%s\"}", parent_missing);
    EXPECT(T->open(cfg, strlen(cfg), &kms, E(&b)), STEPCA_E_INVALID_ARG, &b, "open dir whose parent is missing");
    CHECK(strstr(b.buf, parent_missing) != NULL, "the message should name the directory: %s", b.buf);
    snprintf(cfg, sizeof cfg, "{\"type\":\"filekms\",\"uri\":\"filekms:dir=%s\"}", file_path);
    EXPECT(T->open(cfg, strlen(cfg), &kms, E(&b)), STEPCA_E_INVALID_ARG, &b, "open dir that is a regular file");
    /* NULL and tiny error buffers are safe. */
    CHECK(T->open("{", 1, &kms, NULL) == STEPCA_E_INVALID_ARG, "open with err == NULL must still fail cleanly");
    char small[8];
    stepca_errbuf tiny = {small, sizeof small, 0};
    CHECK(T->open("{", 1, &kms, &tiny) == STEPCA_E_INVALID_ARG && tiny.len == 7 && small[7] == '\0',
          "an 8-byte error buffer must hold 7 bytes and a NUL (len %zu)", tiny.len);
    stepca_errbuf zero = {NULL, 0, 0};
    CHECK(T->open("{", 1, &kms, &zero) == STEPCA_E_INVALID_ARG && zero.len == 0, "an empty error buffer stays empty");
    T->close(NULL); /* never fails */
}

/** The keys every later test uses. */
typedef struct key {
    const char *name;     /* as passed to the plugin */
    const char *file;     /* NAME.pem */
    uint32_t type;
    int family;
    EVP_PKEY *pub;
    uint8_t der[4096];
    size_t der_len;
} key;

static key keys[] = {
    {"filekms:name=ec256", "ec256.pem", STEPCA_KEY_EC_P256, 1, NULL, {0}, 0},
    {"filekms:name=ec384", "ec384.pem", STEPCA_KEY_EC_P384, 1, NULL, {0}, 0},
    {"FileKMS:name=ec521", "ec521.pem", STEPCA_KEY_EC_P521, 1, NULL, {0}, 0},
    {"rsa", "rsa.pem", STEPCA_KEY_RSA, 2, NULL, {0}, 0},
    {"filekms:name=ed_25519-key.1", "ed_25519-key.1.pem", STEPCA_KEY_ED25519, 3, NULL, {0}, 0},
};
#define KEY_COUNT (sizeof keys / sizeof keys[0])

static void test_create_keys(stepca_kms *kms) {
    static const char *curves[] = {NULL, "prime256v1", "secp384r1", "secp521r1"};
    for (size_t i = 0; i < KEY_COUNT; i++) {
        key *k = &keys[i];
        errbox b;
        created c;
        char what[160];
        snprintf(what, sizeof what, "create_key %s", k->name);
        /* RSA asks for the default size (bits 0); the EC keys name the algorithm they serve. */
        uint32_t sig_alg = k->type == STEPCA_KEY_EC_P256 ? STEPCA_SIG_ECDSA_SHA256 : 0;
        if (!EXPECT(create(kms, k->name, k->type, 0, 0, sig_alg, &c, &b), STEPCA_OK, &b, what)) continue;
        char canonical[200];
        snprintf(canonical, sizeof canonical, "filekms:name=%.*s", (int)(strlen(k->file) - 4), k->file);
        CHECK(c.calls == 1, "%s: done called %d times", what, c.calls);
        CHECK(strcmp(c.name, canonical) == 0, "%s: created name \"%s\", expected \"%s\"", what, c.name, canonical);
        k->der_len = sizeof k->der;
        EXPECT(public_key(kms, k->name, k->der, &k->der_len, &b), STEPCA_OK, &b, "get_public_key");
        CHECK(c.der_len == k->der_len && memcmp(c.der, k->der, k->der_len) == 0,
              "%s: the created public key differs from get_public_key", what);
        k->pub = parse_spki(k->der, k->der_len);
        if (!CHECK(k->pub != NULL, "%s: the public key is not a DER SubjectPublicKeyInfo", what)) continue;
        int id = EVP_PKEY_get_base_id(k->pub);
        if (k->family == 1) {
            char group[64] = "";
            size_t glen = 0;
            EVP_PKEY_get_utf8_string_param(k->pub, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &glen);
            CHECK(id == EVP_PKEY_EC && strcmp(group, curves[k->type]) == 0, "%s: curve %s, expected %s", what, group,
                  curves[k->type]);
        } else if (k->family == 2) {
            CHECK(id == EVP_PKEY_RSA && EVP_PKEY_get_bits(k->pub) == 2048, "%s: default RSA size %d bits, expected 2048",
                  what, EVP_PKEY_get_bits(k->pub));
        } else {
            CHECK(id == EVP_PKEY_ED25519, "%s: not an Ed25519 key", what);
        }
        char path[600];
        snprintf(path, sizeof path, "%s/%s", keydir, k->file);
        mode_t mode = 0;
        int exists = mode_of(path, &mode); /* before CHECK: its arguments are evaluated in any order */
        CHECK(exists && S_ISREG(mode) && (mode & 07777) == 0600, "%s: %s has mode %04o, expected 0600", what, path,
              (unsigned)(mode & 07777));
        FILE *f = fopen(path, "r");
        char line[64] = "";
        if (f) {
            if (fgets(line, sizeof line, f) == NULL) line[0] = '\0';
            fclose(f);
        }
        CHECK(strcmp(line, "-----BEGIN PRIVATE KEY-----\n") == 0, "%s: %s is not PKCS#8 PEM (%s)", what, path, line);
    }
    mode_t mode = 0;
    int exists = mode_of(keydir, &mode);
    CHECK(exists && S_ISDIR(mode) && (mode & 07777) == 0700, "the key directory has mode %04o, not 0700",
          (unsigned)(mode & 07777));
}

static void test_sign_every_algorithm(stepca_kms *kms) {
    uint8_t msg[1000];
    RAND_bytes(msg, sizeof msg);
    int pairs = 0;
    for (size_t i = 0; i < KEY_COUNT; i++) {
        if (keys[i].pub == NULL) continue;
        for (size_t j = 0; j < ALG_COUNT; j++) {
            if (algs[j].family != keys[i].family) continue;
            sign_and_verify(kms, keys[i].name, keys[i].pub, &algs[j], msg, sizeof msg);
            pairs++;
        }
    }
    CHECK(pairs == 3 * 3 + 6 + 1, "signed with %d key/algorithm pairs, expected 16", pairs);
    /* Ed25519 signs messages of any length, including none. */
    const alg *ed = find_alg(STEPCA_SIG_ED25519);
    if (keys[4].pub) {
        sign_and_verify(kms, keys[4].name, keys[4].pub, ed, msg, 0);
        sign_and_verify(kms, keys[4].name, keys[4].pub, ed, msg, 1);
    }
    /* PKCS#1 v1.5 is deterministic; PSS draws a fresh salt each time. */
    errbox b;
    uint8_t digest[32], s1[1024], s2[1024];
    size_t l1 = sizeof s1, l2 = sizeof s2;
    RAND_bytes(digest, sizeof digest);
    call_sign(kms, "rsa", STEPCA_SIG_RSA_PKCS1_SHA256, digest, 32, s1, &l1, &b);
    call_sign(kms, "rsa", STEPCA_SIG_RSA_PKCS1_SHA256, digest, 32, s2, &l2, &b);
    CHECK(l1 == 256 && l1 == l2 && memcmp(s1, s2, l1) == 0, "two PKCS#1 v1.5 signatures of one digest differ");
    l1 = sizeof s1;
    l2 = sizeof s2;
    call_sign(kms, "rsa", STEPCA_SIG_RSA_PSS_SHA256, digest, 32, s1, &l1, &b);
    call_sign(kms, "rsa", STEPCA_SIG_RSA_PSS_SHA256, digest, 32, s2, &l2, &b);
    CHECK(l1 == 256 && l1 == l2 && memcmp(s1, s2, l1) != 0, "two PSS signatures of one digest are equal (no salt?)");
}

static void test_sign_errors(stepca_kms *kms) {
    errbox b;
    uint8_t in[128], sig[1024];
    size_t sig_len;
    RAND_bytes(in, sizeof in);
    struct {
        const char *key;
        uint32_t alg;
        size_t len;
        int32_t want;
        const char *what;
        const char *mentions;
    } cases[] = {
        {"ec256", STEPCA_SIG_ECDSA_SHA256, 31, STEPCA_E_INVALID_ARG, "ECDSA-SHA256 over 31 bytes", "digest"},
        {"ec256", STEPCA_SIG_ECDSA_SHA256, 48, STEPCA_E_INVALID_ARG, "ECDSA-SHA256 over 48 bytes", "digest"},
        {"ec384", STEPCA_SIG_ECDSA_SHA384, 32, STEPCA_E_INVALID_ARG, "ECDSA-SHA384 over 32 bytes", "digest"},
        {"ec521", STEPCA_SIG_ECDSA_SHA512, 0, STEPCA_E_INVALID_ARG, "ECDSA-SHA512 over 0 bytes", "digest"},
        {"rsa", STEPCA_SIG_RSA_PKCS1_SHA256, 64, STEPCA_E_INVALID_ARG, "PKCS1-SHA256 over 64 bytes", "digest"},
        {"rsa", STEPCA_SIG_RSA_PSS_SHA384, 32, STEPCA_E_INVALID_ARG, "PSS-SHA384 over 32 bytes", "digest"},
        {"rsa", STEPCA_SIG_RSA_PSS_SHA512, 128, STEPCA_E_INVALID_ARG, "PSS-SHA512 over 128 bytes", "digest"},
        {"rsa", STEPCA_SIG_ECDSA_SHA256, 32, STEPCA_E_INVALID_ARG, "ECDSA with an RSA key", "RSA key"},
        {"rsa", STEPCA_SIG_ED25519, 32, STEPCA_E_INVALID_ARG, "Ed25519 with an RSA key", "RSA key"},
        {"ec256", STEPCA_SIG_RSA_PKCS1_SHA256, 32, STEPCA_E_INVALID_ARG, "PKCS1 with an EC key", "EC key"},
        {"ec256", STEPCA_SIG_ED25519, 32, STEPCA_E_INVALID_ARG, "Ed25519 with an EC key", "EC key"},
        {"ed_25519-key.1", STEPCA_SIG_ECDSA_SHA256, 32, STEPCA_E_INVALID_ARG, "ECDSA with an Ed25519 key", "Ed25519"},
        {"ed_25519-key.1", STEPCA_SIG_RSA_PSS_SHA256, 32, STEPCA_E_INVALID_ARG, "PSS with an Ed25519 key", "Ed25519"},
        {"ec256", 0, 32, STEPCA_E_UNSUPPORTED, "algorithm 0", "algorithm 0"},
        {"ec256", 99, 32, STEPCA_E_UNSUPPORTED, "algorithm 99", "algorithm 99"},
        {"filekms:name=nope", STEPCA_SIG_ECDSA_SHA256, 32, STEPCA_E_NOT_FOUND, "missing key", "nope"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sig_len = sizeof sig;
        char what[160];
        snprintf(what, sizeof what, "sign: %s", cases[i].what);
        EXPECT(call_sign(kms, cases[i].key, cases[i].alg, in, cases[i].len, sig, &sig_len, &b), cases[i].want, &b, what);
        CHECK(strstr(b.buf, cases[i].mentions) != NULL, "%s: the message should mention \"%s\": %s", what,
              cases[i].mentions, b.buf);
    }
    /* Buffers: too small reports the size that suffices, and that size works. */
    uint8_t digest[32];
    RAND_bytes(digest, sizeof digest);
    const char *sized[] = {"ec256", "rsa", "ed_25519-key.1"};
    const uint32_t sized_alg[] = {STEPCA_SIG_ECDSA_SHA256, STEPCA_SIG_RSA_PSS_SHA256, STEPCA_SIG_ED25519};
    for (size_t i = 0; i < 3; i++) {
        sig_len = 8;
        EXPECT(call_sign(kms, sized[i], sized_alg[i], digest, 32, sig, &sig_len, &b), STEPCA_E_BUFFER_TOO_SMALL, &b,
               "sign into 8 bytes");
        size_t need = sig_len;
        CHECK(need > 8 && need <= 1024, "sign %s: needed size %zu", sized[i], need);
        sig_len = 0;
        EXPECT(call_sign(kms, sized[i], sized_alg[i], digest, 32, NULL, &sig_len, &b), STEPCA_E_BUFFER_TOO_SMALL, &b,
               "sign size query (NULL, 0)");
        CHECK(sig_len == need, "sign %s: size query %zu, before %zu", sized[i], sig_len, need);
        uint8_t *exact = malloc(need);
        sig_len = need;
        EXPECT(call_sign(kms, sized[i], sized_alg[i], digest, 32, exact, &sig_len, &b), STEPCA_OK, &b,
               "sign into the reported size");
        free(exact);
    }
    /* NULL arguments. */
    sig_len = sizeof sig;
    EXPECT(T->sign(NULL, "ec256", 5, STEPCA_SIG_ECDSA_SHA256, digest, 32, sig, &sig_len, E(&b)), STEPCA_E_INVALID_ARG,
           &b, "sign with a NULL handle");
    EXPECT(T->sign(kms, "ec256", 5, STEPCA_SIG_ECDSA_SHA256, digest, 32, sig, NULL, E(&b)), STEPCA_E_INVALID_ARG, &b,
           "sign with sig_len == NULL");
    EXPECT(T->sign(kms, "ec256", 5, STEPCA_SIG_ECDSA_SHA256, NULL, 32, sig, &sig_len, E(&b)), STEPCA_E_INVALID_ARG, &b,
           "sign with digest == NULL");
    EXPECT(T->sign(kms, NULL, 5, STEPCA_SIG_ECDSA_SHA256, digest, 32, sig, &sig_len, E(&b)), STEPCA_E_INVALID_ARG, &b,
           "sign with key == NULL");
    sig_len = 64;
    EXPECT(T->sign(kms, "ec256", 5, STEPCA_SIG_ECDSA_SHA256, digest, 32, NULL, &sig_len, E(&b)), STEPCA_E_INVALID_ARG,
           &b, "sign into NULL with a capacity");
    /* The key name is taken by length, not up to a NUL. */
    sig_len = sizeof sig;
    EXPECT(T->sign(kms, "ec256XYZ", 5, STEPCA_SIG_ECDSA_SHA256, digest, 32, sig, &sig_len, E(&b)), STEPCA_OK, &b,
           "sign with a key name taken by length");
}

static void test_public_key_errors(stepca_kms *kms) {
    errbox b;
    uint8_t out[4096];
    size_t len = 10;
    EXPECT(public_key(kms, "ec256", out, &len, &b), STEPCA_E_BUFFER_TOO_SMALL, &b, "get_public_key into 10 bytes");
    CHECK(len == keys[0].der_len, "get_public_key: needed %zu, expected %zu", len, keys[0].der_len);
    len = 0;
    EXPECT(public_key(kms, "ec256", NULL, &len, &b), STEPCA_E_BUFFER_TOO_SMALL, &b, "get_public_key size query");
    CHECK(len == keys[0].der_len, "get_public_key size query: %zu", len);
    len = sizeof out;
    EXPECT(public_key(kms, "filekms:name=nope", out, &len, &b), STEPCA_E_NOT_FOUND, &b, "get_public_key missing key");
    CHECK(strstr(b.buf, "filekms:name=nope") != NULL, "the message should name the key: %s", b.buf);
    /* Messages quote the reference as the host passed it, whatever its spelling. */
    const char *spellings[] = {"FileKMS:name=Nope-2", "nope.3", "filekms:name=nope%2D4"};
    for (size_t i = 0; i < 3; i++) {
        len = sizeof out;
        EXPECT(public_key(kms, spellings[i], out, &len, &b), STEPCA_E_NOT_FOUND, &b, "get_public_key missing key");
        CHECK(strstr(b.buf, spellings[i]) != NULL, "the message should quote \"%s\": %s", spellings[i], b.buf);
    }
    EXPECT(T->get_public_key(kms, "ec256", 5, out, NULL, E(&b)), STEPCA_E_INVALID_ARG, &b, "get_public_key len NULL");
    EXPECT(T->get_public_key(NULL, "ec256", 5, out, &len, E(&b)), STEPCA_E_INVALID_ARG, &b, "get_public_key NULL handle");

    const char *bad_names[] = {
        "a/b", "..", "../etc/passwd", "filekms:name=../x", "filekms:name=a%2Fb", "filekms:name=a%2E%2Eb",
        ".hidden", "filekms:name=", "filekms:", "filekms:id=1", "filekms:name=a;name=b", "pkcs11:id=01;object=x",
        "na me", "filekms:name=%", "filekms:name=x%zz", "caf\xc3\xa9",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    };
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        char what[200];
        snprintf(what, sizeof what, "get_public_key \"%.40s\"", bad_names[i]);
        len = sizeof out;
        EXPECT(public_key(kms, bad_names[i], out, &len, &b), STEPCA_E_INVALID_ARG, &b, what);
    }
    len = sizeof out;
    EXPECT(T->get_public_key(kms, "ec\0" "256", 6, out, &len, E(&b)), STEPCA_E_INVALID_ARG, &b, "a name with a NUL byte");
    EXPECT(T->get_public_key(kms, "", 0, out, &len, E(&b)), STEPCA_E_INVALID_ARG, &b, "an empty name");
    /* A key whose file is a symbolic link is refused, not followed. */
    char link_path[600], target[600];
    snprintf(link_path, sizeof link_path, "%s/link.pem", keydir);
    snprintf(target, sizeof target, "%s/ec256.pem", keydir);
    if (CHECK(symlink(target, link_path) == 0, "symlink: %s", strerror(errno))) {
        len = sizeof out;
        EXPECT(public_key(kms, "link", out, &len, &b), STEPCA_E_INVALID_ARG, &b, "a key file that is a symlink");
        unlink(link_path);
    }
}

static void test_create_errors(stepca_kms *kms) {
    errbox b;
    created c;
    EXPECT(create(kms, "filekms:name=ec256", STEPCA_KEY_EC_P256, 0, 0, 0, &c, &b), STEPCA_E_CONFLICT, &b,
           "create_key over an existing key");
    CHECK(c.calls == 0, "done must not be called after a failure");
    EXPECT(create(kms, "hsm", STEPCA_KEY_EC_P256, 0, STEPCA_KEYF_HSM, 0, &c, &b), STEPCA_E_UNSUPPORTED, &b,
           "create_key with STEPCA_KEYF_HSM");
    EXPECT(create(kms, "t0", 0, 0, 0, 0, &c, &b), STEPCA_E_UNSUPPORTED, &b, "create_key type 0");
    EXPECT(create(kms, "t6", 6, 0, 0, 0, &c, &b), STEPCA_E_UNSUPPORTED, &b, "create_key type 6");
    EXPECT(create(kms, "r1024", STEPCA_KEY_RSA, 1024, 0, 0, &c, &b), STEPCA_E_INVALID_ARG, &b, "create_key RSA 1024");
    EXPECT(create(kms, "r2047", STEPCA_KEY_RSA, 2047, 0, 0, &c, &b), STEPCA_E_INVALID_ARG, &b, "create_key RSA 2047");
    EXPECT(create(kms, "r16k", STEPCA_KEY_RSA, 16384, 0, 0, &c, &b), STEPCA_E_INVALID_ARG, &b, "create_key RSA 16384");
    EXPECT(create(kms, "mismatch", STEPCA_KEY_EC_P256, 0, 0, STEPCA_SIG_RSA_PSS_SHA256, &c, &b), STEPCA_E_INVALID_ARG,
           &b, "create_key EC for RSA-PSS");
    EXPECT(create(kms, "mismatch", STEPCA_KEY_ED25519, 0, 0, STEPCA_SIG_ECDSA_SHA256, &c, &b), STEPCA_E_INVALID_ARG,
           &b, "create_key Ed25519 for ECDSA");
    EXPECT(create(kms, "../evil", STEPCA_KEY_EC_P256, 0, 0, 0, &c, &b), STEPCA_E_INVALID_ARG, &b, "create_key ../evil");
    EXPECT(create(kms, "filekms:name=a/b", STEPCA_KEY_EC_P256, 0, 0, 0, &c, &b), STEPCA_E_INVALID_ARG, &b,
           "create_key a/b");
    char evil[600];
    snprintf(evil, sizeof evil, "%s/evil.pem", scratch);
    CHECK(access(evil, F_OK) != 0, "create_key ../evil wrote %s", evil);
    EXPECT(T->create_key(kms, NULL, on_created, &c, E(&b)), STEPCA_E_INVALID_ARG, &b, "create_key request NULL");
    stepca_kms_key_request r;
    memset(&r, 0, sizeof r);
    r.struct_size = 4;
    EXPECT(T->create_key(kms, &r, on_created, &c, E(&b)), STEPCA_E_INVALID_ARG, &b, "create_key struct_size 4");
    EXPECT(T->create_key(NULL, &r, on_created, &c, E(&b)), STEPCA_E_INVALID_ARG, &b, "create_key NULL handle");
    /* done may be NULL. */
    EXPECT(create(kms, "nodone", STEPCA_KEY_ED25519, 0, 0, 0, NULL, &b), STEPCA_OK, &b, "create_key with done NULL");
    char path[600];
    snprintf(path, sizeof path, "%s/nodone.pem", keydir);
    CHECK(access(path, F_OK) == 0, "create_key with done NULL wrote no %s", path);
}

static void test_delete(stepca_kms *kms) {
    errbox b;
    uint8_t before[4096], after[4096], sig[1024], digest[32];
    size_t before_len = sizeof before, after_len = sizeof after, sig_len = sizeof sig;
    RAND_bytes(digest, sizeof digest);
    /* Sign once so the key is cached, then delete and recreate it with another type. */
    EXPECT(public_key(kms, "nodone", before, &before_len, &b), STEPCA_OK, &b, "get_public_key nodone");
    EXPECT(call_sign(kms, "nodone", STEPCA_SIG_ED25519, digest, 32, sig, &sig_len, &b), STEPCA_OK, &b, "sign nodone");
    EXPECT(T->delete_key(kms, "filekms:name=nodone", 19, E(&b)), STEPCA_OK, &b, "delete_key nodone");
    char path[600];
    snprintf(path, sizeof path, "%s/nodone.pem", keydir);
    CHECK(access(path, F_OK) != 0, "delete_key left %s", path);
    sig_len = sizeof sig;
    EXPECT(call_sign(kms, "nodone", STEPCA_SIG_ED25519, digest, 32, sig, &sig_len, &b), STEPCA_E_NOT_FOUND, &b,
           "sign a deleted key");
    EXPECT(T->delete_key(kms, "nodone", 6, E(&b)), STEPCA_E_NOT_FOUND, &b, "delete_key twice");
    EXPECT(T->delete_key(kms, "../x", 4, E(&b)), STEPCA_E_INVALID_ARG, &b, "delete_key ../x");
    EXPECT(T->delete_key(NULL, "x", 1, E(&b)), STEPCA_E_INVALID_ARG, &b, "delete_key NULL handle");
    EXPECT(create(kms, "nodone", STEPCA_KEY_EC_P384, 0, 0, 0, NULL, &b), STEPCA_OK, &b, "recreate nodone as P-384");
    EXPECT(public_key(kms, "nodone", after, &after_len, &b), STEPCA_OK, &b, "get_public_key new nodone");
    CHECK(after_len != before_len || memcmp(after, before, after_len) != 0, "the recreated key shows the old public key");
    sig_len = sizeof sig;
    EXPECT(call_sign(kms, "nodone", STEPCA_SIG_ED25519, digest, 32, sig, &sig_len, &b), STEPCA_E_INVALID_ARG, &b,
           "the old key type no longer signs");
    CHECK(strstr(b.buf, "EC key") != NULL, "the recreated key is not seen as an EC key: %s", b.buf);
    uint8_t d48[48];
    RAND_bytes(d48, sizeof d48);
    sig_len = sizeof sig;
    EXPECT(call_sign(kms, "nodone", STEPCA_SIG_ECDSA_SHA384, d48, 48, sig, &sig_len, &b), STEPCA_OK, &b,
           "sign with the recreated key");
    EVP_PKEY *pub = parse_spki(after, after_len);
    CHECK(pub && verify(pub, find_alg(STEPCA_SIG_ECDSA_SHA384), d48, 48, sig, sig_len),
          "the recreated key's signature does not verify against its new public key");
    EVP_PKEY_free(pub);
    EXPECT(T->delete_key(kms, "nodone", 6, E(&b)), STEPCA_OK, &b, "delete_key nodone again");
}

static uint8_t *self_signed(long serial, size_t *len) {
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, k);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"filekms smoke test", -1, -1, 0);
    X509_set_issuer_name(x, n);
    X509_sign(x, k, EVP_sha256());
    unsigned char *der = NULL;
    int n_der = i2d_X509(x, &der);
    X509_free(x);
    EVP_PKEY_free(k);
    *len = n_der > 0 ? (size_t)n_der : 0;
    uint8_t *copy = malloc(*len ? *len : 1);
    if (copy && *len) memcpy(copy, der, *len);
    OPENSSL_free(der);
    return copy;
}

static void test_certificates(stepca_kms *kms) {
    errbox b;
    size_t len1 = 0, len2 = 0;
    uint8_t *c1 = self_signed(1, &len1);
    uint8_t *c2 = self_signed(2, &len2);
    bytes got = {0};
    EXPECT(T->store_certificate(kms, "filekms:name=root", 17, c1, len1, E(&b)), STEPCA_OK, &b, "store_certificate");
    EXPECT(T->load_certificate(kms, "root", 4, on_bytes, &got, E(&b)), STEPCA_OK, &b, "load_certificate");
    CHECK(got.calls == 1 && got.len == len1 && memcmp(got.data, c1, len1) == 0, "the loaded certificate differs");
    char path[600];
    snprintf(path, sizeof path, "%s/root.crt", keydir);
    FILE *f = fopen(path, "r");
    char line[64] = "";
    if (f) {
        if (fgets(line, sizeof line, f) == NULL) line[0] = '\0';
        fclose(f);
    }
    CHECK(strcmp(line, "-----BEGIN CERTIFICATE-----\n") == 0, "%s is not a PEM certificate", path);
    EXPECT(T->store_certificate(kms, "root", 4, c2, len2, E(&b)), STEPCA_OK, &b, "store_certificate replaces");
    bytes_free(&got);
    EXPECT(T->load_certificate(kms, "root", 4, on_bytes, &got, E(&b)), STEPCA_OK, &b, "load_certificate replaced");
    CHECK(got.len == len2 && memcmp(got.data, c2, len2) == 0, "the replaced certificate was not returned");
    /* Next to a key, under the key's name. */
    EXPECT(T->store_certificate(kms, "filekms:name=ec256", 18, c1, len1, E(&b)), STEPCA_OK, &b,
           "store_certificate next to a key");
    snprintf(path, sizeof path, "%s/ec256.crt", keydir);
    CHECK(access(path, F_OK) == 0, "no %s", path);

    uint8_t garbage[64];
    memset(garbage, 0x30, sizeof garbage);
    EXPECT(T->store_certificate(kms, "bad", 3, garbage, sizeof garbage, E(&b)), STEPCA_E_INVALID_ARG, &b,
           "store_certificate garbage");
    uint8_t *longer = malloc(len1 + 1);
    memcpy(longer, c1, len1);
    longer[len1] = 0;
    EXPECT(T->store_certificate(kms, "bad", 3, longer, len1 + 1, E(&b)), STEPCA_E_INVALID_ARG, &b,
           "store_certificate with a trailing byte");
    free(longer);
    EXPECT(T->store_certificate(kms, "bad", 3, c1, 0, E(&b)), STEPCA_E_INVALID_ARG, &b, "store_certificate 0 bytes");
    EXPECT(T->store_certificate(kms, "bad", 3, NULL, 10, E(&b)), STEPCA_E_INVALID_ARG, &b, "store_certificate NULL");
    EXPECT(T->store_certificate(kms, "../bad", 6, c1, len1, E(&b)), STEPCA_E_INVALID_ARG, &b,
           "store_certificate ../bad");
    CHECK(strncmp(b.buf, "certificate ", 12) == 0, "the message should speak of a certificate: %s", b.buf);
    snprintf(path, sizeof path, "%s/bad.crt", keydir);
    CHECK(access(path, F_OK) != 0, "a refused certificate was written");
    bytes_free(&got);
    EXPECT(T->load_certificate(kms, "filekms:name=absent", 19, on_bytes, &got, E(&b)), STEPCA_E_NOT_FOUND, &b,
           "load_certificate missing");
    CHECK(got.calls == 0, "the sink must not be called after a failure");
    EXPECT(T->load_certificate(kms, "root", 4, NULL, NULL, E(&b)), STEPCA_E_INVALID_ARG, &b, "load_certificate sink NULL");
    EXPECT(T->load_certificate(kms, "a/b", 3, on_bytes, &got, E(&b)), STEPCA_E_INVALID_ARG, &b, "load_certificate a/b");
    snprintf(path, sizeof path, "%s/junk.crt", keydir);
    write_text(path, "not PEM\n");
    EXPECT(T->load_certificate(kms, "junk", 4, on_bytes, &got, E(&b)), STEPCA_E_INTERNAL, &b, "load_certificate junk");
    unlink(path);
    bytes_free(&got);
    free(c1);
    free(c2);
}

static void test_decrypt(stepca_kms *kms) {
    errbox b;
    EVP_PKEY *pub = keys[3].pub;
    if (!CHECK(pub != NULL, "no RSA key for decryption")) return;
    struct {
        uint32_t alg;
        int padding;
        const char *hash;
    } modes[] = {
        {STEPCA_DEC_RSA_PKCS1, RSA_PKCS1_PADDING, NULL},
        {STEPCA_DEC_RSA_OAEP_SHA1, RSA_PKCS1_OAEP_PADDING, "SHA1"},
        {STEPCA_DEC_RSA_OAEP_SHA256, RSA_PKCS1_OAEP_PADDING, "SHA256"},
    };
    uint8_t plain[32], ct[512];
    RAND_bytes(plain, sizeof plain);
    for (size_t i = 0; i < 3; i++) {
        size_t ct_len = sizeof ct;
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
        EVP_MD *md = modes[i].hash ? EVP_MD_fetch(NULL, modes[i].hash, NULL) : NULL;
        int ok = c && EVP_PKEY_encrypt_init(c) == 1 && EVP_PKEY_CTX_set_rsa_padding(c, modes[i].padding) == 1;
        if (ok && md) ok = EVP_PKEY_CTX_set_rsa_oaep_md(c, md) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(c, md) == 1;
        if (ok) ok = EVP_PKEY_encrypt(c, ct, &ct_len, plain, sizeof plain) == 1;
        EVP_MD_free(md);
        EVP_PKEY_CTX_free(c);
        if (!CHECK(ok, "encrypting a test message failed")) continue;
        bytes got = {0};
        char what[64];
        snprintf(what, sizeof what, "decrypt algorithm %u", (unsigned)modes[i].alg);
        EXPECT(T->decrypt(kms, "rsa", 3, modes[i].alg, ct, ct_len, on_bytes, &got, E(&b)), STEPCA_OK, &b, what);
        CHECK(got.len == sizeof plain && memcmp(got.data, plain, sizeof plain) == 0, "%s: wrong plaintext", what);
        bytes_free(&got);
        if (i == 2) {
            /* OAEP-SHA256 ciphertext read as PKCS#1 v1.5 fails: wrong algorithm for the input. */
            EXPECT(T->decrypt(kms, "rsa", 3, STEPCA_DEC_RSA_OAEP_SHA1, ct, ct_len, on_bytes, &got, E(&b)),
                   STEPCA_E_INVALID_ARG, &b, "decrypt with the wrong OAEP hash");
            CHECK(got.calls == 0, "the sink must not be called after a failure");
            EXPECT(T->decrypt(kms, "rsa", 3, STEPCA_DEC_RSA_OAEP_SHA256, ct, ct_len - 1, on_bytes, &got, E(&b)),
                   STEPCA_E_INVALID_ARG, &b, "decrypt a short ciphertext");
            EXPECT(T->decrypt(kms, "ec256", 5, STEPCA_DEC_RSA_OAEP_SHA256, ct, ct_len, on_bytes, &got, E(&b)),
                   STEPCA_E_INVALID_ARG, &b, "decrypt with an EC key");
            EXPECT(T->decrypt(kms, "rsa", 3, 9, ct, ct_len, on_bytes, &got, E(&b)), STEPCA_E_UNSUPPORTED, &b,
                   "decrypt algorithm 9");
            EXPECT(T->decrypt(kms, "absent", 6, STEPCA_DEC_RSA_PKCS1, ct, ct_len, on_bytes, &got, E(&b)),
                   STEPCA_E_NOT_FOUND, &b, "decrypt with a missing key");
            EXPECT(T->decrypt(kms, "rsa", 3, STEPCA_DEC_RSA_PKCS1, ct, ct_len, NULL, NULL, E(&b)), STEPCA_E_INVALID_ARG,
                   &b, "decrypt sink NULL");
        }
    }
}

/** Copies a file (the source's bytes into a new file of mode 0600). */
static int copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb");
    if (in == NULL) return 0;
    int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
    char buf[4096];
    size_t n;
    int ok = out != NULL;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0) ok = fwrite(buf, 1, n, out) == n;
    fclose(in);
    if (out) ok = fclose(out) == 0 && ok;
    return ok;
}

static void test_foreign_files(stepca_kms *kms) {
    errbox b;
    char path[600];
    uint8_t out[4096];
    size_t len = sizeof out;
    /* A key file replaced behind the plugin's back is read again, not served from the cache. */
    char from[600], temp[600];
    snprintf(path, sizeof path, "%s/swap.pem", keydir);
    snprintf(from, sizeof from, "%s/ec384.pem", keydir);
    CHECK(copy_file(from, path), "cannot copy %s", from);
    EXPECT(public_key(kms, "swap", out, &len, &b), STEPCA_OK, &b, "get_public_key swap (a copy of ec384)");
    CHECK(len == keys[1].der_len && memcmp(out, keys[1].der, len) == 0, "swap should show ec384's public key");
    snprintf(from, sizeof from, "%s/ec521.pem", keydir);
    snprintf(temp, sizeof temp, "%s/swap.new", scratch);
    CHECK(copy_file(from, temp) && rename(temp, path) == 0, "cannot replace %s", path);
    len = sizeof out;
    EXPECT(public_key(kms, "swap", out, &len, &b), STEPCA_OK, &b, "get_public_key swap (now a copy of ec521)");
    CHECK(len == keys[2].der_len && memcmp(out, keys[2].der, len) == 0, "a replaced key file was served from the cache");
    unlink(path);
    len = sizeof out;
    /* An encrypted key is refused with a message, never a password prompt. */
    snprintf(path, sizeof path, "%s/encrypted.pem", keydir);
    EVP_PKEY *k = EVP_EC_gen("P-256");
    FILE *f = fopen(path, "w");
    if (f && k) {
        PEM_write_PrivateKey(f, k, EVP_aes_256_cbc(), (unsigned char *)"secret", 6, NULL, NULL);
    }
    if (f) fclose(f);
    EVP_PKEY_free(k);
    EXPECT(public_key(kms, "encrypted", out, &len, &b), STEPCA_E_UNSUPPORTED, &b, "an encrypted key file");
    CHECK(strstr(b.buf, "encrypted") != NULL && strstr(b.buf, "secret") == NULL, "message: %s", b.buf);
    unlink(path);
    snprintf(path, sizeof path, "%s/junk.pem", keydir);
    write_text(path, "hello\n");
    len = sizeof out;
    EXPECT(public_key(kms, "junk", out, &len, &b), STEPCA_E_INTERNAL, &b, "a key file that is not PEM");
    unlink(path);
}

static void test_second_handle(void) {
    errbox b;
    char cfg[600];
    /* Without "type": the host then routes by the URI's scheme. A trailing slash is fine. */
    snprintf(cfg, sizeof cfg, "{\"uri\":\"filekms:dir=%s/\"}", keydir);
    stepca_kms *other = NULL;
    if (!EXPECT(T->open(cfg, strlen(cfg), &other, E(&b)), STEPCA_OK, &b, "open a second handle")) return;
    for (size_t i = 0; i < KEY_COUNT; i++) {
        uint8_t der[4096];
        size_t len = sizeof der;
        EXPECT(public_key(other, keys[i].name, der, &len, &b), STEPCA_OK, &b, "get_public_key on a second handle");
        CHECK(len == keys[i].der_len && memcmp(der, keys[i].der, len) == 0, "%s: another public key after reopening",
              keys[i].name);
    }
    T->close(other);
}

/* ---------------------------------------------------------------------------------------------
 * Concurrency
 * ------------------------------------------------------------------------------------------- */

typedef struct worker {
    stepca_kms *kms;
    int index;
    int rounds;
    int signed_ok;
} worker;

static const struct {
    size_t key;
    uint32_t alg;
} mix[] = {
    {0, STEPCA_SIG_ECDSA_SHA256}, {1, STEPCA_SIG_ECDSA_SHA384},   {2, STEPCA_SIG_ECDSA_SHA512},
    {3, STEPCA_SIG_RSA_PSS_SHA256}, {3, STEPCA_SIG_RSA_PKCS1_SHA384}, {4, STEPCA_SIG_ED25519},
};

static void *signer(void *arg) {
    worker *w = arg;
    for (int r = 0; r < w->rounds; r++) {
        size_t m = (size_t)(w->index + r) % (sizeof mix / sizeof mix[0]);
        const key *k = &keys[mix[m].key];
        const alg *a = find_alg(mix[m].alg);
        uint8_t msg[64], input[64], sig[1024];
        RAND_bytes(msg, sizeof msg);
        size_t in_len = make_input(a, msg, sizeof msg, input);
        size_t sig_len = sizeof sig;
        errbox b;
        int32_t rc = call_sign(w->kms, k->name, a->id, input, in_len, sig, &sig_len, &b);
        if (!CHECK(rc == STEPCA_OK, "thread %d: sign %s %s: %s: %s", w->index, k->name, a->name, status_name(rc), b.buf)) {
            continue;
        }
        if (CHECK(verify(k->pub, a, input, in_len, sig, sig_len), "thread %d: %s %s does not verify", w->index, k->name,
                  a->name)) {
            w->signed_ok++;
        }
    }
    return NULL;
}

/** Creates, uses and deletes keys while the signers run, so the cache changes under them. */
static void *churner(void *arg) {
    worker *w = arg;
    for (int r = 0; r < w->rounds; r++) {
        char name[64];
        snprintf(name, sizeof name, "churn-%d", r);
        errbox b;
        int32_t rc = create(w->kms, name, STEPCA_KEY_ED25519, 0, 0, 0, NULL, &b);
        CHECK(rc == STEPCA_OK, "churn: create %s: %s", name, b.buf);
        uint8_t sig[128];
        size_t sig_len = sizeof sig;
        rc = call_sign(w->kms, name, STEPCA_SIG_ED25519, (const uint8_t *)"m", 1, sig, &sig_len, &b);
        CHECK(rc == STEPCA_OK, "churn: sign %s: %s", name, b.buf);
        rc = T->delete_key(w->kms, name, strlen(name), E(&b));
        CHECK(rc == STEPCA_OK, "churn: delete %s: %s", name, b.buf);
        w->signed_ok++;
    }
    return NULL;
}

static void test_threads(stepca_kms *kms, int rounds) {
    enum { SIGNERS = 8 };
    pthread_t threads[SIGNERS + 1];
    worker workers[SIGNERS + 1];
    for (int i = 0; i <= SIGNERS; i++) {
        workers[i] = (worker){kms, i, i < SIGNERS ? rounds : rounds / 2 + 1, 0};
        int rc = pthread_create(&threads[i], NULL, i < SIGNERS ? signer : churner, &workers[i]);
        CHECK(rc == 0, "pthread_create: %s", strerror(rc));
    }
    int total = 0;
    for (int i = 0; i <= SIGNERS; i++) {
        pthread_join(threads[i], NULL);
        if (i < SIGNERS) total += workers[i].signed_ok;
    }
    CHECK(total == SIGNERS * rounds, "%d of %d concurrent signatures verified", total, SIGNERS * rounds);
    CHECK(workers[SIGNERS].signed_ok == rounds / 2 + 1, "the churn thread finished %d of %d rounds",
          workers[SIGNERS].signed_ok, rounds / 2 + 1);
    printf("  %d threads signed and verified %d signatures while another created and deleted %d keys\n", SIGNERS,
           total, workers[SIGNERS].signed_ok);
}

/* ---------------------------------------------------------------------------------------------
 * main
 * ------------------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s path/to/libstepca-kms-filekms.so\n", argv[0]);
        return 2;
    }
    verbose = getenv("FILEKMS_SMOKE_VERBOSE") && strcmp(getenv("FILEKMS_SMOKE_VERBOSE"), "1") == 0;
    int rounds = getenv("FILEKMS_SMOKE_ROUNDS") ? atoi(getenv("FILEKMS_SMOKE_ROUNDS")) : 40;
    if (rounds < 1) rounds = 1;
    setvbuf(stdout, NULL, _IOLBF, 0);

    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        printf("FAIL: cannot load %s: %s\n", argv[1], dlerror());
        return 1;
    }
    stepca_plugin_entry_fn entry;
    void *symbol = dlsym(lib, STEPCA_ENTRY_SYMBOL);
    memcpy(&entry, &symbol, sizeof entry);
    if (symbol == NULL) {
        printf("FAIL: %s does not export %s\n", argv[1], STEPCA_ENTRY_SYMBOL);
        return 1;
    }
    const stepca_plugin_v1 *d = NULL;
    test_descriptor(entry, &d);
    if (d == NULL || d->table == NULL) {
        printf("FAIL: no usable descriptor; %d of %d checks failed\n", failures, checks);
        return 1;
    }
    T = d->table;

    snprintf(scratch, sizeof scratch, "%s/filekms-smoke-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(scratch) == NULL) {
        printf("FAIL: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    snprintf(keydir, sizeof keydir, "%s/keys", scratch);
    umask(022);
    test_config();

    /* A stanza with escapes and members the plugin ignores; the directory does not exist yet. */
    char cfg[1024];
    snprintf(cfg, sizeof cfg,
             "{ \"type\" : \"FileKMS\", \"note\": \"caf\\u00e9 \\ud83d\\ude00\", \"x\": [1, -2.5e3, {\"y\": null}, true],\n"
             "  \"uri\": \"filekms:dir=%s\\/keys\" }",
             scratch);
    errbox b;
    stepca_kms *kms = NULL;
    int logged = log_lines;
    if (EXPECT(T->open(cfg, strlen(cfg), &kms, E(&b)), STEPCA_OK, &b, "open") && kms != NULL) {
        CHECK(log_lines > logged, "open should log through the host");
        test_create_keys(kms);
        test_sign_every_algorithm(kms);
        test_sign_errors(kms);
        test_public_key_errors(kms);
        test_create_errors(kms);
        test_delete(kms);
        test_certificates(kms);
        test_decrypt(kms);
        test_foreign_files(kms);
        test_second_handle();
        test_threads(kms, rounds);
        CHECK(stray_files() == 0, "the key directory holds stray files");
        T->close(kms);
    }
    for (size_t i = 0; i < KEY_COUNT; i++) EVP_PKEY_free(keys[i].pub);
    remove_tree(scratch);

    if (failures == 0) {
        printf("filekms smoke test: PASS (%d checks)\n", checks);
        return 0;
    }
    printf("filekms smoke test: FAIL (%d of %d checks failed)\n", failures, checks);
    return 1;
}
