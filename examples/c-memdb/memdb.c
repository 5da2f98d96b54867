/*
 * memdb.c — an in-memory key/value database plugin for swift-step-ca, written in plain C11.
 *
 * It serves the ca.json database type "memdb":
 *
 *     "db": { "type": "memdb", "maxEntries": 100000 }
 *
 * "maxEntries" is optional (default: unlimited) and caps the number of entries across all
 * tables. Everything lives in process memory and is lost when the CA stops, so this plugin is a
 * demonstration of the plugin ABI (stepca_plugin.h) and a test double, not a production store.
 *
 * DATA MODEL
 *   A database is an unordered array of tables. A table is a chained hash table (FNV-1a) of
 *   entries. Table names, keys and values are binary-safe byte strings; an entry is one
 *   allocation holding its key and value. A stored empty value is still an entry (get finds it),
 *   while for compare-and-swap an absent entry and an empty value are the same thing.
 *
 * THREADS
 *   The descriptor sets STEPCA_F_THREADSAFE; every handle has one pthread mutex around its state.
 *   Callbacks into the host (value sinks, list visitors, update results) are never made while
 *   the mutex is held: values are copied out first, so a callback may call back into the plugin.
 *
 * UPDATE ATOMICITY
 *   update() validates every operation first, then takes the mutex and applies the operations
 *   to the live data while recording one undo record per operation:
 *     - a written or deleted key keeps its previous entry node (or "absent") in the record; a
 *       write installs a freshly allocated node instead of editing the old one in place;
 *     - a created table is remembered so it can be removed again;
 *     - a deleted table is only detached from the table array and kept in the record.
 *   Every allocation an operation needs happens before it changes anything, and replaying a
 *   record never allocates, so a rollback cannot fail. On the first failing operation the
 *   records are replayed newest first, which restores the exact previous state; on success the
 *   superseded nodes and detached tables are freed. Values read by GET operations and by CAS
 *   operations that did not swap are copied and handed to the result callback only after the
 *   commit, outside the mutex; after a rollback they are dropped.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stepca_plugin.h"

#define MEMDB_EXPORT __attribute__((visibility("default")))

/** step-ca's SQL schemas limit keys to 255 bytes; the reference plugins enforce the same. */
#define MEMDB_MAX_KEY 255
/** Vendor status: the database holds maxEntries entries (the host treats it as INTERNAL). */
#define MEMDB_E_FULL (STEPCA_E_VENDOR_BASE + 1)
/** Nesting limit of the configuration parser (keeps recursion bounded on hostile input). */
#define MEMDB_JSON_MAX_DEPTH 64
#define MEMDB_INITIAL_BUCKETS 16u

static const uint8_t empty_bytes[1] = {0};

/* ---------------------------------------------------------------------------------------------
 * Failures and messages
 * ------------------------------------------------------------------------------------------- */

/** A status and its message, filled by internal functions and copied to the caller's errbuf. */
typedef struct failure {
    int32_t status;
    char msg[384];
} failure;

__attribute__((format(printf, 3, 4)))
static int32_t fail(failure *f, int32_t status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(f->msg, sizeof f->msg, fmt, ap);
    va_end(ap);
    if (n < 0) f->msg[0] = '\0';
    f->status = status;
    return status;
}

static int32_t report(stepca_errbuf *err, const failure *f) {
    stepca_errbuf_set(err, f->msg, strlen(f->msg));
    return f->status;
}

__attribute__((format(printf, 3, 4)))
static int32_t report_now(stepca_errbuf *err, int32_t status, const char *fmt, ...) {
    failure f;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(f.msg, sizeof f.msg, fmt, ap);
    va_end(ap);
    if (n < 0) f.msg[0] = '\0';
    f.status = status;
    return report(err, &f);
}

/**
 * Formats a table name or key for a message: as text when printable ASCII, else as hex; long
 * names are cut to their first 48 bytes and marked with "...".
 */
typedef struct label {
    char text[112];
} label;

static label describe(const uint8_t *bytes, size_t len) {
    label out;
    size_t shown = len > 48 ? 48 : len;
    int printable = 1;
    for (size_t i = 0; i < shown; i++) {
        if (bytes[i] < 0x20 || bytes[i] > 0x7e) printable = 0;
    }
    size_t at = 0;
    if (printable) {
        memcpy(out.text, bytes, shown);
        at = shown;
    } else {
        static const char hex[] = "0123456789abcdef";
        out.text[at++] = '0';
        out.text[at++] = 'x';
        for (size_t i = 0; i < shown; i++) {
            out.text[at++] = hex[bytes[i] >> 4];
            out.text[at++] = hex[bytes[i] & 0xf];
        }
    }
    if (shown < len) {
        memcpy(out.text + at, "...", 3);
        at += 3;
    }
    out.text[at] = '\0';
    return out;
}

/* ---------------------------------------------------------------------------------------------
 * Host services
 * ------------------------------------------------------------------------------------------- */

static pthread_mutex_t host_lock = PTHREAD_MUTEX_INITIALIZER;
static const stepca_host_v1 *host_services;

__attribute__((format(printf, 2, 3)))
static void host_log(int32_t level, const char *fmt, ...) {
    pthread_mutex_lock(&host_lock);
    const stepca_host_v1 *host = host_services;
    pthread_mutex_unlock(&host_lock);
    if (host == NULL || host->struct_size < sizeof(stepca_host_v1) || host->log == NULL) return;
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    host->log(host->ctx, level, line, len);
}

/* ---------------------------------------------------------------------------------------------
 * Entries and tables
 * ------------------------------------------------------------------------------------------- */

typedef struct entry {
    struct entry *next;
    uint64_t hash;
    size_t key_len;
    size_t value_len;
    uint8_t data[]; /* key_len key bytes, then value_len value bytes */
} entry;

typedef struct table {
    uint8_t *name;
    size_t name_len;
    entry **buckets;
    size_t bucket_count; /* a power of two */
    size_t count;
} table;

struct stepca_db {
    pthread_mutex_t lock;
    table **tables;
    size_t table_count;
    size_t table_capacity; /* never shrinks; a rollback relies on that */
    size_t entries;        /* across all attached tables */
    size_t max_entries;    /* 0: unlimited */
};

static uint64_t hash_bytes(const uint8_t *bytes, size_t len) {
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= bytes[i];
        h *= 1099511628211ull;
    }
    return h;
}

static const uint8_t *entry_value(const entry *e) { return e->data + e->key_len; }

static entry *entry_new(const uint8_t *key, size_t key_len, uint64_t hash, const uint8_t *value,
                        size_t value_len) {
    if (value_len > SIZE_MAX - sizeof(entry) - key_len) return NULL;
    entry *e = malloc(sizeof(entry) + key_len + value_len);
    if (e == NULL) return NULL;
    e->next = NULL;
    e->hash = hash;
    e->key_len = key_len;
    e->value_len = value_len;
    if (key_len) memcpy(e->data, key, key_len);
    if (value_len) memcpy(e->data + key_len, value, value_len);
    return e;
}

static table *table_new(const uint8_t *name, size_t name_len) {
    table *t = calloc(1, sizeof *t);
    if (t == NULL) return NULL;
    t->name = malloc(name_len);
    t->buckets = calloc(MEMDB_INITIAL_BUCKETS, sizeof(entry *));
    if (t->name == NULL || t->buckets == NULL) {
        free(t->name);
        free(t->buckets);
        free(t);
        return NULL;
    }
    memcpy(t->name, name, name_len);
    t->name_len = name_len;
    t->bucket_count = MEMDB_INITIAL_BUCKETS;
    return t;
}

static void table_free(table *t) {
    if (t == NULL) return;
    for (size_t b = 0; b < t->bucket_count; b++) {
        entry *e = t->buckets[b];
        while (e != NULL) {
            entry *next = e->next;
            free(e);
            e = next;
        }
    }
    free(t->buckets);
    free(t->name);
    free(t);
}

static size_t table_index(const stepca_db *db, const uint8_t *name, size_t name_len) {
    for (size_t i = 0; i < db->table_count; i++) {
        const table *t = db->tables[i];
        if (t->name_len == name_len && memcmp(t->name, name, name_len) == 0) return i;
    }
    return SIZE_MAX;
}

static table *table_find(const stepca_db *db, const uint8_t *name, size_t name_len) {
    size_t i = table_index(db, name, name_len);
    return i == SIZE_MAX ? NULL : db->tables[i];
}

static int tables_reserve(stepca_db *db, size_t needed) {
    if (needed <= db->table_capacity) return 0;
    size_t capacity = db->table_capacity ? db->table_capacity * 2 : 8;
    if (capacity < needed) capacity = needed;
    if (capacity > SIZE_MAX / sizeof(table *)) return -1;
    table **grown = realloc(db->tables, capacity * sizeof(table *));
    if (grown == NULL) return -1;
    db->tables = grown;
    db->table_capacity = capacity;
    return 0;
}

/** Attaches a table; the caller guarantees the capacity. */
static void tables_attach(stepca_db *db, table *t) {
    db->tables[db->table_count++] = t;
    db->entries += t->count;
}

/** Detaches the table at index i (order of the array is not kept). */
static table *tables_detach(stepca_db *db, size_t i) {
    table *t = db->tables[i];
    db->tables[i] = db->tables[--db->table_count];
    db->entries -= t->count;
    return t;
}

/** Returns the link that points at the entry for key, or NULL when the key is absent. */
static entry **entry_slot(table *t, const uint8_t *key, size_t key_len, uint64_t hash) {
    entry **link = &t->buckets[hash & (t->bucket_count - 1)];
    for (; *link != NULL; link = &(*link)->next) {
        const entry *e = *link;
        if (e->hash == hash && e->key_len == key_len &&
            (key_len == 0 || memcmp(e->data, key, key_len) == 0)) {
            return link;
        }
    }
    return NULL;
}

/** Doubles the bucket array when the load passes 1. Failure is harmless: chains just get longer. */
static void table_maybe_grow(table *t) {
    if (t->count <= t->bucket_count || t->bucket_count > SIZE_MAX / 2 / sizeof(entry *)) return;
    size_t count = t->bucket_count * 2;
    entry **buckets = calloc(count, sizeof(entry *));
    if (buckets == NULL) return;
    for (size_t b = 0; b < t->bucket_count; b++) {
        entry *e = t->buckets[b];
        while (e != NULL) {
            entry *next = e->next;
            entry **head = &buckets[e->hash & (count - 1)];
            e->next = *head;
            *head = e;
            e = next;
        }
    }
    free(t->buckets);
    t->buckets = buckets;
    t->bucket_count = count;
}

/** Links a new entry for a key that is absent. Never fails. */
static void entry_link(stepca_db *db, table *t, entry *e, int attached) {
    entry **head = &t->buckets[e->hash & (t->bucket_count - 1)];
    e->next = *head;
    *head = e;
    t->count++;
    if (attached) db->entries++;
    table_maybe_grow(t);
}

static entry *entry_unlink(stepca_db *db, table *t, entry **link, int attached) {
    entry *e = *link;
    *link = e->next;
    e->next = NULL;
    t->count--;
    if (attached) db->entries--;
    return e;
}

/* ---------------------------------------------------------------------------------------------
 * Undo log
 * ------------------------------------------------------------------------------------------- */

enum { UNDO_NONE = 0, UNDO_ENTRY, UNDO_TABLE_CREATED, UNDO_TABLE_DELETED };

typedef struct undo {
    int kind;
    table *table;
    /** UNDO_ENTRY: the node the operation linked (NULL for a delete) ... */
    entry *installed;
    /** ... and the node it replaced or removed (NULL when the key was absent). */
    entry *previous;
} undo;

static int table_attached(const stepca_db *db, const table *t) {
    for (size_t i = 0; i < db->table_count; i++) {
        if (db->tables[i] == t) return 1;
    }
    return 0;
}

/** Replays one record. Records are replayed newest first, so each sees the state it left. */
static void undo_apply(stepca_db *db, undo *u) {
    switch (u->kind) {
    case UNDO_ENTRY: {
        table *t = u->table;
        int attached = table_attached(db, t);
        const entry *named = u->installed ? u->installed : u->previous;
        entry **link = entry_slot(t, named->data, named->key_len, named->hash);
        if (u->installed != NULL && link != NULL && *link == u->installed) {
            free(entry_unlink(db, t, link, attached));
        }
        if (u->previous != NULL) entry_link(db, t, u->previous, attached);
        break;
    }
    case UNDO_TABLE_CREATED:
        for (size_t i = 0; i < db->table_count; i++) {
            if (db->tables[i] == u->table) {
                table_free(tables_detach(db, i));
                break;
            }
        }
        break;
    case UNDO_TABLE_DELETED:
        /* The table array never shrinks, and every later record has been replayed: the slot
         * this table left is free again. */
        tables_attach(db, u->table);
        break;
    default:
        break;
    }
    u->kind = UNDO_NONE;
}

/** Commits one record: frees what the operation superseded. */
static void undo_commit(undo *u) {
    if (u->kind == UNDO_ENTRY) free(u->previous);
    if (u->kind == UNDO_TABLE_DELETED) table_free(u->table);
    u->kind = UNDO_NONE;
}

/* ---------------------------------------------------------------------------------------------
 * Operations on locked state. With u == NULL a change is final; with an undo record it can be
 * rolled back. Each returns STEPCA_OK or a status with f filled.
 * ------------------------------------------------------------------------------------------- */

static int32_t check_table_name(failure *f, const uint8_t *name, size_t len) {
    if (len == 0) return fail(f, STEPCA_E_INVALID_ARG, "table name is empty");
    if (name == NULL) return fail(f, STEPCA_E_INVALID_ARG, "table name pointer is NULL with length %zu", len);
    return STEPCA_OK;
}

static int32_t check_key(failure *f, const uint8_t *key, size_t len) {
    if (len > MEMDB_MAX_KEY) {
        return fail(f, STEPCA_E_INVALID_ARG,
                    "key is %zu bytes; keys are limited to %d bytes as in step-ca's SQL schema", len,
                    MEMDB_MAX_KEY);
    }
    if (key == NULL && len > 0) return fail(f, STEPCA_E_INVALID_ARG, "key pointer is NULL with length %zu", len);
    return STEPCA_OK;
}

static int32_t check_bytes(failure *f, const char *what, const uint8_t *bytes, size_t len) {
    if (bytes == NULL && len > 0) return fail(f, STEPCA_E_INVALID_ARG, "%s pointer is NULL with length %zu", what, len);
    return STEPCA_OK;
}

static table *require_table(stepca_db *db, failure *f, const uint8_t *name, size_t len) {
    table *t = table_find(db, name, len);
    if (t == NULL) fail(f, STEPCA_E_NOT_FOUND, "table %s does not exist", describe(name, len).text);
    return t;
}

static int32_t op_create_table(stepca_db *db, failure *f, const uint8_t *name, size_t len, undo *u) {
    if (table_find(db, name, len) != NULL) return STEPCA_OK;
    if (tables_reserve(db, db->table_count + 1) != 0) {
        return fail(f, STEPCA_E_INTERNAL, "out of memory creating table %s", describe(name, len).text);
    }
    table *t = table_new(name, len);
    if (t == NULL) return fail(f, STEPCA_E_INTERNAL, "out of memory creating table %s", describe(name, len).text);
    tables_attach(db, t);
    if (u != NULL) {
        u->kind = UNDO_TABLE_CREATED;
        u->table = t;
    }
    return STEPCA_OK;
}

static int32_t op_delete_table(stepca_db *db, failure *f, const uint8_t *name, size_t len, undo *u) {
    size_t i = table_index(db, name, len);
    if (i == SIZE_MAX) return fail(f, STEPCA_E_NOT_FOUND, "table %s does not exist", describe(name, len).text);
    table *t = tables_detach(db, i);
    if (u != NULL) {
        u->kind = UNDO_TABLE_DELETED;
        u->table = t;
    } else {
        table_free(t);
    }
    return STEPCA_OK;
}

/** Finds an entry; NOT_FOUND for a missing table or key. */
static int32_t op_get(stepca_db *db, failure *f, const uint8_t *name, size_t name_len,
                      const uint8_t *key, size_t key_len, const entry **out) {
    table *t = require_table(db, f, name, name_len);
    if (t == NULL) return f->status;
    entry **link = entry_slot(t, key, key_len, hash_bytes(key, key_len));
    if (link == NULL) {
        return fail(f, STEPCA_E_NOT_FOUND, "%s/%s not found", describe(name, name_len).text,
                    describe(key, key_len).text);
    }
    *out = *link;
    return STEPCA_OK;
}

static int32_t op_set_in(stepca_db *db, failure *f, table *t, const uint8_t *key, size_t key_len,
                         const uint8_t *value, size_t value_len, undo *u) {
    uint64_t hash = hash_bytes(key, key_len);
    entry **link = entry_slot(t, key, key_len, hash);
    if (link == NULL && db->max_entries != 0 && db->entries >= db->max_entries) {
        return fail(f, MEMDB_E_FULL, "the database is full: it holds maxEntries = %zu entries",
                    db->max_entries);
    }
    entry *e = entry_new(key, key_len, hash, value, value_len);
    if (e == NULL) {
        return fail(f, STEPCA_E_INTERNAL, "out of memory storing %zu bytes under %s/%s", value_len,
                    describe(t->name, t->name_len).text, describe(key, key_len).text);
    }
    entry *previous = NULL;
    if (link != NULL) {
        previous = *link;
        e->next = previous->next;
        *link = e;
    } else {
        entry_link(db, t, e, 1);
    }
    if (u != NULL) {
        u->kind = UNDO_ENTRY;
        u->table = t;
        u->installed = e;
        u->previous = previous;
    } else {
        free(previous);
    }
    return STEPCA_OK;
}

static int32_t op_set(stepca_db *db, failure *f, const uint8_t *name, size_t name_len,
                      const uint8_t *key, size_t key_len, const uint8_t *value, size_t value_len,
                      undo *u) {
    table *t = require_table(db, f, name, name_len);
    if (t == NULL) return f->status;
    return op_set_in(db, f, t, key, key_len, value, value_len, u);
}

static int32_t op_del(stepca_db *db, failure *f, const uint8_t *name, size_t name_len,
                      const uint8_t *key, size_t key_len, undo *u) {
    table *t = require_table(db, f, name, name_len);
    if (t == NULL) return f->status;
    entry **link = entry_slot(t, key, key_len, hash_bytes(key, key_len));
    if (link == NULL) return STEPCA_OK;
    entry *previous = entry_unlink(db, t, link, 1);
    if (u != NULL) {
        u->kind = UNDO_ENTRY;
        u->table = t;
        u->installed = NULL;
        u->previous = previous;
    } else {
        free(previous);
    }
    return STEPCA_OK;
}

/**
 * Compare-and-swap. On a mismatch *swapped is 0 and *current is the entry found (NULL when the
 * key is absent, which compares equal to an empty value).
 */
static int32_t op_cas(stepca_db *db, failure *f, const uint8_t *name, size_t name_len,
                      const uint8_t *key, size_t key_len, const uint8_t *old_value, size_t old_len,
                      const uint8_t *new_value, size_t new_len, uint32_t *swapped,
                      const entry **current, undo *u) {
    table *t = require_table(db, f, name, name_len);
    if (t == NULL) return f->status;
    entry **link = entry_slot(t, key, key_len, hash_bytes(key, key_len));
    const entry *found = link ? *link : NULL;
    size_t found_len = found ? found->value_len : 0;
    if (found_len != old_len || (old_len > 0 && memcmp(entry_value(found), old_value, old_len) != 0)) {
        *swapped = 0;
        *current = found;
        return STEPCA_OK;
    }
    int32_t status = op_set_in(db, f, t, key, key_len, new_value, new_len, u);
    if (status == STEPCA_OK) {
        *swapped = 1;
        *current = NULL;
    }
    return status;
}

/* ---------------------------------------------------------------------------------------------
 * Configuration: a small JSON reader for the ca.json "db" object
 * ------------------------------------------------------------------------------------------- */

typedef struct json {
    const char *start;
    const char *p;
    const char *end;
    failure *f;
} json;

static int32_t json_fail(json *j, const char *what) {
    return fail(j->f, STEPCA_E_INVALID_ARG, "db: the configuration is not valid JSON: %s at offset %zu",
                what, (size_t)(j->p - j->start));
}

static void json_space(json *j) {
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

static int json_hex4(json *j, uint32_t *out) {
    if (j->end - j->p < 4) return -1;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = j->p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
        else return -1;
    }
    j->p += 4;
    *out = v;
    return 0;
}

/** Appends bytes to a bounded buffer; *len counts every byte, even those that did not fit. */
static void json_put(char *out, size_t cap, size_t *len, const char *bytes, size_t n) {
    for (size_t i = 0; i < n; i++, (*len)++) {
        if (out != NULL && *len < cap) out[*len] = bytes[i];
    }
}

/**
 * Reads a string at j->p (which is at '"'), decoding escapes into out (at most cap bytes; out
 * may be NULL). *len receives the full decoded length.
 */
static int32_t json_string(json *j, char *out, size_t cap, size_t *len) {
    *len = 0;
    j->p++; /* opening quote */
    while (j->p < j->end) {
        unsigned char c = (unsigned char)*j->p;
        if (c == '"') {
            j->p++;
            return STEPCA_OK;
        }
        if (c < 0x20) return json_fail(j, "control character in string");
        if (c != '\\') {
            json_put(out, cap, len, j->p, 1);
            j->p++;
            continue;
        }
        j->p++;
        if (j->p >= j->end) break;
        char esc = *j->p++;
        char one;
        switch (esc) {
        case '"': one = '"'; break;
        case '\\': one = '\\'; break;
        case '/': one = '/'; break;
        case 'b': one = '\b'; break;
        case 'f': one = '\f'; break;
        case 'n': one = '\n'; break;
        case 'r': one = '\r'; break;
        case 't': one = '\t'; break;
        case 'u': {
            uint32_t cp;
            if (json_hex4(j, &cp) != 0) return json_fail(j, "bad \\u escape");
            if (cp >= 0xd800 && cp <= 0xdbff) {
                uint32_t low;
                if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u') return json_fail(j, "unpaired surrogate");
                j->p += 2;
                if (json_hex4(j, &low) != 0 || low < 0xdc00 || low > 0xdfff) return json_fail(j, "unpaired surrogate");
                cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                return json_fail(j, "unpaired surrogate");
            }
            char utf8[4];
            size_t n;
            if (cp < 0x80) {
                utf8[0] = (char)cp;
                n = 1;
            } else if (cp < 0x800) {
                utf8[0] = (char)(0xc0 | (cp >> 6));
                utf8[1] = (char)(0x80 | (cp & 0x3f));
                n = 2;
            } else if (cp < 0x10000) {
                utf8[0] = (char)(0xe0 | (cp >> 12));
                utf8[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                utf8[2] = (char)(0x80 | (cp & 0x3f));
                n = 3;
            } else {
                utf8[0] = (char)(0xf0 | (cp >> 18));
                utf8[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
                utf8[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
                utf8[3] = (char)(0x80 | (cp & 0x3f));
                n = 4;
            }
            json_put(out, cap, len, utf8, n);
            continue;
        }
        default:
            j->p--;
            return json_fail(j, "bad escape in string");
        }
        json_put(out, cap, len, &one, 1);
    }
    return json_fail(j, "unterminated string");
}

/** Reads a number; *integer receives its value when it is a non-negative integer that fits. */
static int32_t json_number(json *j, int *is_integer, size_t *integer) {
    int integral = 1, overflow = 0;
    size_t value = 0;
    if (j->p < j->end && *j->p == '-') {
        integral = 0;
        j->p++;
    }
    if (j->p >= j->end || *j->p < '0' || *j->p > '9') return json_fail(j, "bad number");
    if (*j->p == '0' && j->end - j->p > 1 && j->p[1] >= '0' && j->p[1] <= '9') return json_fail(j, "leading zero in number");
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
        size_t digit = (size_t)(*j->p - '0');
        if (value > (SIZE_MAX - digit) / 10) overflow = 1;
        else value = value * 10 + digit;
        j->p++;
    }
    if (j->p < j->end && *j->p == '.') {
        integral = 0;
        j->p++;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9') return json_fail(j, "bad number");
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        integral = 0;
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-')) j->p++;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9') return json_fail(j, "bad number");
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    }
    *is_integer = integral && !overflow;
    *integer = value;
    return STEPCA_OK;
}

static int json_literal(json *j, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0) return -1;
    j->p += n;
    return 0;
}

/** Kinds of JSON values, as the configuration reader reports them. */
enum { J_STRING = 1, J_NUMBER, J_OBJECT, J_ARRAY, J_LITERAL };

/** Reads (and checks) any value; reports its kind. */
static int32_t json_skip(json *j, int depth, int *kind) {
    json_space(j);
    if (j->p >= j->end) return json_fail(j, "unexpected end of input");
    if (depth > MEMDB_JSON_MAX_DEPTH) return json_fail(j, "nesting too deep");
    char c = *j->p;
    size_t ignored;
    int ignored_int;
    int inner;
    switch (c) {
    case '"':
        *kind = J_STRING;
        return json_string(j, NULL, 0, &ignored);
    case '{':
        *kind = J_OBJECT;
        j->p++;
        json_space(j);
        if (j->p < j->end && *j->p == '}') {
            j->p++;
            return STEPCA_OK;
        }
        for (;;) {
            json_space(j);
            if (j->p >= j->end || *j->p != '"') return json_fail(j, "expected a member name");
            if (json_string(j, NULL, 0, &ignored) != STEPCA_OK) return j->f->status;
            json_space(j);
            if (j->p >= j->end || *j->p != ':') return json_fail(j, "expected ':'");
            j->p++;
            if (json_skip(j, depth + 1, &inner) != STEPCA_OK) return j->f->status;
            json_space(j);
            if (j->p < j->end && *j->p == ',') {
                j->p++;
                continue;
            }
            if (j->p < j->end && *j->p == '}') {
                j->p++;
                return STEPCA_OK;
            }
            return json_fail(j, "expected ',' or '}'");
        }
    case '[':
        *kind = J_ARRAY;
        j->p++;
        json_space(j);
        if (j->p < j->end && *j->p == ']') {
            j->p++;
            return STEPCA_OK;
        }
        for (;;) {
            if (json_skip(j, depth + 1, &inner) != STEPCA_OK) return j->f->status;
            json_space(j);
            if (j->p < j->end && *j->p == ',') {
                j->p++;
                continue;
            }
            if (j->p < j->end && *j->p == ']') {
                j->p++;
                return STEPCA_OK;
            }
            return json_fail(j, "expected ',' or ']'");
        }
    case 't':
    case 'f':
    case 'n':
        *kind = J_LITERAL;
        if (json_literal(j, "true") == 0 || json_literal(j, "false") == 0 || json_literal(j, "null") == 0) {
            return STEPCA_OK;
        }
        return json_fail(j, "unexpected character");
    default:
        *kind = J_NUMBER;
        return json_number(j, &ignored_int, &ignored);
    }
}

typedef struct memdb_config {
    size_t max_entries; /* 0: unlimited */
} memdb_config;

static const char *json_kind_name(int kind) {
    switch (kind) {
    case J_STRING: return "a string";
    case J_NUMBER: return "a number";
    case J_OBJECT: return "an object";
    case J_ARRAY: return "an array";
    default: return "true, false or null";
    }
}

/** Copies decoded text for a message, replacing non-printable bytes. */
static void printable_copy(char *dst, size_t cap, const char *src, size_t len) {
    size_t n = len < cap - 1 ? len : cap - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[n] = '\0';
}

/**
 * Parses {"type": "memdb", "maxEntries": N?}. Other members (step-ca's "dataSource",
 * "database", ...) are accepted and ignored, so a ca.json written for another backend only
 * needs its type changed.
 */
static int32_t parse_config(const char *text, size_t len, memdb_config *config, failure *f) {
    config->max_entries = 0;
    if (text == NULL || len == 0) {
        return fail(f, STEPCA_E_INVALID_ARG, "db: the configuration is empty; expected {\"type\": \"memdb\"}");
    }
    json j = {text, text, text + len, f};
    json_space(&j);
    if (j.p >= j.end || *j.p != '{') {
        return fail(f, STEPCA_E_INVALID_ARG,
                    "db: the configuration must be a JSON object such as {\"type\": \"memdb\"}");
    }
    j.p++;
    char type[64];
    size_t type_len = 0;
    int have_type = 0, have_max = 0;
    json_space(&j);
    if (j.p < j.end && *j.p == '}') {
        j.p++;
    } else {
        for (;;) {
            json_space(&j);
            if (j.p >= j.end || *j.p != '"') return json_fail(&j, "expected a member name");
            char name[16];
            size_t name_len;
            if (json_string(&j, name, sizeof name, &name_len) != STEPCA_OK) return f->status;
            json_space(&j);
            if (j.p >= j.end || *j.p != ':') return json_fail(&j, "expected ':'");
            j.p++;
            json_space(&j);
            const char *value_at = j.p;
            int is_type = name_len == 4 && memcmp(name, "type", 4) == 0;
            int is_max = name_len == 10 && memcmp(name, "maxEntries", 10) == 0;
            if ((is_type && have_type) || (is_max && have_max)) {
                return fail(f, STEPCA_E_INVALID_ARG, "db.%s appears twice", is_type ? "type" : "maxEntries");
            }
            if (is_type && j.p < j.end && *j.p == '"') {
                if (json_string(&j, type, sizeof type, &type_len) != STEPCA_OK) return f->status;
                have_type = 1;
            } else if (is_max && j.p < j.end && (*j.p == '-' || (*j.p >= '0' && *j.p <= '9'))) {
                int is_integer;
                size_t value;
                if (json_number(&j, &is_integer, &value) != STEPCA_OK) return f->status;
                if (!is_integer || value == 0) {
                    char shown[40];
                    printable_copy(shown, sizeof shown, value_at, (size_t)(j.p - value_at));
                    return fail(f, STEPCA_E_INVALID_ARG,
                                "db.maxEntries: must be a positive integer (the entry limit across all tables), got %s",
                                shown);
                }
                config->max_entries = value;
                have_max = 1;
            } else {
                int kind;
                if (json_skip(&j, 1, &kind) != STEPCA_OK) return f->status;
                if (is_type) return fail(f, STEPCA_E_INVALID_ARG, "db.type: must be a string, got %s", json_kind_name(kind));
                if (is_max) {
                    return fail(f, STEPCA_E_INVALID_ARG, "db.maxEntries: must be a positive integer, got %s",
                                json_kind_name(kind));
                }
            }
            json_space(&j);
            if (j.p < j.end && *j.p == ',') {
                j.p++;
                continue;
            }
            if (j.p < j.end && *j.p == '}') {
                j.p++;
                break;
            }
            return json_fail(&j, "expected ',' or '}'");
        }
    }
    json_space(&j);
    if (j.p != j.end) return json_fail(&j, "unexpected text after the object");
    if (!have_type) return fail(f, STEPCA_E_INVALID_ARG, "db.type is required; use {\"type\": \"memdb\"}");
    int matches = type_len == 5;
    for (size_t i = 0; matches && i < 5; i++) {
        char c = type[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != "memdb"[i]) matches = 0;
    }
    if (!matches) {
        char shown[48];
        printable_copy(shown, sizeof shown, type, type_len < sizeof type ? type_len : sizeof type);
        return fail(f, STEPCA_E_INVALID_ARG, "db.type: \"%s%s\" is not served by the memdb plugin (expected \"memdb\")",
                    shown, type_len > sizeof shown - 1 ? "..." : "");
    }
    return STEPCA_OK;
}

/* ---------------------------------------------------------------------------------------------
 * The stepca_db_v1 slots
 * ------------------------------------------------------------------------------------------- */

#define REQUIRE_HANDLE(db, err)                                                                     \
    do {                                                                                            \
        if ((db) == NULL) return report_now((err), STEPCA_E_INVALID_ARG, "database handle is NULL"); \
    } while (0)

static int32_t memdb_open(const char *config_json, size_t config_len, stepca_db **out, stepca_errbuf *err) {
    if (out == NULL) return report_now(err, STEPCA_E_INVALID_ARG, "handle output pointer is NULL");
    *out = NULL;
    failure f;
    memdb_config config;
    if (parse_config(config_json, config_len, &config, &f) != STEPCA_OK) return report(err, &f);
    stepca_db *db = calloc(1, sizeof *db);
    if (db == NULL) return report_now(err, STEPCA_E_INTERNAL, "out of memory opening the database");
    if (pthread_mutex_init(&db->lock, NULL) != 0) {
        free(db);
        return report_now(err, STEPCA_E_INTERNAL, "cannot initialise the database mutex");
    }
    db->max_entries = config.max_entries;
    *out = db;
    if (config.max_entries) {
        host_log(STEPCA_LOG_INFO, "memdb: opened an in-memory database (maxEntries %zu)", config.max_entries);
    } else {
        host_log(STEPCA_LOG_INFO, "memdb: opened an in-memory database (no entry limit)");
    }
    host_log(STEPCA_LOG_WARNING, "memdb: data is kept in memory only and is lost when the process exits");
    return STEPCA_OK;
}

static void memdb_close(stepca_db *db) {
    if (db == NULL) return;
    for (size_t i = 0; i < db->table_count; i++) table_free(db->tables[i]);
    free(db->tables);
    pthread_mutex_destroy(&db->lock);
    free(db);
}

static int32_t memdb_create_table(stepca_db *db, const uint8_t *name, size_t name_len, stepca_errbuf *err) {
    REQUIRE_HANDLE(db, err);
    failure f;
    if (check_table_name(&f, name, name_len) != STEPCA_OK) return report(err, &f);
    pthread_mutex_lock(&db->lock);
    int32_t status = op_create_table(db, &f, name, name_len, NULL);
    pthread_mutex_unlock(&db->lock);
    return status == STEPCA_OK ? STEPCA_OK : report(err, &f);
}

static int32_t memdb_delete_table(stepca_db *db, const uint8_t *name, size_t name_len, stepca_errbuf *err) {
    REQUIRE_HANDLE(db, err);
    failure f;
    if (check_table_name(&f, name, name_len) != STEPCA_OK) return report(err, &f);
    pthread_mutex_lock(&db->lock);
    int32_t status = op_delete_table(db, &f, name, name_len, NULL);
    pthread_mutex_unlock(&db->lock);
    return status == STEPCA_OK ? STEPCA_OK : report(err, &f);
}

/** Copies a value so it can be delivered after the mutex is released. */
static int copy_value(const uint8_t *bytes, size_t len, uint8_t **out) {
    *out = malloc(len ? len : 1);
    if (*out == NULL) return -1;
    if (len) memcpy(*out, bytes, len);
    return 0;
}

static int32_t memdb_get(stepca_db *db, const uint8_t *name, size_t name_len, const uint8_t *key,
                         size_t key_len, stepca_bytes_fn sink, void *sink_ctx, stepca_errbuf *err) {
    REQUIRE_HANDLE(db, err);
    failure f;
    if (check_table_name(&f, name, name_len) != STEPCA_OK || check_key(&f, key, key_len) != STEPCA_OK) {
        return report(err, &f);
    }
    uint8_t *copy = NULL;
    size_t copy_len = 0;
    pthread_mutex_lock(&db->lock);
    const entry *e = NULL;
    int32_t status = op_get(db, &f, name, name_len, key, key_len, &e);
    if (status == STEPCA_OK && sink != NULL) {
        copy_len = e->value_len;
        if (copy_value(entry_value(e), copy_len, &copy) != 0) {
            status = fail(&f, STEPCA_E_INTERNAL, "out of memory reading a %zu-byte value", copy_len);
        }
    }
    pthread_mutex_unlock(&db->lock);
    if (status != STEPCA_OK) return report(err, &f);
    if (sink != NULL) sink(sink_ctx, copy, copy_len);
    free(copy);
    return STEPCA_OK;
}

static int32_t memdb_set(stepca_db *db, const uint8_t *name, size_t name_len, const uint8_t *key,
                         size_t key_len, const uint8_t *value, size_t value_len, stepca_errbuf *err) {
    REQUIRE_HANDLE(db, err);
    failure f;
    if (check_table_name(&f, name, name_len) != STEPCA_OK || check_key(&f, key, key_len) != STEPCA_OK ||
        check_bytes(&f, "value", value, value_len) != STEPCA_OK) {
        return report(err, &f);
    }
    pthread_mutex_lock(&db->lock);
    int32_t status = op_set(db, &f, name, name_len, key, key_len, value, value_len, NULL);
    pthread_mutex_unlock(&db->lock);
    return status == STEPCA_OK ? STEPCA_OK : report(err, &f);
}

static int32_t memdb_del(stepca_db *db, const uint8_t *name, size_t name_len, const uint8_t *key,
                         size_t key_len, stepca_errbuf *err) {
    REQUIRE_HANDLE(db, err);
    failure f;
    if (check_table_name(&f, name, name_len) != STEPCA_OK || check_key(&f, key, key_len) != STEPCA_OK) {
        return report(err, &f);
    }
    pthread_mutex_lock(&db->lock);
    int32_t status = op_del(db, &f, name, name_len, key, key_len, NULL);
    pthread_mutex_unlock(&db->lock);
    return status == STEPCA_OK ? STEPCA_OK : report(err, &f);
}

/** One entry of a listing snapshot; key and value point into the snapshot's data block. */
typedef struct snapshot_item {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value;
    size_t value_len;
} snapshot_item;

static int32_t memdb_list(stepca_db *db, const uint8_t *name, size_t name_len, stepca_kv_fn visit,
                          void *visit_ctx, stepca_errbuf *err) {
    REQUIRE_HANDLE(db, err);
    failure f;
    if (check_table_name(&f, name, name_len) != STEPCA_OK) return report(err, &f);
    if (visit == NULL) return report_now(err, STEPCA_E_INVALID_ARG, "visit callback is NULL");

    /* The visitor runs without the mutex (it may call back into the plugin), so the listing is
     * a snapshot copied while the mutex is held. */
    snapshot_item *items = NULL;
    uint8_t *data = NULL;
    size_t count = 0;
    pthread_mutex_lock(&db->lock);
    table *t = require_table(db, &f, name, name_len);
    int32_t status = t == NULL ? f.status : STEPCA_OK;
    if (status == STEPCA_OK && t->count > 0) {
        size_t total = 0;
        for (size_t b = 0; b < t->bucket_count && status == STEPCA_OK; b++) {
            for (const entry *e = t->buckets[b]; e != NULL; e = e->next) {
                size_t size = e->key_len + e->value_len;
                if (size < e->key_len || total > SIZE_MAX - size) {
                    status = fail(&f, STEPCA_E_INTERNAL, "table %s is too large to list", describe(name, name_len).text);
                    break;
                }
                total += size;
            }
        }
        if (status == STEPCA_OK) {
            items = t->count <= SIZE_MAX / sizeof *items ? malloc(t->count * sizeof *items) : NULL;
            data = malloc(total ? total : 1);
            if (items == NULL || data == NULL) {
                status = fail(&f, STEPCA_E_INTERNAL, "out of memory listing table %s (%zu entries)",
                              describe(name, name_len).text, t->count);
            }
        }
        if (status == STEPCA_OK) {
            uint8_t *at = data;
            for (size_t b = 0; b < t->bucket_count; b++) {
                for (const entry *e = t->buckets[b]; e != NULL; e = e->next) {
                    memcpy(at, e->data, e->key_len + e->value_len);
                    items[count].key = e->key_len ? at : empty_bytes;
                    items[count].key_len = e->key_len;
                    items[count].value = e->value_len ? at + e->key_len : empty_bytes;
                    items[count].value_len = e->value_len;
                    at += e->key_len + e->value_len;
                    count++;
                }
            }
        }
    }
    pthread_mutex_unlock(&db->lock);
    if (status == STEPCA_OK) {
        for (size_t i = 0; i < count; i++) {
            if (visit(visit_ctx, items[i].key, items[i].key_len, items[i].value, items[i].value_len) != 0) break;
        }
    }
    free(items);
    free(data);
    return status == STEPCA_OK ? STEPCA_OK : report(err, &f);
}

static int32_t memdb_cas(stepca_db *db, const uint8_t *name, size_t name_len, const uint8_t *key,
                         size_t key_len, const uint8_t *old_value, size_t old_len, const uint8_t *new_value,
                         size_t new_len, uint32_t *swapped, stepca_bytes_fn sink, void *sink_ctx,
                         stepca_errbuf *err) {
    REQUIRE_HANDLE(db, err);
    failure f;
    if (check_table_name(&f, name, name_len) != STEPCA_OK || check_key(&f, key, key_len) != STEPCA_OK ||
        check_bytes(&f, "old value", old_value, old_len) != STEPCA_OK ||
        check_bytes(&f, "new value", new_value, new_len) != STEPCA_OK) {
        return report(err, &f);
    }
    uint32_t did_swap = 0;
    uint8_t *copy = NULL;
    size_t copy_len = 0;
    pthread_mutex_lock(&db->lock);
    const entry *current = NULL;
    int32_t status = op_cas(db, &f, name, name_len, key, key_len, old_value, old_len, new_value, new_len,
                            &did_swap, &current, NULL);
    if (status == STEPCA_OK && !did_swap && sink != NULL) {
        copy_len = current ? current->value_len : 0;
        if (copy_value(current ? entry_value(current) : empty_bytes, copy_len, &copy) != 0) {
            status = fail(&f, STEPCA_E_INTERNAL, "out of memory reading a %zu-byte value", copy_len);
        }
    }
    pthread_mutex_unlock(&db->lock);
    if (status != STEPCA_OK) return report(err, &f);
    if (swapped != NULL) *swapped = did_swap;
    if (!did_swap && sink != NULL) sink(sink_ctx, copy, copy_len);
    free(copy);
    return STEPCA_OK;
}

/** Checks one update operation before anything is applied. */
static int32_t validate_op(const stepca_db_op *op, failure *f) {
    if (op->struct_size < sizeof(stepca_db_op)) {
        return fail(f, STEPCA_E_INVALID_ARG, "struct_size is %u, expected at least %zu", op->struct_size,
                    sizeof(stepca_db_op));
    }
    switch (op->op) {
    case STEPCA_DB_OP_CREATE_TABLE:
    case STEPCA_DB_OP_DELETE_TABLE:
        return check_table_name(f, op->table, op->table_len);
    case STEPCA_DB_OP_GET:
    case STEPCA_DB_OP_DELETE:
        if (check_table_name(f, op->table, op->table_len) != STEPCA_OK) return f->status;
        return check_key(f, op->key, op->key_len);
    case STEPCA_DB_OP_SET:
        if (check_table_name(f, op->table, op->table_len) != STEPCA_OK) return f->status;
        if (check_key(f, op->key, op->key_len) != STEPCA_OK) return f->status;
        return check_bytes(f, "value", op->value, op->value_len);
    case STEPCA_DB_OP_CAS:
        if (check_table_name(f, op->table, op->table_len) != STEPCA_OK) return f->status;
        if (check_key(f, op->key, op->key_len) != STEPCA_OK) return f->status;
        if (check_bytes(f, "old value", op->old_value, op->old_value_len) != STEPCA_OK) return f->status;
        return check_bytes(f, "new value", op->value, op->value_len);
    default:
        return fail(f, STEPCA_E_INVALID_ARG, "unknown command %u", op->op);
    }
}

/** A value an update delivers to its result callback after the commit. */
typedef struct pending_result {
    uint8_t *bytes; /* NULL: nothing to deliver */
    size_t len;
} pending_result;

/** Applies one validated operation to the locked state. */
static int32_t apply_op(stepca_db *db, stepca_db_op *op, undo *u, pending_result *r, int want_result, failure *f) {
    const entry *e = NULL;
    int32_t status;
    switch (op->op) {
    case STEPCA_DB_OP_CREATE_TABLE:
        return op_create_table(db, f, op->table, op->table_len, u);
    case STEPCA_DB_OP_DELETE_TABLE:
        return op_delete_table(db, f, op->table, op->table_len, u);
    case STEPCA_DB_OP_GET:
        status = op_get(db, f, op->table, op->table_len, op->key, op->key_len, &e);
        if (status != STEPCA_OK) return status;
        if (want_result) {
            r->len = e->value_len;
            if (copy_value(entry_value(e), r->len, &r->bytes) != 0) {
                return fail(f, STEPCA_E_INTERNAL, "out of memory reading a %zu-byte value", r->len);
            }
        }
        return STEPCA_OK;
    case STEPCA_DB_OP_SET:
        return op_set(db, f, op->table, op->table_len, op->key, op->key_len, op->value, op->value_len, u);
    case STEPCA_DB_OP_DELETE:
        return op_del(db, f, op->table, op->table_len, op->key, op->key_len, u);
    case STEPCA_DB_OP_CAS: {
        uint32_t swapped = 0;
        status = op_cas(db, f, op->table, op->table_len, op->key, op->key_len, op->old_value, op->old_value_len,
                        op->value, op->value_len, &swapped, &e, u);
        if (status != STEPCA_OK) return status;
        op->swapped = swapped;
        if (swapped) return STEPCA_OK;
        if (op->flags & STEPCA_DB_OPF_ABORT_ON_MISMATCH) {
            return fail(f, STEPCA_E_CONFLICT, "compare-and-swap on %s/%s found another value",
                        describe(op->table, op->table_len).text, describe(op->key, op->key_len).text);
        }
        if (want_result) {
            r->len = e ? e->value_len : 0;
            if (copy_value(e ? entry_value(e) : empty_bytes, r->len, &r->bytes) != 0) {
                return fail(f, STEPCA_E_INTERNAL, "out of memory reading a %zu-byte value", r->len);
            }
        }
        return STEPCA_OK;
    }
    default:
        return fail(f, STEPCA_E_INVALID_ARG, "unknown command %u", op->op);
    }
}

static int32_t memdb_update(stepca_db *db, stepca_db_op *ops, size_t op_count, stepca_db_result_fn result,
                            void *result_ctx, stepca_errbuf *err) {
    REQUIRE_HANDLE(db, err);
    if (op_count == 0) return STEPCA_OK;
    if (ops == NULL) return report_now(err, STEPCA_E_INVALID_ARG, "operations pointer is NULL with count %zu", op_count);

    failure f;
    for (size_t i = 0; i < op_count; i++) {
        ops[i].status = STEPCA_OK;
        ops[i].swapped = 0;
    }
    for (size_t i = 0; i < op_count; i++) {
        if (validate_op(&ops[i], &f) != STEPCA_OK) {
            ops[i].status = f.status;
            return report_now(err, f.status, "operation %zu: %s", i, f.msg);
        }
    }

    undo *log = calloc(op_count, sizeof *log);
    pending_result *results = calloc(op_count, sizeof *results);
    if (log == NULL || results == NULL) {
        free(log);
        free(results);
        return report_now(err, STEPCA_E_INTERNAL, "out of memory preparing an update of %zu operations", op_count);
    }

    size_t failed = SIZE_MAX;
    pthread_mutex_lock(&db->lock);
    for (size_t i = 0; i < op_count; i++) {
        if (apply_op(db, &ops[i], &log[i], &results[i], result != NULL, &f) != STEPCA_OK) {
            failed = i;
            break;
        }
    }
    if (failed == SIZE_MAX) {
        for (size_t i = 0; i < op_count; i++) undo_commit(&log[i]);
    } else {
        for (size_t i = failed + 1; i-- > 0;) undo_apply(db, &log[i]);
    }
    pthread_mutex_unlock(&db->lock);

    if (failed == SIZE_MAX && result != NULL) {
        for (size_t i = 0; i < op_count; i++) {
            if (results[i].bytes != NULL) result(result_ctx, i, results[i].bytes, results[i].len);
        }
    }
    for (size_t i = 0; i < op_count; i++) free(results[i].bytes);
    free(results);
    free(log);
    if (failed == SIZE_MAX) return STEPCA_OK;
    ops[failed].status = f.status;
    return report_now(err, f.status, "operation %zu: %s", failed, f.msg);
}

/* ---------------------------------------------------------------------------------------------
 * Descriptor and entry point
 * ------------------------------------------------------------------------------------------- */

static const stepca_db_v1 memdb_functions = {
    .struct_size = sizeof(stepca_db_v1),
    .reserved = 0,
    .open = memdb_open,
    .close = memdb_close,
    .create_table = memdb_create_table,
    .delete_table = memdb_delete_table,
    .get = memdb_get,
    .set = memdb_set,
    .del = memdb_del,
    .list = memdb_list,
    .cas = memdb_cas,
    .update = memdb_update,
};

static const char *const memdb_types[] = {"memdb", NULL};

static const stepca_plugin_v1 memdb_descriptor = {
    .struct_size = sizeof(stepca_plugin_v1),
    .abi_major = STEPCA_ABI_MAJOR,
    .abi_minor = STEPCA_ABI_MINOR,
    .kind = STEPCA_KIND_DB,
    .flags = STEPCA_F_THREADSAFE,
    .name = "memdb",
    .version = "1.0.0",
    .description = "In-memory key/value database (example C plugin; data is not persisted)",
    .types = memdb_types,
    .table = &memdb_functions,
};

MEMDB_EXPORT int32_t stepca_plugin_entry(uint32_t host_abi_major, const stepca_host_v1 *host,
                                         const stepca_plugin_v1 **out, stepca_errbuf *err) {
    if (host_abi_major != STEPCA_ABI_MAJOR) {
        return report_now(err, STEPCA_E_UNSUPPORTED, "plugin memdb implements plugin ABI %d, host uses %u",
                          STEPCA_ABI_MAJOR, host_abi_major);
    }
    if (out == NULL) return report_now(err, STEPCA_E_INVALID_ARG, "descriptor output pointer is NULL");
    pthread_mutex_lock(&host_lock);
    host_services = host;
    pthread_mutex_unlock(&host_lock);
    *out = &memdb_descriptor;
    return STEPCA_OK;
}
