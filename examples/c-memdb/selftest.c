/*
 * selftest.c — drives libstepca-db-memdb.so through the plugin ABI the way a host does:
 * dlopen(RTLD_NOW | RTLD_LOCAL), one call to stepca_plugin_entry, then only the function table.
 *
 *     ./selftest [path/to/libstepca-db-memdb.so]
 *
 * Prints "N passed, M failed" and exits non-zero when anything failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stepca_plugin.h"

static int passed, failed;

#define CHECK(cond, what)                                                         \
    do {                                                                          \
        if (cond) {                                                               \
            passed++;                                                             \
        } else {                                                                  \
            failed++;                                                             \
            fprintf(stderr, "FAIL %s:%d: %s [%s]\n", __FILE__, __LINE__, what, #cond); \
            if (E.len) fprintf(stderr, "     last error: %s\n", E.buf);         \
        }                                                                         \
    } while (0)

/* ---------------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------------- */

static char ebuf_storage[512];
static stepca_errbuf E;

/** A fresh error buffer for the next call. */
static stepca_errbuf *eb(void) {
    memset(ebuf_storage, 0, sizeof ebuf_storage);
    E.buf = ebuf_storage;
    E.cap = sizeof ebuf_storage;
    E.len = 0;
    return &E;
}

static int err_has(const char *needle) { return E.len > 0 && strstr(E.buf, needle) != NULL; }

#define S(str) (const uint8_t *)(str), strlen(str)

typedef struct collected {
    uint8_t data[1 << 16];
    size_t len;
    int calls;
} collected;

static collected got;

static void collect(void *ctx, const uint8_t *bytes, size_t len) {
    collected *c = ctx;
    c->calls++;
    c->len = len;
    if (len <= sizeof c->data && len > 0) memcpy(c->data, bytes, len);
}

static collected *fresh(void) {
    got.len = 0;
    got.calls = 0;
    return &got;
}

static int got_is(const char *text) {
    return got.calls == 1 && got.len == strlen(text) && memcmp(got.data, text, got.len) == 0;
}

typedef struct op_results {
    int calls;
    size_t index[16];
    char value[16][64];
    size_t len[16];
} op_results;

static void collect_result(void *ctx, size_t op_index, const uint8_t *value, size_t len) {
    op_results *r = ctx;
    if (r->calls < 16) {
        r->index[r->calls] = op_index;
        r->len[r->calls] = len;
        size_t n = len < 63 ? len : 63;
        memcpy(r->value[r->calls], value, n);
        r->value[r->calls][n] = '\0';
    }
    r->calls++;
}

static int log_lines;
static void host_log(void *ctx, int32_t level, const char *msg, size_t len) {
    (void)level;
    (void)msg;
    (void)len;
    if (ctx == (void *)&log_lines) log_lines++;
}

static stepca_db_op make_op(uint32_t code, const char *table, const char *key, const char *value) {
    stepca_db_op op;
    memset(&op, 0, sizeof op);
    op.struct_size = sizeof op;
    op.op = code;
    if (table) {
        op.table = (const uint8_t *)table;
        op.table_len = strlen(table);
    }
    if (key) {
        op.key = (const uint8_t *)key;
        op.key_len = strlen(key);
    }
    if (value) {
        op.value = (const uint8_t *)value;
        op.value_len = strlen(value);
    }
    op.status = -1;
    return op;
}

static stepca_db_op make_cas(const char *table, const char *key, const char *old_value,
                             const char *new_value, uint32_t flags) {
    stepca_db_op op = make_op(STEPCA_DB_OP_CAS, table, key, new_value);
    op.old_value = (const uint8_t *)old_value;
    op.old_value_len = strlen(old_value);
    op.flags = flags;
    return op;
}

static const stepca_db_v1 *T;

static int value_is(stepca_db *db, const char *table, const char *key, const char *expected) {
    fresh();
    if (T->get(db, S(table), S(key), collect, &got, eb()) != STEPCA_OK) return 0;
    return got_is(expected);
}

static int is_absent(stepca_db *db, const char *table, const char *key) {
    return T->get(db, S(table), S(key), collect, fresh(), eb()) == STEPCA_E_NOT_FOUND;
}

static stepca_db *open_db(const char *config) {
    stepca_db *db = NULL;
    int32_t rc = T->open(config, strlen(config), &db, eb());
    CHECK(rc == STEPCA_OK && db != NULL, "open a valid configuration");
    return db;
}

/* ---------------------------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------------------------- */

static void test_config(void) {
    static const struct {
        const char *json;
        const char *needle;
    } bad[] = {
        {"not json", "JSON object"},
        {"", "empty"},
        {"[\"memdb\"]", "JSON object"},
        {"{\"type\":\"sqlite\"}", "\"sqlite\" is not served by the memdb plugin"},
        {"{\"type\":\"memdbx\"}", "not served"},
        {"{}", "db.type is required"},
        {"{\"dataSource\":\"/tmp/x\"}", "db.type is required"},
        {"{\"type\":42}", "db.type: must be a string"},
        {"{\"type\":\"memdb\"", "not valid JSON"},
        {"{\"type\":\"memdb\"} x", "not valid JSON"},
        {"{\"type\":\"memdb\",}", "not valid JSON"},
        {"{\"type\":\"memdb\",\"type\":\"memdb\"}", "twice"},
        {"{\"type\":\"memdb\",\"maxEntries\":0}", "db.maxEntries"},
        {"{\"type\":\"memdb\",\"maxEntries\":-5}", "db.maxEntries"},
        {"{\"type\":\"memdb\",\"maxEntries\":1.5}", "db.maxEntries"},
        {"{\"type\":\"memdb\",\"maxEntries\":\"10\"}", "db.maxEntries: must be a positive integer, got a string"},
        {"{\"type\":\"memdb\",\"maxEntries\":99999999999999999999999}", "db.maxEntries"},
        {"{\"type\":\"memdb\",\"x\":[1,2,}", "not valid JSON"},
        {"{\"type\":\"me\\qdb\"}", "bad escape"},
        {"{\"type\":\"\\ud800\"}", "surrogate"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        stepca_db *db = (stepca_db *)(uintptr_t)1;
        int32_t rc = T->open(bad[i].json, strlen(bad[i].json), &db, eb());
        char what[160];
        snprintf(what, sizeof what, "config %s is rejected with \"%s\"", bad[i].json, bad[i].needle);
        CHECK(rc == STEPCA_E_INVALID_ARG && db == NULL && err_has(bad[i].needle), what);
    }

    /* Deep nesting is an error, not a stack overflow. */
    char deep[20000];
    size_t at = (size_t)snprintf(deep, sizeof deep, "{\"type\":\"memdb\",\"x\":");
    while (at < sizeof deep - 1) deep[at++] = '[';
    deep[at] = '\0';
    stepca_db *db = NULL;
    CHECK(T->open(deep, strlen(deep), &db, eb()) == STEPCA_E_INVALID_ARG && db == NULL, "deeply nested config is rejected");

    /* Not NUL-terminated: only config_len bytes are read. */
    const char padded[] = "{\"type\":\"memdb\"}GARBAGE";
    db = NULL;
    CHECK(T->open(padded, 16, &db, eb()) == STEPCA_OK && db != NULL, "config is read by length, not up to NUL");
    T->close(db);

    CHECK(T->open(NULL, 0, &db, eb()) == STEPCA_E_INVALID_ARG && E.len > 0, "NULL config is rejected");
    CHECK(T->open("{\"type\":\"memdb\"}", 16, NULL, eb()) == STEPCA_E_INVALID_ARG && E.len > 0, "NULL out pointer is rejected");

    static const char *good[] = {
        "{\"type\":\"memdb\"}",
        " {\n \"type\" : \"MemDB\" } \n",
        "{\"type\":\"m\\u0065mdb\"}",
        "{\"type\":\"memdb\",\"maxEntries\":10}",
        "{\"dataSource\":\"\",\"type\":\"memdb\",\"other\":{\"a\":[1,-2.5e3,true,false,null,{\"b\":\"\\u00e9\\ud83d\\ude00\"}]}}",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        db = NULL;
        int32_t rc = T->open(good[i], strlen(good[i]), &db, eb());
        char what[200];
        snprintf(what, sizeof what, "config %s is accepted", good[i]);
        CHECK(rc == STEPCA_OK && db != NULL, what);
        T->close(db);
    }
}

static void test_null_handle(void) {
    uint32_t swapped = 7;
    stepca_db_op op = make_op(STEPCA_DB_OP_GET, "t", "k", NULL);
    CHECK(T->create_table(NULL, S("t"), eb()) == STEPCA_E_INVALID_ARG && err_has("NULL"), "create_table(NULL handle)");
    CHECK(T->delete_table(NULL, S("t"), eb()) == STEPCA_E_INVALID_ARG && err_has("NULL"), "delete_table(NULL handle)");
    CHECK(T->get(NULL, S("t"), S("k"), collect, fresh(), eb()) == STEPCA_E_INVALID_ARG && err_has("NULL"), "get(NULL handle)");
    CHECK(T->set(NULL, S("t"), S("k"), S("v"), eb()) == STEPCA_E_INVALID_ARG && err_has("NULL"), "set(NULL handle)");
    CHECK(T->del(NULL, S("t"), S("k"), eb()) == STEPCA_E_INVALID_ARG && err_has("NULL"), "del(NULL handle)");
    CHECK(T->list(NULL, S("t"), NULL, NULL, eb()) == STEPCA_E_INVALID_ARG && err_has("NULL"), "list(NULL handle)");
    CHECK(T->cas(NULL, S("t"), S("k"), S(""), S("v"), &swapped, NULL, NULL, eb()) == STEPCA_E_INVALID_ARG &&
              err_has("NULL") && swapped == 7,
          "cas(NULL handle)");
    CHECK(T->update(NULL, &op, 1, NULL, NULL, eb()) == STEPCA_E_INVALID_ARG && err_has("NULL"), "update(NULL handle)");
    T->close(NULL);
    CHECK(1, "close(NULL) returns");
    /* A NULL or zero-capacity error buffer is tolerated. */
    CHECK(T->get(NULL, S("t"), S("k"), NULL, NULL, NULL) == STEPCA_E_INVALID_ARG, "NULL error buffer");
    char tiny[1] = {'x'};
    stepca_errbuf zero = {tiny, 0, 0};
    CHECK(T->get(NULL, S("t"), S("k"), NULL, NULL, &zero) == STEPCA_E_INVALID_ARG && tiny[0] == 'x' && zero.len == 0,
          "zero-capacity error buffer is left alone");
}

static void test_tables(stepca_db *db) {
    CHECK(T->create_table(db, S("t"), eb()) == STEPCA_OK, "create table");
    CHECK(T->create_table(db, S("t"), eb()) == STEPCA_OK, "create table again (idempotent)");
    CHECK(T->create_table(db, S(""), eb()) == STEPCA_E_INVALID_ARG && err_has("empty"), "empty table name");
    CHECK(T->create_table(db, NULL, 4, eb()) == STEPCA_E_INVALID_ARG && E.len > 0, "NULL table name with length");
    CHECK(T->delete_table(db, S(""), eb()) == STEPCA_E_INVALID_ARG, "delete_table with empty name");
    CHECK(T->delete_table(db, S("missing"), eb()) == STEPCA_E_NOT_FOUND && err_has("missing"), "delete missing table");
    CHECK(T->create_table(db, S("gone"), eb()) == STEPCA_OK, "create a table to delete");
    CHECK(T->set(db, S("gone"), S("k"), S("v"), eb()) == STEPCA_OK, "set in it");
    CHECK(T->delete_table(db, S("gone"), eb()) == STEPCA_OK, "delete table with entries");
    CHECK(T->set(db, S("gone"), S("k"), S("v"), eb()) == STEPCA_E_NOT_FOUND, "set in deleted table");
    CHECK(T->delete_table(db, S("gone"), eb()) == STEPCA_E_NOT_FOUND, "delete it twice");
    CHECK(T->create_table(db, S("gone"), eb()) == STEPCA_OK && is_absent(db, "gone", "k"), "recreated table is empty");
    CHECK(T->delete_table(db, S("gone"), eb()) == STEPCA_OK, "delete recreated table");
    /* Binary table names. */
    const uint8_t bin[] = {0x00, 0xff, 0x10};
    CHECK(T->create_table(db, bin, sizeof bin, eb()) == STEPCA_OK, "binary table name");
    CHECK(T->set(db, bin, sizeof bin, S("k"), S("v"), eb()) == STEPCA_OK, "set in binary table");
    CHECK(T->delete_table(db, bin, sizeof bin, eb()) == STEPCA_OK, "delete binary table");
}

static void test_get_set_del(stepca_db *db) {
    CHECK(T->set(db, S("t"), S("a"), S("alpha"), eb()) == STEPCA_OK, "set a");
    CHECK(value_is(db, "t", "a", "alpha"), "get a");
    CHECK(T->set(db, S("t"), S("a"), S("ALPHA"), eb()) == STEPCA_OK && value_is(db, "t", "a", "ALPHA"), "overwrite a");
    CHECK(T->get(db, S("t"), S("a"), NULL, NULL, eb()) == STEPCA_OK, "get with NULL sink");
    CHECK(T->get(db, S("t"), S("nope"), collect, fresh(), eb()) == STEPCA_E_NOT_FOUND && got.calls == 0 &&
              err_has("t/nope not found"),
          "get missing key");
    CHECK(T->get(db, S("missing"), S("a"), collect, fresh(), eb()) == STEPCA_E_NOT_FOUND && err_has("missing"),
          "get in missing table");
    CHECK(T->set(db, S("missing"), S("a"), S("v"), eb()) == STEPCA_E_NOT_FOUND, "set in missing table");
    CHECK(T->del(db, S("missing"), S("a"), eb()) == STEPCA_E_NOT_FOUND, "del in missing table");
    CHECK(T->del(db, S("t"), S("never-there"), eb()) == STEPCA_OK, "del missing key succeeds");
    CHECK(T->del(db, S("t"), S("a"), eb()) == STEPCA_OK && is_absent(db, "t", "a"), "del a");

    /* Empty values are stored; empty keys are keys. */
    CHECK(T->set(db, S("t"), S("empty"), NULL, 0, eb()) == STEPCA_OK, "set empty value");
    fresh();
    CHECK(T->get(db, S("t"), S("empty"), collect, &got, eb()) == STEPCA_OK && got.calls == 1 && got.len == 0,
          "get empty value");
    CHECK(T->set(db, S("t"), NULL, 0, S("for-empty-key"), eb()) == STEPCA_OK && value_is(db, "t", "", "for-empty-key"),
          "empty key");
    CHECK(T->del(db, S("t"), NULL, 0, eb()) == STEPCA_OK && is_absent(db, "t", ""), "delete empty key");
    CHECK(T->set(db, S("t"), S("k"), NULL, 3, eb()) == STEPCA_E_INVALID_ARG && err_has("value"), "NULL value with length");

    /* Binary keys and values. */
    const uint8_t key[] = {'k', 0x00, 0xff, 0x00};
    const uint8_t value[] = {0x00, 0x01, 0x00, 0xfe, 0x00};
    CHECK(T->set(db, S("t"), key, sizeof key, value, sizeof value, eb()) == STEPCA_OK, "set binary");
    fresh();
    CHECK(T->get(db, S("t"), key, sizeof key, collect, &got, eb()) == STEPCA_OK && got.len == sizeof value &&
              memcmp(got.data, value, sizeof value) == 0,
          "get binary");
    CHECK(T->get(db, S("t"), key, 2, collect, fresh(), eb()) == STEPCA_E_NOT_FOUND, "binary key prefix is another key");

    /* Large value. */
    size_t big_len = 1 << 20;
    uint8_t *big = malloc(big_len);
    for (size_t i = 0; i < big_len; i++) big[i] = (uint8_t)(i * 31);
    CHECK(T->set(db, S("t"), S("big"), big, big_len, eb()) == STEPCA_OK, "set 1 MiB");
    fresh();
    CHECK(T->get(db, S("t"), S("big"), collect, &got, eb()) == STEPCA_OK && got.len == big_len, "get 1 MiB");
    free(big);
    CHECK(T->del(db, S("t"), S("big"), eb()) == STEPCA_OK, "del 1 MiB");

    /* Key length limit. */
    char long_key[301];
    memset(long_key, 'x', 300);
    long_key[300] = '\0';
    uint32_t swapped = 9;
    CHECK(T->set(db, S("t"), S(long_key), S("v"), eb()) == STEPCA_E_INVALID_ARG && err_has("300 bytes"), "set 300-byte key");
    CHECK(T->get(db, S("t"), S(long_key), collect, fresh(), eb()) == STEPCA_E_INVALID_ARG, "get 300-byte key");
    CHECK(T->del(db, S("t"), S(long_key), eb()) == STEPCA_E_INVALID_ARG, "del 300-byte key");
    CHECK(T->cas(db, S("t"), S(long_key), S(""), S("v"), &swapped, NULL, NULL, eb()) == STEPCA_E_INVALID_ARG,
          "cas 300-byte key");
    long_key[255] = '\0';
    CHECK(T->set(db, S("t"), S(long_key), S("v"), eb()) == STEPCA_OK && value_is(db, "t", long_key, "v"),
          "255-byte key is accepted");
    long_key[256] = '\0';
    long_key[255] = 'x';
    CHECK(T->set(db, S("t"), S(long_key), S("v"), eb()) == STEPCA_E_INVALID_ARG, "256-byte key is rejected");
    CHECK(T->set(db, S(""), S("k"), S("v"), eb()) == STEPCA_E_INVALID_ARG, "set with empty table name");

    /* Messages are truncated to the buffer and NUL-terminated. */
    char small[8];
    memset(small, '#', sizeof small);
    stepca_errbuf se = {small, sizeof small, 0};
    CHECK(T->get(db, S("t"), S("nope"), NULL, NULL, &se) == STEPCA_E_NOT_FOUND && se.len == 7 && small[7] == '\0',
          "message truncated to cap-1 bytes");
}

typedef struct listing {
    int count;
    int stop_after;
    int mismatches;
    stepca_db *db; /* when set, the visitor calls back into the plugin */
    int reentrant_ok;
} listing;

static int32_t visit(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *value, size_t value_len) {
    listing *l = ctx;
    l->count++;
    char expected[64];
    int n = snprintf(expected, sizeof expected, "value-%.*s", (int)key_len, (const char *)key);
    if ((size_t)n != value_len || memcmp(expected, value, value_len) != 0) l->mismatches++;
    if (l->db != NULL) {
        /* Re-entering the plugin from a callback must not deadlock. */
        stepca_errbuf e = {NULL, 0, 0};
        if (T->set(l->db, S("other"), key, key_len, value, value_len, &e) == STEPCA_OK) l->reentrant_ok++;
    }
    return l->stop_after && l->count >= l->stop_after ? 1 : 0;
}

static void test_list(stepca_db *db) {
    CHECK(T->create_table(db, S("l"), eb()) == STEPCA_OK, "create list table");
    listing l = {0};
    CHECK(T->list(db, S("l"), visit, &l, eb()) == STEPCA_OK && l.count == 0, "list empty table");
    int ok = 1;
    for (int i = 0; i < 100; i++) {
        char key[16], value[32];
        snprintf(key, sizeof key, "k%03d", i);
        snprintf(value, sizeof value, "value-%s", key);
        ok &= T->set(db, S("l"), S(key), S(value), eb()) == STEPCA_OK;
    }
    CHECK(ok, "set 100 entries");
    memset(&l, 0, sizeof l);
    CHECK(T->list(db, S("l"), visit, &l, eb()) == STEPCA_OK && l.count == 100 && l.mismatches == 0, "list 100 entries");
    memset(&l, 0, sizeof l);
    l.stop_after = 3;
    CHECK(T->list(db, S("l"), visit, &l, eb()) == STEPCA_OK && l.count == 3, "list stops early");
    CHECK(T->list(db, S("missing"), visit, &l, eb()) == STEPCA_E_NOT_FOUND && err_has("missing"), "list missing table");
    CHECK(T->list(db, S("l"), NULL, NULL, eb()) == STEPCA_E_INVALID_ARG && err_has("visit"), "list with NULL visitor");
    CHECK(T->list(db, S(""), visit, &l, eb()) == STEPCA_E_INVALID_ARG, "list with empty table name");

    CHECK(T->create_table(db, S("other"), eb()) == STEPCA_OK, "create table for reentrant list");
    memset(&l, 0, sizeof l);
    l.db = db;
    CHECK(T->list(db, S("l"), visit, &l, eb()) == STEPCA_OK && l.reentrant_ok == 100, "visitor may call the plugin");
    CHECK(value_is(db, "other", "k042", "value-k042"), "reentrant writes landed");
}

static void test_cas(stepca_db *db) {
    uint32_t swapped = 9;
    CHECK(T->cas(db, S("t"), S("c"), S(""), S("one"), &swapped, collect, fresh(), eb()) == STEPCA_OK && swapped == 1 &&
              got.calls == 0,
          "cas absent -> one swaps");
    CHECK(value_is(db, "t", "c", "one"), "cas stored the value");
    swapped = 9;
    CHECK(T->cas(db, S("t"), S("c"), S("zero"), S("two"), &swapped, collect, fresh(), eb()) == STEPCA_OK && swapped == 0 &&
              got_is("one"),
          "cas mismatch reports current value");
    CHECK(value_is(db, "t", "c", "one"), "cas mismatch left the value");
    CHECK(T->cas(db, S("t"), S("c"), S("one"), S("two"), &swapped, NULL, NULL, eb()) == STEPCA_OK && swapped == 1 &&
              value_is(db, "t", "c", "two"),
          "cas one -> two swaps");
    CHECK(T->cas(db, S("t"), S("c"), S(""), S("x"), &swapped, collect, fresh(), eb()) == STEPCA_OK && swapped == 0 &&
              got_is("two"),
          "cas expecting absent on a present key");
    CHECK(T->cas(db, S("t"), S("c"), S("two"), S(""), &swapped, NULL, NULL, eb()) == STEPCA_OK && swapped == 1,
          "cas to an empty value");
    fresh();
    CHECK(T->get(db, S("t"), S("c"), collect, &got, eb()) == STEPCA_OK && got.calls == 1 && got.len == 0,
          "empty new value is stored as an empty value");
    CHECK(T->cas(db, S("t"), S("c"), S(""), S("three"), &swapped, NULL, NULL, eb()) == STEPCA_OK && swapped == 1 &&
              value_is(db, "t", "c", "three"),
          "stored empty value compares equal to empty old");
    CHECK(T->cas(db, S("t"), S("fresh"), S("something"), S("x"), &swapped, collect, fresh(), eb()) == STEPCA_OK &&
              swapped == 0 && got.calls == 1 && got.len == 0 && is_absent(db, "t", "fresh"),
          "cas on an absent key reports an empty current value");
    CHECK(T->cas(db, S("missing"), S("c"), S(""), S("x"), &swapped, NULL, NULL, eb()) == STEPCA_E_NOT_FOUND &&
              err_has("missing"),
          "cas in missing table");
    CHECK(T->cas(db, S("t"), S("c"), S("three"), S("four"), NULL, NULL, NULL, eb()) == STEPCA_OK &&
              value_is(db, "t", "c", "four"),
          "cas with NULL swapped pointer");
    CHECK(T->cas(db, S("t"), S("c"), NULL, 2, S("x"), &swapped, NULL, NULL, eb()) == STEPCA_E_INVALID_ARG,
          "cas with NULL old value and a length");
}

static size_t table_size(stepca_db *db, const char *table) {
    listing l = {0};
    l.stop_after = 0;
    if (T->list(db, S(table), visit, &l, eb()) != STEPCA_OK) return (size_t)-1;
    return (size_t)l.count;
}

static void test_update(stepca_db *db) {
    op_results r;

    /* Commit. */
    memset(&r, 0, sizeof r);
    stepca_db_op commit[] = {
        make_op(STEPCA_DB_OP_CREATE_TABLE, "u", NULL, NULL),
        make_op(STEPCA_DB_OP_SET, "u", "a", "1"),
        make_op(STEPCA_DB_OP_SET, "u", "b", "2"),
        make_op(STEPCA_DB_OP_GET, "u", "a", NULL),
        make_cas("u", "b", "2", "3", STEPCA_DB_OPF_ABORT_ON_MISMATCH),
        make_cas("u", "a", "wrong", "x", 0),
        make_op(STEPCA_DB_OP_DELETE, "u", "nothing", NULL),
        make_op(STEPCA_DB_OP_SET, "u", "gone", "soon"),
        make_op(STEPCA_DB_OP_DELETE, "u", "gone", NULL),
    };
    size_t n = sizeof commit / sizeof commit[0];
    int32_t rc = T->update(db, commit, n, collect_result, &r, eb());
    CHECK(rc == STEPCA_OK, "update commits");
    int statuses_ok = 1;
    for (size_t i = 0; i < n; i++) statuses_ok &= commit[i].status == STEPCA_OK;
    CHECK(statuses_ok, "every op status is OK");
    CHECK(commit[4].swapped == 1 && commit[5].swapped == 0, "cas swapped flags");
    CHECK(r.calls == 2 && r.index[0] == 3 && strcmp(r.value[0], "1") == 0 && r.index[1] == 5 &&
              strcmp(r.value[1], "1") == 0,
          "results: GET value and current value of the non-swapping CAS");
    CHECK(value_is(db, "u", "a", "1") && value_is(db, "u", "b", "3") && is_absent(db, "u", "gone"), "committed state");
    CHECK(T->update(db, NULL, 0, NULL, NULL, eb()) == STEPCA_OK, "empty update");
    CHECK(T->update(db, NULL, 2, NULL, NULL, eb()) == STEPCA_E_INVALID_ARG && E.len > 0, "NULL ops with a count");

    /* Rollback on a failing op: everything before it is undone. */
    CHECK(T->create_table(db, S("keep"), eb()) == STEPCA_OK, "create table keep");
    CHECK(T->set(db, S("keep"), S("k1"), S("v1"), eb()) == STEPCA_OK && T->set(db, S("keep"), S("k2"), S("v2"), eb()) == STEPCA_OK,
          "fill keep");
    memset(&r, 0, sizeof r);
    stepca_db_op rollback[] = {
        make_op(STEPCA_DB_OP_SET, "u", "a", "changed"),
        make_op(STEPCA_DB_OP_SET, "u", "a", "changed-again"),
        make_op(STEPCA_DB_OP_DELETE, "u", "b", NULL),
        make_op(STEPCA_DB_OP_SET, "u", "new", "n"),
        make_op(STEPCA_DB_OP_CREATE_TABLE, "v", NULL, NULL),
        make_op(STEPCA_DB_OP_SET, "v", "k", "x"),
        make_op(STEPCA_DB_OP_SET, "keep", "k1", "overwritten"),
        make_op(STEPCA_DB_OP_DELETE_TABLE, "keep", NULL, NULL),
        make_op(STEPCA_DB_OP_CREATE_TABLE, "keep", NULL, NULL),
        make_op(STEPCA_DB_OP_SET, "keep", "k9", "impostor"),
        make_op(STEPCA_DB_OP_GET, "u", "a", NULL),
        make_op(STEPCA_DB_OP_GET, "u", "no-such-key", NULL),
        make_op(STEPCA_DB_OP_SET, "u", "after", "never"),
    };
    n = sizeof rollback / sizeof rollback[0];
    rc = T->update(db, rollback, n, collect_result, &r, eb());
    CHECK(rc == STEPCA_E_NOT_FOUND && rollback[11].status == STEPCA_E_NOT_FOUND, "failing GET fails the update");
    CHECK(strncmp(E.buf, "operation 11: ", 14) == 0, "message names the op index");
    CHECK(r.calls == 0, "no results are delivered after a rollback");
    CHECK(value_is(db, "u", "a", "1") && value_is(db, "u", "b", "3") && is_absent(db, "u", "new") &&
              is_absent(db, "u", "after"),
          "rolled back entries");
    CHECK(T->delete_table(db, S("v"), eb()) == STEPCA_E_NOT_FOUND, "created table is rolled back");
    CHECK(value_is(db, "keep", "k1", "v1") && value_is(db, "keep", "k2", "v2") && is_absent(db, "keep", "k9") &&
              table_size(db, "keep") == 2,
          "deleted and recreated table is restored with its entries");
    CHECK(table_size(db, "u") == 2, "table u has its two entries");

    /* ABORT_ON_MISMATCH. */
    stepca_db_op conflict[] = {
        make_op(STEPCA_DB_OP_SET, "u", "a", "Y"),
        make_cas("u", "b", "not-3", "4", STEPCA_DB_OPF_ABORT_ON_MISMATCH),
        make_op(STEPCA_DB_OP_SET, "u", "z", "z"),
    };
    memset(&r, 0, sizeof r);
    rc = T->update(db, conflict, 3, collect_result, &r, eb());
    CHECK(rc == STEPCA_E_CONFLICT && conflict[1].status == STEPCA_E_CONFLICT && conflict[1].swapped == 0,
          "aborting CAS mismatch returns CONFLICT");
    CHECK(strncmp(E.buf, "operation 1: ", 13) == 0 && err_has("u/b"), "conflict message names op and key");
    CHECK(value_is(db, "u", "a", "1") && value_is(db, "u", "b", "3") && is_absent(db, "u", "z"), "conflict rolled back");

    /* A CAS that swaps earlier in the update is rolled back too. */
    stepca_db_op cas_then_fail[] = {
        make_cas("u", "b", "3", "33", STEPCA_DB_OPF_ABORT_ON_MISMATCH),
        make_op(STEPCA_DB_OP_SET, "nowhere", "k", "v"),
    };
    rc = T->update(db, cas_then_fail, 2, NULL, NULL, eb());
    CHECK(rc == STEPCA_E_NOT_FOUND && cas_then_fail[1].status == STEPCA_E_NOT_FOUND &&
              strncmp(E.buf, "operation 1: ", 13) == 0 && value_is(db, "u", "b", "3"),
          "set in a missing table rolls back a swapped CAS");

    /* Validation failures: nothing is applied. */
    stepca_db_op unknown[] = {
        make_op(STEPCA_DB_OP_SET, "u", "a", "bad"),
        make_op(99, "u", "a", NULL),
    };
    rc = T->update(db, unknown, 2, NULL, NULL, eb());
    CHECK(rc == STEPCA_E_INVALID_ARG && unknown[1].status == STEPCA_E_INVALID_ARG &&
              strncmp(E.buf, "operation 1: ", 13) == 0 && value_is(db, "u", "a", "1"),
          "unknown op code is INVALID_ARG");

    char long_key[301];
    memset(long_key, 'k', 300);
    long_key[300] = '\0';
    stepca_db_op too_long[] = {
        make_op(STEPCA_DB_OP_SET, "u", "a", "bad"),
        make_op(STEPCA_DB_OP_SET, "u", "ok", "fine"),
        make_op(STEPCA_DB_OP_SET, "u", long_key, "v"),
    };
    rc = T->update(db, too_long, 3, NULL, NULL, eb());
    CHECK(rc == STEPCA_E_INVALID_ARG && too_long[2].status == STEPCA_E_INVALID_ARG &&
              strncmp(E.buf, "operation 2: ", 13) == 0 && err_has("300 bytes") && value_is(db, "u", "a", "1") &&
              is_absent(db, "u", "ok"),
          "300-byte key in an update is INVALID_ARG");

    stepca_db_op empty_table[] = {make_op(STEPCA_DB_OP_CREATE_TABLE, "", NULL, NULL)};
    CHECK(T->update(db, empty_table, 1, NULL, NULL, eb()) == STEPCA_E_INVALID_ARG && err_has("operation 0: "),
          "empty table name in an update");

    stepca_db_op small = make_op(STEPCA_DB_OP_GET, "u", "a", NULL);
    small.struct_size = 8;
    CHECK(T->update(db, &small, 1, NULL, NULL, eb()) == STEPCA_E_INVALID_ARG && err_has("struct_size"),
          "op with a short struct_size");

    stepca_db_op missing_table[] = {make_op(STEPCA_DB_OP_DELETE_TABLE, "absent", NULL, NULL)};
    CHECK(T->update(db, missing_table, 1, NULL, NULL, eb()) == STEPCA_E_NOT_FOUND && err_has("operation 0: "),
          "delete of a missing table in an update");

    /* Table operations that commit. */
    stepca_db_op tables[] = {
        make_op(STEPCA_DB_OP_CREATE_TABLE, "w", NULL, NULL),
        make_op(STEPCA_DB_OP_SET, "w", "k", "v"),
        make_op(STEPCA_DB_OP_DELETE_TABLE, "keep", NULL, NULL),
    };
    CHECK(T->update(db, tables, 3, NULL, NULL, eb()) == STEPCA_OK && value_is(db, "w", "k", "v") &&
              T->delete_table(db, S("keep"), eb()) == STEPCA_E_NOT_FOUND,
          "create and delete tables in a committed update");
}

static void test_max_entries(void) {
    stepca_db *db = open_db("{\"type\":\"memdb\",\"maxEntries\":3}");
    if (db == NULL) return;
    CHECK(T->create_table(db, S("t"), eb()) == STEPCA_OK, "create");
    CHECK(T->set(db, S("t"), S("a"), S("1"), eb()) == STEPCA_OK && T->set(db, S("t"), S("b"), S("2"), eb()) == STEPCA_OK &&
              T->set(db, S("t"), S("c"), S("3"), eb()) == STEPCA_OK,
          "fill to the limit");
    int32_t rc = T->set(db, S("t"), S("d"), S("4"), eb());
    CHECK(rc == STEPCA_E_VENDOR_BASE + 1 && err_has("maxEntries"), "set beyond maxEntries fails");
    CHECK(T->set(db, S("t"), S("a"), S("11"), eb()) == STEPCA_OK, "overwrite at the limit");
    stepca_db_op ops[] = {
        make_op(STEPCA_DB_OP_DELETE, "t", "a", NULL),
        make_op(STEPCA_DB_OP_SET, "t", "d", "4"),
        make_op(STEPCA_DB_OP_SET, "t", "e", "5"),
    };
    rc = T->update(db, ops, 3, NULL, NULL, eb());
    CHECK(rc == STEPCA_E_VENDOR_BASE + 1 && ops[2].status == rc && strncmp(E.buf, "operation 2: ", 13) == 0 &&
              value_is(db, "t", "a", "11") && is_absent(db, "t", "d"),
          "update over the limit rolls back");
    CHECK(T->update(db, ops, 2, NULL, NULL, eb()) == STEPCA_OK && is_absent(db, "t", "a") && value_is(db, "t", "d", "4"),
          "delete makes room inside an update");
    CHECK(T->delete_table(db, S("t"), eb()) == STEPCA_OK && T->create_table(db, S("t2"), eb()) == STEPCA_OK &&
              T->set(db, S("t2"), S("x"), S("1"), eb()) == STEPCA_OK,
          "deleting a table frees its entries from the count");
    T->close(db);
}

typedef struct worker {
    stepca_db *db;
    int id;
    int errors;
} worker;

static void *hammer(void *arg) {
    worker *w = arg;
    char ebuf[256];
    for (int i = 0; i < 500; i++) {
        /* Increment a shared counter with a CAS loop. */
        for (;;) {
            static _Thread_local collected slot;
            collected *c = &slot;
            c->calls = 0;
            c->len = 0;
            stepca_errbuf e = {ebuf, sizeof ebuf, 0};
            int32_t rc = T->get(w->db, S("t"), S("counter"), collect, c, &e);
            long value = 0;
            if (rc == STEPCA_OK) {
                char text[32];
                size_t n = c->len < 31 ? c->len : 31;
                memcpy(text, c->data, n);
                text[n] = '\0';
                value = strtol(text, NULL, 10);
            } else if (rc != STEPCA_E_NOT_FOUND) {
                w->errors++;
            }
            char old_text[32], new_text[32];
            int old_len = rc == STEPCA_OK ? snprintf(old_text, sizeof old_text, "%ld", value) : 0;
            int new_len = snprintf(new_text, sizeof new_text, "%ld", value + 1);
            uint32_t swapped = 0;
            rc = T->cas(w->db, S("t"), S("counter"), (const uint8_t *)old_text, (size_t)old_len,
                        (const uint8_t *)new_text, (size_t)new_len, &swapped, NULL, NULL, &e);
            if (rc != STEPCA_OK) {
                w->errors++;
                break;
            }
            if (swapped) break;
        }
        char key[32];
        snprintf(key, sizeof key, "w%d-%d", w->id, i);
        stepca_errbuf e = {ebuf, sizeof ebuf, 0};
        if (T->set(w->db, S("t"), S(key), S(key), &e) != STEPCA_OK) w->errors++;
        if (i % 2 && T->del(w->db, S("t"), S(key), &e) != STEPCA_OK) w->errors++;
    }
    return NULL;
}

static void test_threads(void) {
    stepca_db *db = open_db("{\"type\":\"memdb\"}");
    if (db == NULL) return;
    CHECK(T->create_table(db, S("t"), eb()) == STEPCA_OK, "create");
    enum { THREADS = 8 };
    pthread_t threads[THREADS];
    worker workers[THREADS];
    int started = 1;
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){db, i, 0};
        if (pthread_create(&threads[i], NULL, hammer, &workers[i]) != 0) {
            started = 0;
            workers[i].id = -1;
        }
    }
    int errors = 0;
    for (int i = 0; i < THREADS; i++) {
        if (workers[i].id >= 0) pthread_join(threads[i], NULL);
        errors += workers[i].errors;
    }
    CHECK(started && errors == 0, "concurrent calls succeed");
    CHECK(value_is(db, "t", "counter", "4000"), "concurrent CAS increments are not lost");
    CHECK(table_size(db, "t") == 1 + THREADS * 250, "concurrent sets and deletes");
    T->close(db);
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "./libstepca-db-memdb.so";
    eb();
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
        return 2;
    }
    stepca_plugin_entry_fn entry;
    void *symbol = dlsym(lib, STEPCA_ENTRY_SYMBOL);
    memcpy(&entry, &symbol, sizeof entry);
    if (entry == NULL) {
        fprintf(stderr, "%s does not export %s\n", path, STEPCA_ENTRY_SYMBOL);
        dlclose(lib);
        return 2;
    }

    /* Entry point. */
    const stepca_plugin_v1 *desc = NULL;
    stepca_host_v1 host = {sizeof host, STEPCA_ABI_MAJOR, STEPCA_ABI_MINOR, &log_lines, host_log};
    CHECK(entry(STEPCA_ABI_MAJOR + 1, &host, &desc, eb()) == STEPCA_E_UNSUPPORTED && desc == NULL && err_has("ABI"),
          "entry refuses another host major");
    CHECK(entry(STEPCA_ABI_MAJOR, &host, NULL, eb()) == STEPCA_E_INVALID_ARG && E.len > 0, "entry with NULL out");
    CHECK(entry(STEPCA_ABI_MAJOR, &host, &desc, eb()) == STEPCA_OK && desc != NULL, "entry succeeds");
    if (desc == NULL) {
        printf("%d passed, %d failed\n", passed, failed);
        dlclose(lib);
        return 1;
    }
    CHECK(desc->struct_size >= sizeof(stepca_plugin_v1), "descriptor struct_size");
    CHECK(desc->abi_major == STEPCA_ABI_MAJOR && desc->abi_minor == STEPCA_ABI_MINOR, "descriptor ABI version");
    CHECK(desc->kind == STEPCA_KIND_DB, "descriptor kind");
    CHECK(desc->flags == STEPCA_F_THREADSAFE, "descriptor flags");
    CHECK(desc->name && strcmp(desc->name, "memdb") == 0, "descriptor name");
    CHECK(desc->version && strcmp(desc->version, "1.0.0") == 0, "descriptor version");
    CHECK(desc->description && desc->description[0] != '\0', "descriptor description");
    CHECK(desc->types && desc->types[0] && strcmp(desc->types[0], "memdb") == 0 && desc->types[1] == NULL,
          "descriptor types");
    T = desc->table;
    CHECK(T != NULL && T->struct_size >= sizeof(stepca_db_v1), "function table size");
    if (T == NULL) {
        printf("%d passed, %d failed\n", passed, failed);
        dlclose(lib);
        return 1;
    }
    CHECK(T->open && T->close && T->create_table && T->delete_table && T->get && T->set && T->del && T->list &&
              T->cas && T->update,
          "every slot is present");

    test_config();
    test_null_handle();

    log_lines = 0;
    stepca_db *db = open_db("{\"type\":\"memdb\"}");
    CHECK(log_lines > 0, "open logs through the host");
    if (db != NULL) {
        test_tables(db);
        test_get_set_del(db);
        test_list(db);
        test_cas(db);
        test_update(db);
        T->close(db);
    }
    test_max_entries();
    test_threads();

    dlclose(lib);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
