/*
 * errors.c — failure messages, the error buffer and logging through the host.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "filekms.h"

static void vformat(fk_error *e, const char *fmt, va_list ap) {
    int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    if (n < 0) e->msg[0] = '\0';
}

int32_t fk_fail(fk_error *e, int32_t status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vformat(e, fmt, ap);
    va_end(ap);
    e->status = status;
    return status;
}

int32_t fk_fail_ssl(fk_error *e, int32_t status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vformat(e, fmt, ap);
    va_end(ap);
    /* The last error of this thread's queue is the most specific one. */
    unsigned long code = ERR_peek_last_error();
    if (code != 0) {
        char reason[256];
        ERR_error_string_n(code, reason, sizeof reason);
        size_t used = strlen(e->msg);
        snprintf(e->msg + used, sizeof e->msg - used, " (OpenSSL: %s)", reason);
    }
    ERR_clear_error();
    e->status = status;
    return status;
}

int32_t fk_report(stepca_errbuf *err, const fk_error *e) {
    int32_t status = e->status == STEPCA_OK ? STEPCA_E_INTERNAL : e->status;
    if (e->msg[0] == '\0') {
        char fallback[64];
        int n = snprintf(fallback, sizeof fallback, "internal error (status %d)", (int)status);
        stepca_errbuf_set(err, fallback, n > 0 ? (size_t)n : 0);
    } else {
        stepca_errbuf_set(err, e->msg, strlen(e->msg));
    }
    return status;
}

/* The host table is written once by the entry point, before any other call can be made. */
static pthread_mutex_t host_lock = PTHREAD_MUTEX_INITIALIZER;
static const stepca_host_v1 *host_services;

void fk_set_host(const stepca_host_v1 *host) {
    pthread_mutex_lock(&host_lock);
    host_services = host;
    pthread_mutex_unlock(&host_lock);
}

void fk_log(int32_t level, const char *fmt, ...) {
    pthread_mutex_lock(&host_lock);
    const stepca_host_v1 *host = host_services;
    pthread_mutex_unlock(&host_lock);
    /* Older or smaller host tables lack the slot: then the line is dropped. */
    if (host == NULL || host->struct_size < sizeof(stepca_host_v1) || host->log == NULL) return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    host->log(host->ctx, level, line, len);
}
