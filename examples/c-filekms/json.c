/*
 * json.c — a small, strict JSON reader for the ca.json "kms" object.
 *
 * It checks that the whole input is one well-formed JSON object (RFC 8259: strings with every
 * escape, numbers, literals, nested arrays and objects up to a nesting limit) and copies out the
 * string members "type" and "uri". It never reads past the given length, does not need a NUL
 * terminator, and reports the byte offset of the first problem.
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "filekms.h"

/** Nesting limit: keeps the recursion bounded on hostile input. */
#define JSON_MAX_DEPTH 32

typedef struct reader {
    const char *start;
    const char *p;
    const char *end;
    fk_error *e;
} reader;

static int32_t bad(reader *r, const char *what) {
    return fk_fail(r->e, STEPCA_E_INVALID_ARG, "kms: the configuration is not valid JSON: %s at byte %zu",
                   what, (size_t)(r->p - r->start));
}

static void skip_space(reader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) r->p++;
}

static int hex4(reader *r, uint32_t *out) {
    if (r->end - r->p < 4) return -1;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = r->p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
        else return -1;
    }
    r->p += 4;
    *out = v;
    return 0;
}

/** Appends bytes to an optional output; *len counts every byte even past the capacity. */
static void put(char *out, size_t cap, size_t *len, const char *bytes, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (out != NULL && *len + 1 < cap) out[*len] = bytes[i];
        (*len)++;
    }
}

/** Reads a string (r->p at the opening quote). out may be NULL; *len gets the decoded length. */
static int32_t read_string(reader *r, char *out, size_t cap, size_t *len, int *has_nul) {
    *len = 0;
    *has_nul = 0;
    r->p++; /* opening quote */
    while (r->p < r->end) {
        unsigned char c = (unsigned char)*r->p;
        if (c == '"') {
            r->p++;
            if (out != NULL && cap > 0) out[*len < cap ? *len : cap - 1] = '\0';
            return STEPCA_OK;
        }
        if (c < 0x20) return bad(r, "control character in a string");
        if (c != '\\') {
            put(out, cap, len, r->p, 1);
            r->p++;
            continue;
        }
        r->p++;
        if (r->p >= r->end) break;
        char esc = *r->p++;
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
            if (hex4(r, &cp) != 0) return bad(r, "bad \\u escape");
            if (cp >= 0xd800 && cp <= 0xdbff) {
                uint32_t low;
                if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u') return bad(r, "unpaired surrogate");
                r->p += 2;
                if (hex4(r, &low) != 0 || low < 0xdc00 || low > 0xdfff) return bad(r, "unpaired surrogate");
                cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                return bad(r, "unpaired surrogate");
            }
            if (cp == 0) *has_nul = 1;
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
            put(out, cap, len, utf8, n);
            continue;
        }
        default:
            r->p--;
            return bad(r, "bad escape in a string");
        }
        put(out, cap, len, &one, 1);
    }
    return bad(r, "unterminated string");
}

static int digits(reader *r) {
    const char *from = r->p;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
    return r->p > from;
}

static int32_t read_number(reader *r) {
    if (r->p < r->end && *r->p == '-') r->p++;
    if (r->p < r->end && *r->p == '0') {
        r->p++;
        if (r->p < r->end && *r->p >= '0' && *r->p <= '9') return bad(r, "leading zero in a number");
    } else if (!digits(r)) {
        return bad(r, "bad number");
    }
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (!digits(r)) return bad(r, "bad number");
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-')) r->p++;
        if (!digits(r)) return bad(r, "bad number");
    }
    return STEPCA_OK;
}

static int32_t read_literal(reader *r, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) return bad(r, "unexpected character");
    r->p += n;
    return STEPCA_OK;
}

/** What the top-level object's members are copied into. */
typedef struct wanted {
    char *type;
    size_t type_cap;
    int *type_found;
    char *uri;
    size_t uri_cap;
    int *uri_found;
} wanted;

static int32_t read_value(reader *r, int depth, const wanted *want);

static int32_t read_array(reader *r, int depth) {
    r->p++; /* [ */
    skip_space(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        return STEPCA_OK;
    }
    for (;;) {
        if (read_value(r, depth + 1, NULL) != STEPCA_OK) return r->e->status;
        skip_space(r);
        if (r->p >= r->end) return bad(r, "unterminated array");
        if (*r->p == ']') {
            r->p++;
            return STEPCA_OK;
        }
        if (*r->p != ',') return bad(r, "expected ',' or ']'");
        r->p++;
    }
}

/** Reads a string member the caller wants; refuses other types, duplicates and NUL bytes. */
static int32_t read_wanted_member(reader *r, const char *member, char *out, size_t cap, int *found) {
    if (*found) return fk_fail(r->e, STEPCA_E_INVALID_ARG, "kms.%s appears twice", member);
    if (r->p >= r->end || *r->p != '"') {
        return fk_fail(r->e, STEPCA_E_INVALID_ARG, "kms.%s must be a string", member);
    }
    size_t len;
    int has_nul;
    if (read_string(r, out, cap, &len, &has_nul) != STEPCA_OK) return r->e->status;
    if (has_nul) return fk_fail(r->e, STEPCA_E_INVALID_ARG, "kms.%s contains a NUL character", member);
    if (len >= cap) {
        return fk_fail(r->e, STEPCA_E_INVALID_ARG, "kms.%s is too long (%zu bytes, at most %zu)", member, len,
                       cap - 1);
    }
    *found = 1;
    return STEPCA_OK;
}

static int32_t read_object(reader *r, int depth, const wanted *want) {
    r->p++; /* { */
    skip_space(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        return STEPCA_OK;
    }
    for (;;) {
        skip_space(r);
        if (r->p >= r->end || *r->p != '"') return bad(r, "expected a member name");
        char name[8];
        size_t name_len;
        int has_nul;
        if (read_string(r, name, sizeof name, &name_len, &has_nul) != STEPCA_OK) return r->e->status;
        skip_space(r);
        if (r->p >= r->end || *r->p != ':') return bad(r, "expected ':'");
        r->p++;
        skip_space(r);
        if (r->p >= r->end) return bad(r, "unexpected end of input");
        int32_t rc;
        if (want != NULL && !has_nul && name_len == 4 && memcmp(name, "type", 4) == 0) {
            rc = read_wanted_member(r, "type", want->type, want->type_cap, want->type_found);
        } else if (want != NULL && !has_nul && name_len == 3 && memcmp(name, "uri", 3) == 0) {
            rc = read_wanted_member(r, "uri", want->uri, want->uri_cap, want->uri_found);
        } else {
            rc = read_value(r, depth + 1, NULL);
        }
        if (rc != STEPCA_OK) return rc;
        skip_space(r);
        if (r->p >= r->end) return bad(r, "unterminated object");
        if (*r->p == '}') {
            r->p++;
            return STEPCA_OK;
        }
        if (*r->p != ',') return bad(r, "expected ',' or '}'");
        r->p++;
    }
}

static int32_t read_value(reader *r, int depth, const wanted *want) {
    skip_space(r);
    if (r->p >= r->end) return bad(r, "unexpected end of input");
    if (depth > JSON_MAX_DEPTH) return bad(r, "nesting too deep");
    size_t ignored_len;
    int ignored_nul;
    switch (*r->p) {
    case '{': return read_object(r, depth, want);
    case '[': return read_array(r, depth);
    case '"': return read_string(r, NULL, 0, &ignored_len, &ignored_nul);
    case 't': return read_literal(r, "true");
    case 'f': return read_literal(r, "false");
    case 'n': return read_literal(r, "null");
    default:
        if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9')) return read_number(r);
        return bad(r, "unexpected character");
    }
}

int32_t fk_json_members(const char *text, size_t len, char *type, size_t type_cap, int *type_found,
                        char *uri, size_t uri_cap, int *uri_found, fk_error *e) {
    *type_found = 0;
    *uri_found = 0;
    type[0] = '\0';
    uri[0] = '\0';
    if (text == NULL || len == 0) return fk_fail(e, STEPCA_E_INVALID_ARG, "kms: the configuration is empty");
    reader r = {text, text, text + len, e};
    skip_space(&r);
    if (r.p >= r.end) return fk_fail(e, STEPCA_E_INVALID_ARG, "kms: the configuration is empty");
    if (*r.p != '{') return fk_fail(e, STEPCA_E_INVALID_ARG, "kms: the configuration must be a JSON object");
    wanted want = {type, type_cap, type_found, uri, uri_cap, uri_found};
    if (read_object(&r, 1, &want) != STEPCA_OK) return e->status;
    skip_space(&r);
    if (r.p != r.end) return bad(&r, "unexpected text after the object");
    return STEPCA_OK;
}
