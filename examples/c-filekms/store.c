/*
 * store.c — the key directory: one PEM file per key, one per certificate.
 *
 *   DIR/NAME.pem   the private key, unencrypted PKCS#8 PEM, mode 0600
 *   DIR/NAME.crt   a certificate stored under the same name, PEM, mode 0644
 *
 * DIR is created with mode 0700 when it does not exist. Every file is opened relative to a
 * descriptor of DIR and never through a symbolic link. Files are written to a temporary name
 * (".tmp-...", which no key name can collide with), flushed with fsync, then moved into place;
 * a new key is linked into place, which fails atomically if the name is taken, so two
 * concurrent create_key calls for one name cannot both succeed.
 *
 * Parsed keys are cached per handle. Each lookup stats the file first and reuses the cached
 * EVP_PKEY only when the file is the same one (device, inode, size, modification time), so a key
 * deleted or replaced behind the plugin's back is noticed. An EVP_PKEY is reference-counted;
 * every signer takes its own reference and signs with its own EVP_PKEY_CTX, which OpenSSL allows
 * from several threads at once.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "filekms.h"

/** The status for a failed system call: a missing file, missing rights, or anything else. */
static int32_t errno_status(int err) {
    switch (err) {
    case ENOENT: return STEPCA_E_NOT_FOUND;
    case EACCES:
    case EPERM: return STEPCA_E_AUTH;
    case ENOSPC:
    case EDQUOT:
    case EIO:
    case EAGAIN:
    case EINTR: return STEPCA_E_UNAVAILABLE;
    default: return STEPCA_E_INTERNAL;
    }
}

int32_t fk_store_open(const fk_config *config, stepca_kms **out, fk_error *e) {
    int created = 0;
    if (mkdir(config->dir, 0700) == 0) {
        created = 1;
    } else if (errno != EEXIST) {
        int err = errno;
        return fk_fail(e, err == ENOENT ? STEPCA_E_INVALID_ARG : errno_status(err),
                       "kms.uri: cannot create the key directory %s: %s", config->dir, strerror(err));
    }
    int fd = open(config->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        return fk_fail(e, err == ENOTDIR ? STEPCA_E_INVALID_ARG : errno_status(err),
                       "kms.uri: cannot open the key directory %s: %s", config->dir, strerror(err));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return fk_fail(e, errno_status(err), "kms.uri: cannot inspect %s: %s", config->dir, strerror(err));
    }
    if (created) {
        /* mkdir() honours the umask; make sure the mode is exactly 0700. */
        if (fchmod(fd, 0700) != 0) {
            int err = errno;
            close(fd);
            return fk_fail(e, errno_status(err), "kms.uri: cannot set mode 0700 on %s: %s", config->dir, strerror(err));
        }
        fk_log(STEPCA_LOG_INFO, "filekms: created the key directory %s (mode 0700)", config->dir);
    } else if ((st.st_mode & 077) != 0) {
        fk_log(STEPCA_LOG_WARNING, "filekms: the key directory %s has mode %04o; other users may read keys, use 0700",
               config->dir, (unsigned)(st.st_mode & 07777));
    }
    stepca_kms *kms = calloc(1, sizeof *kms);
    if (kms == NULL) {
        close(fd);
        return fk_fail(e, STEPCA_E_INTERNAL, "out of memory");
    }
    memcpy(kms->dir, config->dir, strlen(config->dir) + 1);
    kms->dirfd = fd;
    if (pthread_mutex_init(&kms->lock, NULL) != 0) {
        close(fd);
        free(kms);
        return fk_fail(e, STEPCA_E_INTERNAL, "cannot create a mutex");
    }
    *out = kms;
    return STEPCA_OK;
}

void fk_store_close(stepca_kms *kms) {
    for (size_t i = 0; i < kms->cache_count; i++) EVP_PKEY_free(kms->cache[i].pkey);
    free(kms->cache);
    pthread_mutex_destroy(&kms->lock);
    close(kms->dirfd);
    free(kms);
}

/* ---------------------------------------------------------------------------------------------
 * Reading and writing files
 * ------------------------------------------------------------------------------------------- */

/** A file's contents, the caller frees with OPENSSL_clear_free(data, len). */
typedef struct file_data {
    char *data;
    size_t len;
    struct stat st;
} file_data;

static int32_t read_file(stepca_kms *kms, const char *file, const char *what, file_data *out, fk_error *e) {
    int fd = openat(kms->dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT) return fk_fail(e, STEPCA_E_NOT_FOUND, "%s not found: there is no %s/%s", what, kms->dir, file);
        if (err == ELOOP) return fk_fail(e, STEPCA_E_INVALID_ARG, "%s: %s/%s is a symbolic link, which filekms refuses", what, kms->dir, file);
        return fk_fail(e, errno_status(err), "%s: cannot open %s/%s: %s", what, kms->dir, file, strerror(err));
    }
    if (fstat(fd, &out->st) != 0) {
        int err = errno;
        close(fd);
        return fk_fail(e, errno_status(err), "%s: cannot inspect %s/%s: %s", what, kms->dir, file, strerror(err));
    }
    if (!S_ISREG(out->st.st_mode)) {
        close(fd);
        return fk_fail(e, STEPCA_E_INVALID_ARG, "%s: %s/%s is not a regular file", what, kms->dir, file);
    }
    if (out->st.st_size > FK_MAX_FILE) {
        close(fd);
        return fk_fail(e, STEPCA_E_INVALID_ARG, "%s: %s/%s is larger than %d bytes", what, kms->dir, file, FK_MAX_FILE);
    }
    size_t cap = (size_t)out->st.st_size;
    char *data = OPENSSL_malloc(cap + 1);
    if (data == NULL) {
        close(fd);
        return fk_fail(e, STEPCA_E_INTERNAL, "out of memory");
    }
    size_t len = 0;
    while (len < cap) {
        ssize_t n = read(fd, data + len, cap - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            close(fd);
            OPENSSL_clear_free(data, cap + 1);
            return fk_fail(e, errno_status(err), "%s: cannot read %s/%s: %s", what, kms->dir, file, strerror(err));
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    data[len] = '\0';
    out->data = data;
    out->len = len;
    return STEPCA_OK;
}

static void free_file(file_data *f) {
    if (f->data != NULL) OPENSSL_clear_free(f->data, f->len + 1);
    f->data = NULL;
}

/** Writes a file under a temporary name, then links (replace == 0) or renames it into place. */
static int32_t write_file(stepca_kms *kms, const char *file, const char *what, const char *data, size_t len,
                          mode_t mode, int replace, fk_error *e) {
    char temp[FK_MAX_NAME + 64];
    pthread_mutex_lock(&kms->lock);
    uint64_t counter = ++kms->temp_counter;
    pthread_mutex_unlock(&kms->lock);
    snprintf(temp, sizeof temp, ".tmp-%ld-%llu-%s", (long)getpid(), (unsigned long long)counter, file);

    int fd = openat(kms->dirfd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
        int err = errno;
        return fk_fail(e, errno_status(err), "%s: cannot create a file in %s: %s", what, kms->dir, strerror(err));
    }
    int err = 0;
    if (fchmod(fd, mode) != 0) err = errno; /* the umask may have cleared bits */
    size_t done = 0;
    while (err == 0 && done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) err = errno;
        else done += (size_t)n;
    }
    if (err == 0 && fsync(fd) != 0) err = errno;
    if (close(fd) != 0 && err == 0) err = errno;
    if (err != 0) {
        unlinkat(kms->dirfd, temp, 0);
        return fk_fail(e, errno_status(err), "%s: cannot write %s/%s: %s", what, kms->dir, file, strerror(err));
    }
    if (replace) {
        if (renameat(kms->dirfd, temp, kms->dirfd, file) != 0) err = errno;
    } else {
        if (linkat(kms->dirfd, temp, kms->dirfd, file, 0) != 0) err = errno;
    }
    unlinkat(kms->dirfd, temp, 0); /* after a rename it is already gone */
    if (err == EEXIST) {
        return fk_fail(e, STEPCA_E_CONFLICT, "%s already exists: %s/%s is taken; delete it first or pick another name",
                       what, kms->dir, file);
    }
    if (err != 0) return fk_fail(e, errno_status(err), "%s: cannot create %s/%s: %s", what, kms->dir, file, strerror(err));
    if (fsync(kms->dirfd) != 0) {
        err = errno;
        return fk_fail(e, errno_status(err), "%s: cannot flush the directory %s: %s", what, kms->dir, strerror(err));
    }
    return STEPCA_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------------------------- */

/** A password callback that refuses: an encrypted key must never make OpenSSL prompt. */
static int no_password(char *buf, int size, int rwflag, void *u) {
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

static int same_file(const fk_cached_key *c, const struct stat *st) {
    return c->dev == st->st_dev && c->ino == st->st_ino && c->size == st->st_size &&
           c->mtime.tv_sec == st->st_mtim.tv_sec && c->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/** Index of a cached key, or -1. Called with the lock held. */
static long cache_find(stepca_kms *kms, const char *name) {
    for (size_t i = 0; i < kms->cache_count; i++) {
        if (strcmp(kms->cache[i].name, name) == 0) return (long)i;
    }
    return -1;
}

/** Drops a cached key (signers holding a reference keep theirs). Called with the lock held. */
static void cache_evict(stepca_kms *kms, const char *name) {
    long i = cache_find(kms, name);
    if (i < 0) return;
    EVP_PKEY_free(kms->cache[i].pkey);
    kms->cache[i] = kms->cache[kms->cache_count - 1];
    kms->cache_count--;
}

/** Caches a freshly read key, replacing an older entry. Called with the lock held. */
static void cache_put(stepca_kms *kms, const char *name, EVP_PKEY *pkey, const struct stat *st) {
    long i = cache_find(kms, name);
    if (i < 0) {
        if (kms->cache_count == kms->cache_cap) {
            size_t cap = kms->cache_cap ? kms->cache_cap * 2 : 8;
            fk_cached_key *grown = realloc(kms->cache, cap * sizeof *grown);
            if (grown == NULL) return; /* not cached: the next call reads the file again */
            kms->cache = grown;
            kms->cache_cap = cap;
        }
        i = (long)kms->cache_count++;
        memcpy(kms->cache[i].name, name, strlen(name) + 1);
    } else {
        EVP_PKEY_free(kms->cache[i].pkey);
    }
    if (EVP_PKEY_up_ref(pkey) != 1) {
        kms->cache[i] = kms->cache[kms->cache_count - 1];
        kms->cache_count--;
        return;
    }
    fk_cached_key *c = &kms->cache[i];
    c->pkey = pkey;
    c->dev = st->st_dev;
    c->ino = st->st_ino;
    c->size = st->st_size;
    c->mtime = st->st_mtim;
}

int32_t fk_store_key(stepca_kms *kms, const fk_name *name, EVP_PKEY **out, fk_error *e) {
    char file[FK_MAX_NAME + 8];
    char what[sizeof ((fk_name *)0)->shown + 16];
    snprintf(file, sizeof file, "%s.pem", name->name);
    snprintf(what, sizeof what, "key %s", name->shown);

    struct stat st;
    pthread_mutex_lock(&kms->lock);
    if (fstatat(kms->dirfd, file, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        int err = errno;
        cache_evict(kms, name->name);
        pthread_mutex_unlock(&kms->lock);
        if (err == ENOENT) return fk_fail(e, STEPCA_E_NOT_FOUND, "%s not found: there is no %s/%s", what, kms->dir, file);
        return fk_fail(e, errno_status(err), "%s: cannot inspect %s/%s: %s", what, kms->dir, file, strerror(err));
    }
    long i = cache_find(kms, name->name);
    if (i >= 0 && same_file(&kms->cache[i], &st) && EVP_PKEY_up_ref(kms->cache[i].pkey) == 1) {
        *out = kms->cache[i].pkey;
        pthread_mutex_unlock(&kms->lock);
        return STEPCA_OK;
    }
    pthread_mutex_unlock(&kms->lock);

    /* Read and parse outside the lock: other keys stay usable meanwhile. */
    file_data f = {0};
    if (read_file(kms, file, what, &f, e) != STEPCA_OK) return e->status;
    BIO *bio = BIO_new_mem_buf(f.data, (int)f.len);
    if (bio == NULL) {
        free_file(&f);
        return fk_fail_ssl(e, STEPCA_E_INTERNAL, "%s: out of memory", what);
    }
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
    BIO_free(bio);
    int encrypted = strstr(f.data, "ENCRYPTED") != NULL;
    free_file(&f);
    if (pkey == NULL) {
        if (encrypted) {
            ERR_clear_error();
            return fk_fail(e, STEPCA_E_UNSUPPORTED, "%s: %s/%s is encrypted; filekms reads only unencrypted keys", what,
                           kms->dir, file);
        }
        return fk_fail_ssl(e, STEPCA_E_INTERNAL, "%s: %s/%s does not hold a PEM private key", what, kms->dir, file);
    }
    pthread_mutex_lock(&kms->lock);
    cache_put(kms, name->name, pkey, &f.st);
    pthread_mutex_unlock(&kms->lock);
    *out = pkey;
    return STEPCA_OK;
}

int32_t fk_store_add_key(stepca_kms *kms, const fk_name *name, EVP_PKEY *pkey, fk_error *e) {
    char file[FK_MAX_NAME + 8];
    char what[sizeof ((fk_name *)0)->shown + 16];
    snprintf(file, sizeof file, "%s.pem", name->name);
    snprintf(what, sizeof what, "key %s", name->shown);

    /* Secure-heap BIO when available; its buffer is cleansed when freed either way. */
    BIO *bio = BIO_new(BIO_s_secmem());
    if (bio == NULL) return fk_fail_ssl(e, STEPCA_E_INTERNAL, "%s: out of memory", what);
    if (PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) != 1) {
        BIO_free(bio);
        return fk_fail_ssl(e, STEPCA_E_INTERNAL, "%s: cannot encode the key as PEM", what);
    }
    char *pem = NULL;
    long pem_len = BIO_get_mem_data(bio, &pem);
    int32_t rc = STEPCA_OK;
    if (pem_len <= 0 || pem == NULL) {
        rc = fk_fail_ssl(e, STEPCA_E_INTERNAL, "%s: cannot encode the key as PEM", what);
    } else {
        rc = write_file(kms, file, what, pem, (size_t)pem_len, 0600, 0, e);
    }
    BIO_free(bio);
    return rc;
}

int32_t fk_store_delete_key(stepca_kms *kms, const fk_name *name, fk_error *e) {
    char file[FK_MAX_NAME + 8];
    snprintf(file, sizeof file, "%s.pem", name->name);
    pthread_mutex_lock(&kms->lock);
    cache_evict(kms, name->name);
    int rc = unlinkat(kms->dirfd, file, 0);
    int err = errno;
    pthread_mutex_unlock(&kms->lock);
    if (rc != 0) {
        if (err == ENOENT) {
            return fk_fail(e, STEPCA_E_NOT_FOUND, "key %s not found: there is no %s/%s", name->shown,
                           kms->dir, file);
        }
        return fk_fail(e, errno_status(err), "key %s: cannot delete %s/%s: %s", name->shown, kms->dir, file,
                       strerror(err));
    }
    if (fsync(kms->dirfd) != 0) {
        err = errno;
        return fk_fail(e, errno_status(err), "key %s: cannot flush the directory %s: %s", name->shown,
                       kms->dir, strerror(err));
    }
    return STEPCA_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Certificates
 * ------------------------------------------------------------------------------------------- */

int32_t fk_store_load_cert(stepca_kms *kms, const fk_name *name, uint8_t **der, size_t *der_len, fk_error *e) {
    char file[FK_MAX_NAME + 8];
    char what[sizeof ((fk_name *)0)->shown + 16];
    snprintf(file, sizeof file, "%s.crt", name->name);
    snprintf(what, sizeof what, "certificate %s", name->shown);
    file_data f = {0};
    if (read_file(kms, file, what, &f, e) != STEPCA_OK) return e->status;
    BIO *bio = BIO_new_mem_buf(f.data, (int)f.len);
    if (bio == NULL) {
        free_file(&f);
        return fk_fail_ssl(e, STEPCA_E_INTERNAL, "%s: out of memory", what);
    }
    char *pem_name = NULL;
    char *header = NULL;
    unsigned char *data = NULL;
    long len = 0;
    int ok = PEM_read_bio(bio, &pem_name, &header, &data, &len);
    BIO_free(bio);
    free_file(&f);
    if (ok != 1) return fk_fail_ssl(e, STEPCA_E_INTERNAL, "%s: %s/%s is not PEM", what, kms->dir, file);
    int is_cert = strcmp(pem_name, "CERTIFICATE") == 0;
    OPENSSL_free(pem_name);
    OPENSSL_free(header);
    if (!is_cert || len <= 0) {
        OPENSSL_free(data);
        return fk_fail(e, STEPCA_E_INTERNAL, "%s: %s/%s does not start with a CERTIFICATE block", what, kms->dir, file);
    }
    *der = data;
    *der_len = (size_t)len;
    return STEPCA_OK;
}

int32_t fk_store_save_cert(stepca_kms *kms, const fk_name *name, const uint8_t *der, size_t der_len, fk_error *e) {
    char file[FK_MAX_NAME + 8];
    char what[sizeof ((fk_name *)0)->shown + 16];
    snprintf(file, sizeof file, "%s.crt", name->name);
    snprintf(what, sizeof what, "certificate %s", name->shown);
    if (der_len == 0 || der_len > FK_MAX_FILE / 2) {
        return fk_fail(e, STEPCA_E_INVALID_ARG, "%s: a DER certificate of %zu bytes is not acceptable", what, der_len);
    }
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)der_len);
    if (cert == NULL) return fk_fail_ssl(e, STEPCA_E_INVALID_ARG, "%s: the bytes are not a DER X.509 certificate", what);
    X509_free(cert);
    if (p != der + der_len) {
        return fk_fail(e, STEPCA_E_INVALID_ARG, "%s: %zu bytes follow the DER certificate", what,
                       (size_t)(der + der_len - p));
    }
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return fk_fail_ssl(e, STEPCA_E_INTERNAL, "%s: out of memory", what);
    if (PEM_write_bio(bio, "CERTIFICATE", "", der, (long)der_len) <= 0) {
        BIO_free(bio);
        return fk_fail_ssl(e, STEPCA_E_INTERNAL, "%s: cannot encode the certificate as PEM", what);
    }
    char *pem = NULL;
    long pem_len = BIO_get_mem_data(bio, &pem);
    int32_t rc = write_file(kms, file, what, pem, (size_t)pem_len, 0644, 1, e);
    BIO_free(bio);
    return rc;
}
