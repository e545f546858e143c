/* symstore.c - looks a PDB or image up in one SymStore tree or one plain folder: key
 * directories, two-tier layout, file.ptr, CAB-compressed name.pd_, case-insensitive names. */
#include "sympath_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PTR_MAX = 4096, DIR_SCAN_MAX = 1 << 20 };

void sp_log_add(sp_log *log, const char *fmt, ...)
{
    char item[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(item, sizeof item, fmt, ap);
    va_end(ap);
    size_t used = strlen(log->text), len = strlen(item);
    if (used + len + 3 >= sizeof log->text) {
        log->omitted++;
        return;
    }
    if (used) {
        memcpy(log->text + used, ", ", 2);
        used += 2;
    }
    memcpy(log->text + used, item, len + 1);
}

/* Opens `name` under directory dfd: the exact name first, then any entry that equals it
 * ignoring case (Windows names stores and PDBs case-insensitively; files copied from Windows
 * keep whatever case they had). real receives the name found. */
static int ci_openat(int dfd, const char *name, int flags, char *real, size_t cap)
{
    int fd = openat(dfd, name, flags | O_CLOEXEC);
    if (fd >= 0 || errno != ENOENT) {
        snprintf(real, cap, "%s", name);
        return fd;
    }
    int dup_fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dup_fd < 0)
        return -1;
    DIR *d = fdopendir(dup_fd);
    if (!d) {
        close(dup_fd);
        return -1;
    }
    fd = -1;
    errno = ENOENT;
    struct dirent *e;
    for (unsigned n = 0; n < DIR_SCAN_MAX && (e = readdir(d)); n++) {
        if (strcasecmp(e->d_name, name) == 0) {
            fd = openat(dfd, e->d_name, flags | O_CLOEXEC);
            if (fd >= 0) {
                snprintf(real, cap, "%s", e->d_name);
                break;
            }
        }
    }
    int saved = errno;
    closedir(d);
    errno = fd >= 0 ? 0 : saved;
    return fd;
}

static int open_dir(int dfd, const char *name, char *real, size_t cap)
{
    return ci_openat(dfd, name, O_RDONLY | O_DIRECTORY, real, cap);
}

/* A regular file's fd and size, or -1. */
static int open_file(int dfd, const char *name, char *real, size_t cap, uint64_t *size)
{
    int fd = ci_openat(dfd, name, O_RDONLY, real, cap);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = EISDIR;
        return -1;
    }
    *size = (uint64_t)st.st_size;
    return fd;
}

/* A descriptor of our temporary file opened read-only, as callers are promised. */
static int reopen_ro(int fd)
{
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    int ro = open(p, O_RDONLY | O_CLOEXEC);
    if (ro < 0)
        return fd;
    close(fd);
    return ro;
}

/* Turns an open store file into the found file: CAB -> decompressed temp file, ZIP ->
 * unsupported, anything else -> the file itself. Takes ownership of fd. */
static int deliver(int fd, uint64_t size, const char *path, const sp_want *w, int how, int flags,
                   ls_found_file *out, ls_error *err)
{
    uint8_t magic[4] = {0};
    ssize_t got = pread(fd, magic, sizeof magic, 0);
    int cab = got == 4 && memcmp(magic, "MSCF", 4) == 0;
    if (got == 4 && memcmp(magic, "PK\3\4", 4) == 0) {
        close(fd);
        return ls_error_set(err, LS_EUNSUPPORTED, "%s: ZIP-compressed store files are not supported", path);
    }
    if (!cab) {
        out->fd = fd;
        out->size = size;
        out->how = how;
        out->flags = flags;
        snprintf(out->path, sizeof out->path, "%s", path);
        return 0;
    }
    if (size == 0 || size > (uint64_t)SIZE_MAX) {
        close(fd);
        return ls_error_set(err, LS_ECORRUPT, "%s: bad size", path);
    }
    void *map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return ls_error_set(err, LS_EIO, "%s: cannot map: %s", path, strerror(errno));
    int tmp = ls_tmpfile(err);
    if (tmp < 0) {
        munmap(map, (size_t)size);
        return tmp;
    }
    uint64_t written = 0;
    int rc = ls_cab_extract(map, (size_t)size, w->name, path, tmp, 0, &written, err);
    munmap(map, (size_t)size);
    if (rc < 0) {
        close(tmp);
        return rc;
    }
    out->fd = reopen_ro(tmp);
    lseek(out->fd, 0, SEEK_SET);
    out->size = written;
    out->how = how;
    out->flags = flags | LS_FOUND_COMPRESSED;
    snprintf(out->path, sizeof out->path, "%s (decompressed)", path);
    return 0;
}

static int is_windows_path(const char *p)
{
    return (p[0] && p[1] == ':' && (p[2] == '\\' || p[2] == '/')) || (p[0] == '\\' && p[1] == '\\');
}

/* file.ptr: a path (optionally "PATH:"), relative to the store root, or "MSG: ..." meaning
 * the file is not available. Returns 1 when file.ptr exists but leads nowhere (logged). */
static int follow_ptr(int kfd, int rootfd, const char *root, const char *where, const sp_want *w, int how,
                      ls_found_file *out, sp_log *log, ls_error *err)
{
    char real[256];
    uint64_t size;
    int fd = open_file(kfd, "file.ptr", real, sizeof real, &size);
    if (fd < 0)
        return LS_ENOTFOUND;
    char buf[PTR_MAX + 1];
    ssize_t n = pread(fd, buf, PTR_MAX, 0);
    close(fd);
    if (n < 0)
        return ls_error_set(err, LS_EIO, "%s/%s: cannot read: %s", where, real, strerror(errno));
    buf[n] = 0;
    char *p = buf;
    while (*p == ' ' || *p == '\t')
        p++;
    p[strcspn(p, "\r\n")] = 0;
    for (size_t l = strlen(p); l && (p[l - 1] == ' ' || p[l - 1] == '\t'); l--)
        p[l - 1] = 0;
    if (strncasecmp(p, "MSG:", 4) == 0) {
        sp_log_add(log, "%s/%s (says \"%.80s\")", where, real, p + 4 + (p[4] == ' '));
        return 1;
    }
    if (strncasecmp(p, "PATH:", 5) == 0)
        p += 5;
    if (!*p || is_windows_path(p) || strchr(p, ':')) {
        sp_log_add(log, "%s/%s (points to \"%.80s\", not reachable here)", where, real, p);
        return 1;
    }
    char target[PTR_MAX + 1200];
    if (p[0] == '/')
        snprintf(target, sizeof target, "%s", p);
    else
        snprintf(target, sizeof target, "%s/%s", root, p);
    fd = open_file(p[0] == '/' ? AT_FDCWD : rootfd, p, real, sizeof real, &size);
    if (fd < 0) {
        sp_log_add(log, "%s/file.ptr -> %s (%s)", where, target, strerror(errno));
        return 1;
    }
    return deliver(fd, size, target, w, how, LS_FOUND_POINTER, out, err);
}

/* One tier of one store: [xx/]name/key/{name, compressed name, file.ptr}. quiet: a layout
tried only in case (the other tier, a folder that might be a store) is logged only when its
name directory exists. */
static int store_tier(int rootfd, const char *root, int two_tier, int quiet, const sp_want *w,
                      ls_found_file *out, sp_log *log, ls_error *err)
{
    char where[2048], real_n[256], real_k[256], real_t[8];
    int tfd = rootfd, own_t = 0;
    const char *tier = "";
    if (two_tier) {
        char pre[3] = {w->name[0], w->name[1], 0};
        if (!pre[0] || !pre[1])
            return LS_ENOTFOUND;
        tfd = open_dir(rootfd, pre, real_t, sizeof real_t);
        if (tfd < 0) {
            if (!quiet)
                sp_log_add(log, "%s/%s/ (two-tier store)", root, pre);
            return LS_ENOTFOUND;
        }
        own_t = 1;
        tier = real_t;
    }
    int rc = LS_ENOTFOUND;
    int nfd = open_dir(tfd, w->name, real_n, sizeof real_n);
    int kfd = nfd >= 0 ? open_dir(nfd, w->key, real_k, sizeof real_k) : -1;
    if (kfd < 0) {
        if (!quiet || nfd >= 0)
            sp_log_add(log, "%s/%s%s%s/%s/ (store)", root, tier, *tier ? "/" : "", nfd >= 0 ? real_n : w->name, w->key);
        goto done;
    }
    snprintf(where, sizeof where, "%s/%s%s%s/%s", root, tier, *tier ? "/" : "", real_n, real_k);
    int how = two_tier ? LS_FOUND_TWO_TIER : LS_FOUND_STORE;
    uint64_t size;
    char real_f[256], path[2400];
    int fd = open_file(kfd, w->name, real_f, sizeof real_f, &size);
    if (fd < 0) {
        char comp[256];
        snprintf(comp, sizeof comp, "%s", w->name);
        size_t l = strlen(comp);
        if (l)
            comp[l - 1] = '_';
        fd = open_file(kfd, comp, real_f, sizeof real_f, &size);
    }
    if (fd >= 0) {
        snprintf(path, sizeof path, "%s/%s", where, real_f);
        rc = deliver(fd, size, path, w, how, 0, out, err);
        goto done;
    }
    rc = follow_ptr(kfd, rootfd, root, where, w, how, out, log, err);
    if (rc == 1)
        rc = LS_ENOTFOUND; /* file.ptr said why; already logged */
    else if (rc == LS_ENOTFOUND)
        sp_log_add(log, "%s/ (store, empty)", where);
done:
    if (kfd >= 0)
        close(kfd);
    if (nfd >= 0)
        close(nfd);
    if (own_t)
        close(tfd);
    return rc;
}

int ls_store_lookup(const char *root, int quiet, const sp_want *w, ls_found_file *out, sp_log *log,
                    ls_error *err)
{
    if (!w->key)
        return LS_ENOTFOUND;
    int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) {
        sp_log_add(log, "%s (%s)", root, strerror(errno));
        return LS_ENOTFOUND;
    }
    /* index2.txt marks a two-tier store; try its layout first, the other one after. */
    int two_first = faccessat(rootfd, "index2.txt", F_OK, 0) == 0;
    int rc = LS_ENOTFOUND;
    for (int i = 0; i < 2 && rc == LS_ENOTFOUND; i++)
        rc = store_tier(rootfd, root, two_first ? i == 0 : i == 1, quiet || i == 1, w, out, log, err);
    close(rootfd);
    return rc;
}

/* Plain folder: name, symbols/<ext>/name, <ext>/name; each candidate checked (identity). */
int ls_folder_lookup(const char *dir, const sp_want *w, ls_found_file *out, sp_log *log, ls_error *err)
{
    /* candidate sub-folders in order: "", symbols/ext1, ext1, symbols/ext2, ext2, ... */
    char rels[1 + 2 * 4][80];
    size_t nr = 0;
    rels[nr++][0] = 0;
    for (int i = 0; i < 4 && w->exts[i]; i++) {
        snprintf(rels[nr++], sizeof rels[0], "symbols/%.60s", w->exts[i]);
        snprintf(rels[nr++], sizeof rels[0], "%.60s", w->exts[i]);
    }
    for (size_t i = 0; i < nr; i++) {
        const char *rel = rels[i];
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
            sp_log_add(log, "%s (%s)", dir, strerror(errno));
            return LS_ENOTFOUND;
        }
        char realdir[512] = "";
        if (rel[0]) {
            char part[64], r1[256], r2[256];
            const char *slash = strchr(rel, '/');
            int fd1 = dfd;
            if (slash) {
                snprintf(part, sizeof part, "%.*s", (int)(slash - rel), rel);
                fd1 = open_dir(dfd, part, r1, sizeof r1);
                close(dfd);
                if (fd1 < 0)
                    continue;
                dfd = open_dir(fd1, slash + 1, r2, sizeof r2);
                close(fd1);
                snprintf(realdir, sizeof realdir, "%s/%s", r1, r2);
            } else {
                int d2 = open_dir(dfd, rel, r1, sizeof r1);
                close(dfd);
                dfd = d2;
                snprintf(realdir, sizeof realdir, "%s", r1);
            }
            if (dfd < 0)
                continue;
        }
        char real[256], path[1024];
        uint64_t size;
        int fd = open_file(dfd, w->name, real, sizeof real, &size);
        close(dfd);
        snprintf(path, sizeof path, "%s%s%s/%s", dir, realdir[0] ? "/" : "", realdir, fd >= 0 ? real : w->name);
        if (fd < 0) {
            if (i == 0)
                sp_log_add(log, "%s", path);
            continue;
        }
        if (w->check) {
            ls_error sub_err = {0};
            int c = w->check(w, fd, path, &sub_err);
            if (c == LS_EMISMATCH) {
                close(fd);
                sp_log_add(log, "%s (%s)", path, sub_err.msg[0] ? sub_err.msg : "does not match");
                continue;
            }
            if (c < 0) {
                close(fd);
                if (err)
                    *err = sub_err;
                return c;
            }
        }
        lseek(fd, 0, SEEK_SET);
        return deliver(fd, size, path, w, LS_FOUND_FOLDER, 0, out, err);
    }
    /* A folder may itself be a store (pingme.txt, or just name/key/ below it). */
    return ls_store_lookup(dir, 1, w, out, log, err);
}
