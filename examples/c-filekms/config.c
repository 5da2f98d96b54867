/*
 * config.c — the "kms" stanza and the filekms URI scheme.
 *
 *   kms stanza:   {"type": "filekms", "uri": "filekms:dir=/var/lib/step-ca/keys"}
 *                 ("type" may be left out: the host then picks the plugin by the URI's scheme)
 *   key names:    filekms:name=intermediate      (or the bare name: intermediate)
 *
 * A URI is the scheme "filekms:" (any case) followed by attributes "key=value" separated by
 * ';'. Values are percent-decoded (%3B is ';'), so any directory path can be written. The
 * stanza's URI takes exactly one attribute, dir=, an absolute path; a key reference takes
 * exactly one, name=. Key names are 1-128 bytes of [A-Za-z0-9._-], never start with '.' and
 * never contain "..", so a name can only ever denote a file directly inside the key directory.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "filekms.h"

#define SCHEME "filekms:"
#define SCHEME_LEN 8

void fk_label(const char *text, size_t len, char *out, size_t cap) {
    size_t at = 0;
    if (cap == 0) return;
    if (text == NULL) len = 0;
    size_t i = 0;
    for (; i < len && at + 4 < cap; i++) {
        unsigned char c = (unsigned char)text[i];
        out[at++] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
    }
    if (i < len) {
        memcpy(out + at, "...", 3);
        at += 3;
    }
    out[at] = '\0';
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/**
 * Finds the single attribute `want` in the attributes of a filekms URI and percent-decodes its
 * value into out. `what` names the URI in messages ("kms.uri", "key ...").
 */
static int32_t uri_attribute(const char *attrs, size_t len, const char *want, char *out, size_t cap,
                             const char *what, fk_error *e) {
    size_t want_len = strlen(want);
    int found = 0;
    size_t at = 0;
    while (at <= len) {
        size_t stop = at;
        while (stop < len && attrs[stop] != ';') stop++;
        const char *attr = attrs + at;
        size_t attr_len = stop - at;
        at = stop + 1;
        if (attr_len == 0) {
            if (stop >= len) break;
            continue; /* tolerate "a=b;" and ";;" */
        }
        const char *eq = memchr(attr, '=', attr_len);
        size_t key_len = eq ? (size_t)(eq - attr) : attr_len;
        if (eq == NULL || key_len != want_len || memcmp(attr, want, want_len) != 0) {
            char key[64];
            fk_label(attr, key_len, key, sizeof key);
            return fk_fail(e, STEPCA_E_INVALID_ARG, "%s: unknown attribute \"%s\" (a filekms URI takes only %s=)", what,
                           key, want);
        }
        if (found) return fk_fail(e, STEPCA_E_INVALID_ARG, "%s: %s= appears twice", what, want);
        found = 1;
        const char *value = eq + 1;
        size_t value_len = attr_len - key_len - 1;
        size_t n = 0;
        for (size_t i = 0; i < value_len; i++) {
            char c = value[i];
            if (c == '%') {
                if (i + 2 >= value_len) {
                    return fk_fail(e, STEPCA_E_INVALID_ARG, "%s: %s= has a truncated %%-escape", what, want);
                }
                int h = hex_value(value[i + 1]);
                int l = hex_value(value[i + 2]);
                if (h < 0 || l < 0) return fk_fail(e, STEPCA_E_INVALID_ARG, "%s: %s= has a bad %%-escape", what, want);
                c = (char)(h * 16 + l);
                i += 2;
            }
            if (c == '\0') return fk_fail(e, STEPCA_E_INVALID_ARG, "%s: %s= contains a NUL byte", what, want);
            if (n + 1 >= cap) return fk_fail(e, STEPCA_E_INVALID_ARG, "%s: %s= is too long (at most %zu bytes)", what, want, cap - 1);
            out[n++] = c;
        }
        out[n] = '\0';
        if (stop >= len) break;
    }
    if (!found) return fk_fail(e, STEPCA_E_INVALID_ARG, "%s: %s= is required", what, want);
    return STEPCA_OK;
}

int32_t fk_config_parse(const char *json, size_t len, fk_config *out, fk_error *e) {
    char type[32];
    char uri[FK_MAX_DIR * 3 + 64];
    int type_found, uri_found;
    if (json == NULL && len > 0) return fk_fail(e, STEPCA_E_INVALID_ARG, "kms: the configuration pointer is NULL");
    if (fk_json_members(json, len, type, sizeof type, &type_found, uri, sizeof uri, &uri_found, e) != STEPCA_OK) {
        return e->status;
    }
    /* The host picks the plugin by "type", or by the scheme of "uri" when "type" is absent or
     * empty, so both ways of naming filekms are accepted. */
    if (type_found && type[0] != '\0' && strcasecmp(type, FK_NAME) != 0) {
        char shown[48];
        fk_label(type, strlen(type), shown, sizeof shown);
        return fk_fail(e, STEPCA_E_INVALID_ARG, "kms.type: \"%s\" is not served by the %s plugin", shown, FK_NAME);
    }
    if (!uri_found) {
        return fk_fail(e, STEPCA_E_INVALID_ARG, "kms.uri is required, e.g. \"filekms:dir=/var/lib/step-ca/keys\"");
    }
    size_t uri_len = strlen(uri);
    if (uri_len < SCHEME_LEN || strncasecmp(uri, SCHEME, SCHEME_LEN) != 0) {
        char shown[96];
        fk_label(uri, uri_len, shown, sizeof shown);
        return fk_fail(e, STEPCA_E_INVALID_ARG, "kms.uri: \"%s\" is not a filekms URI (filekms:dir=/path/to/keys)", shown);
    }
    if (uri_attribute(uri + SCHEME_LEN, uri_len - SCHEME_LEN, "dir", out->dir, sizeof out->dir, "kms.uri", e) !=
        STEPCA_OK) {
        return e->status;
    }
    if (out->dir[0] != '/') {
        char shown[96];
        fk_label(out->dir, strlen(out->dir), shown, sizeof shown);
        return fk_fail(e, STEPCA_E_INVALID_ARG, "kms.uri: dir=%s is not an absolute path", shown);
    }
    /* Drop trailing slashes (but keep "/"). */
    size_t dir_len = strlen(out->dir);
    while (dir_len > 1 && out->dir[dir_len - 1] == '/') out->dir[--dir_len] = '\0';
    return STEPCA_OK;
}

static int name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

int32_t fk_name_parse(const char *text, size_t len, const char *what_kind, fk_name *out, fk_error *e) {
    char shown[112];
    if (text == NULL && len > 0) return fk_fail(e, STEPCA_E_INVALID_ARG, "the %s name pointer is NULL", what_kind);
    fk_label(text, len, shown, sizeof shown);
    fk_label(text, len, out->shown, sizeof out->shown);
    if (len == 0) return fk_fail(e, STEPCA_E_INVALID_ARG, "the %s name is empty (expected filekms:name=NAME)", what_kind);
    char name[FK_MAX_NAME * 3 + 1];
    const char *colon = memchr(text, ':', len);
    if (colon != NULL) {
        if (len < SCHEME_LEN || strncasecmp(text, SCHEME, SCHEME_LEN) != 0) {
            return fk_fail(e, STEPCA_E_INVALID_ARG, "%s \"%s\" is not a filekms URI (expected filekms:name=NAME)", what_kind, shown);
        }
        char what[160];
        snprintf(what, sizeof what, "%s \"%s\"", what_kind, shown);
        if (uri_attribute(text + SCHEME_LEN, len - SCHEME_LEN, "name", name, sizeof name, what, e) != STEPCA_OK) {
            return e->status;
        }
    } else {
        if (len >= sizeof name) {
            return fk_fail(e, STEPCA_E_INVALID_ARG, "%s \"%s\": the name is longer than %d bytes", what_kind, shown, FK_MAX_NAME);
        }
        memcpy(name, text, len);
        name[len] = '\0';
        if (memchr(text, '\0', len) != NULL) {
            return fk_fail(e, STEPCA_E_INVALID_ARG, "%s \"%s\": the name contains a NUL byte", what_kind, shown);
        }
    }
    size_t n = strlen(name);
    if (n == 0) return fk_fail(e, STEPCA_E_INVALID_ARG, "%s \"%s\": the name is empty", what_kind, shown);
    if (n > FK_MAX_NAME) {
        return fk_fail(e, STEPCA_E_INVALID_ARG, "%s \"%s\": the name is longer than %d bytes", what_kind, shown, FK_MAX_NAME);
    }
    if (strchr(name, '/') != NULL) {
        return fk_fail(e, STEPCA_E_INVALID_ARG, "%s \"%s\": a name must not contain '/'", what_kind, shown);
    }
    if (strstr(name, "..") != NULL) {
        return fk_fail(e, STEPCA_E_INVALID_ARG, "%s \"%s\": a name must not contain \"..\"", what_kind, shown);
    }
    if (name[0] == '.') return fk_fail(e, STEPCA_E_INVALID_ARG, "%s \"%s\": a name must not start with '.'", what_kind, shown);
    for (size_t i = 0; i < n; i++) {
        if (!name_char(name[i])) {
            return fk_fail(e, STEPCA_E_INVALID_ARG,
                           "%s \"%s\": a name may contain only letters, digits, '.', '_' and '-'", what_kind, shown);
        }
    }
    memcpy(out->name, name, n + 1);
    return STEPCA_OK;
}
