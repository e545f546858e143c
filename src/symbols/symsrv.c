/* symsrv.c - one srv*CACHE*URL element: the cache first, then <URL>/<name>/<key>/ (name,
 * compressed name, file.ptr), stored back atomically and decompressed, misses remembered. */
#include "symsrv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { PTR_MAX = 4096, DOWN_TTL = 120 };
#define BODY_MAX ((uint64_t)4 << 30) /* kernel PDBs are tens of MB; refuse absurd bodies */

static long env_seconds(const char *name, long dflt)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    return *end == '\0' ? n : dflt;
}

void ls_symsrv_options_init(ls_symsrv_options *o)
{
    memset(o, 0, sizeof *o);
    const char *off = getenv("LALSCAN_OFFLINE");
    o->offline = off && *off && strcmp(off, "0") != 0;
    o->timeout_s = env_seconds("LALSCAN_SYMSRV_TIMEOUT", 0);
    o->connect_timeout_s = env_seconds("LALSCAN_SYMSRV_CONNECT_TIMEOUT", 0);
    o->miss_ttl_s = env_seconds("LALSCAN_SYMSRV_MISS_TTL", 0);
    const char *ca = getenv("LALSCAN_SYMSRV_CA_BUNDLE");
    o->ca_bundle = ca && *ca ? ca : NULL;
}

int ls_symsrv_net_new(const ls_symsrv_options *o, sp_net **out, ls_error *err)
{
    sp_net *n = calloc(1, sizeof *n);
    if (!n)
        return ls_error_oom(err);
    n->o = *o;
    if (n->o.connect_timeout_s <= 0)
        n->o.connect_timeout_s = 10;
    if (n->o.timeout_s <= 0)
        n->o.timeout_s = 300;
    if (n->o.stall_s <= 0)
        n->o.stall_s = 30;
    if (n->o.miss_ttl_s == 0)
        n->o.miss_ttl_s = 86400;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (o->default_cache && *o->default_cache)
        snprintf(n->default_cache, sizeof n->default_cache, "%s", o->default_cache);
    else if (xdg && xdg[0] == '/')
        snprintf(n->default_cache, sizeof n->default_cache, "%s/lalscan/symbols", xdg);
    else if (home && home[0] == '/')
        snprintf(n->default_cache, sizeof n->default_cache, "%s/.cache/lalscan/symbols", home);
    else
        snprintf(n->default_cache_why, sizeof n->default_cache_why,
                 "no default cache: neither XDG_CACHE_HOME nor HOME is an absolute path");
    if (o->ca_bundle)
        snprintf(n->ca_bundle, sizeof n->ca_bundle, "%s", o->ca_bundle);
    n->o.default_cache = NULL; /* not kept: the caller's strings may go away */
    n->o.ca_bundle = NULL;
    *out = n;
    return 0;
}

void ls_symsrv_net_free(sp_net *net)
{
    if (!net)
        return;
    for (size_t i = 0; i < SP_MAX_ELEMENTS; i++)
        free(net->dead[i]);
    free(net);
}

/* Names and keys become path components of the cache and of URLs. */
static int safe_component(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 200 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return 0;
    for (; *s; s++)
        if (*s == '/' || *s == '\\' || (unsigned char)*s < 0x20 || *s == '?' || *s == '#' || *s == '%')
            return 0;
    return 1;
}

static int mkdir_p(const char *path)
{
    char p[2048];
    if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
        return ENAMETOOLONG;
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0755) < 0 && errno != EEXIST)
                return errno;
            *s = c;
            if (!c)
                break;
        }
    }
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

/* Notes are kept per server (caches may be shared by several): ".miss-HASH" in a key folder
 * for a file the server does not have, ".down-HASH" in the cache root for a server that did
 * not answer, so the next dumps of a triage do not wait for it again. */
static void note_name(const char *kind, const char *url, char out[24])
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        h = (h ^ *p) * 16777619u;
    snprintf(out, 24, ".%s-%08x", kind, h);
}

/* 1 when a note younger than ttl is on record (why and age filled). */
static int recent_note(const char *dir, const char *kind, const char *url, long ttl, char *why, size_t cap,
                       long *age)
{
    if (ttl < 0)
        return 0;
    char m[24], path[2100];
    note_name(kind, url, m);
    snprintf(path, sizeof path, "%s/%s", dir, m);
    struct stat st;
    if (stat(path, &st) < 0)
        return 0;
    *age = (long)(time(NULL) - st.st_mtime);
    if (*age < 0 || *age >= ttl)
        return 0;
    FILE *f = fopen(path, "re");
    why[0] = '\0';
    if (f) {
        if (fgets(why, (int)cap, f))
            why[strcspn(why, "\r\n")] = '\0';
        fclose(f);
    }
    return 1;
}

static void write_note(const char *dir, const char *kind, const char *url, const char *why)
{
    char m[24], path[2100], tmp[2100];
    note_name(kind, url, m);
    snprintf(path, sizeof path, "%s/%s", dir, m);
    snprintf(tmp, sizeof tmp, "%s/.tmp-note-XXXXXX", dir);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return;
    char text[1600];
    int n = snprintf(text, sizeof text, "%s\n%s\n", why, url);
    int ok = n > 0 && write(fd, text, (size_t)(n < (int)sizeof text ? n : (int)sizeof text - 1)) > 0;
    fchmod(fd, 0644);
    close(fd);
    if (!ok || rename(tmp, path) < 0)
        unlink(tmp);
}

static int remembered_miss(const sp_net *net, const char *keydir, const char *url, char *why, size_t cap,
                           long *age)
{
    return recent_note(keydir, "miss", url, net->o.miss_ttl_s, why, cap, age);
}

static void remember_miss(const sp_net *net, const char *keydir, const char *url, const char *why)
{
    if (net->o.miss_ttl_s >= 0)
        write_note(keydir, "miss", url, why);
}

static void age_text(long s, char *out, size_t cap)
{
    if (s < 120)
        snprintf(out, cap, "%ld s ago", s);
    else if (s < 7200)
        snprintf(out, cap, "%ld min ago", s / 60);
    else
        snprintf(out, cap, "%ld h ago", s / 3600);
}

/* One download in progress: a temporary file beside its final name. */
typedef struct dl {
    char keydir[1500];
    char tmp[1600];
    int fd;
} dl;

static int dl_open(dl *d)
{
    snprintf(d->tmp, sizeof d->tmp, "%s/.tmp-dl-XXXXXX", d->keydir);
    d->fd = mkstemp(d->tmp);
    return d->fd < 0 ? -1 : 0;
}

static void dl_drop(dl *d)
{
    if (d->fd >= 0) {
        close(d->fd);
        unlink(d->tmp);
        d->fd = -1;
    }
}

/* A CAB body is replaced by the file it holds, so the cache keeps what readers map. */
static int unpack(dl *d, const sp_want *w, const char *url, sp_log *log, int *compressed)
{
    struct stat st;
    uint8_t magic[4] = {0};
    if (fstat(d->fd, &st) < 0 || st.st_size == 0) {
        sp_log_add(log, "%s (empty body)", url);
        return LS_ENOTFOUND;
    }
    if (pread(d->fd, magic, 4, 0) == 4 && memcmp(magic, "PK\3\4", 4) == 0) {
        sp_log_add(log, "%s (ZIP-compressed: not supported)", url);
        return LS_ENOTFOUND;
    }
    if (memcmp(magic, "MSCF", 4) != 0)
        return 0;
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, d->fd, 0);
    if (map == MAP_FAILED) {
        sp_log_add(log, "%s (cannot map the download: %s)", url, strerror(errno));
        return LS_ENOTFOUND;
    }
    dl out = *d;
    if (dl_open(&out) < 0) {
        munmap(map, (size_t)st.st_size);
        sp_log_add(log, "%s (cannot create a file in %s: %s)", url, d->keydir, strerror(errno));
        return LS_ENOTFOUND;
    }
    ls_error cerr = {0};
    uint64_t written = 0;
    int rc = ls_cab_extract(map, (size_t)st.st_size, w->name, url, out.fd, 0, &written, &cerr);
    munmap(map, (size_t)st.st_size);
    dl_drop(d);
    *d = out;
    if (rc < 0) {
        sp_log_add(log, "corrupt CAB: %s", cerr.msg);
        return LS_ENOTFOUND;
    }
    *compressed = 1;
    return 0;
}

/* file.ptr from a server: "MSG: text", or a path/URL (optionally after "PATH:"); a relative
 * path is taken relative to the server's root. Local and Windows paths are not followed. */
static int follow_ptr(const sp_net *net, const char *base, const sp_want *w, dl *d, const char *url, sp_log *log,
                      char *why, size_t wcap, char *target, size_t tcap)
{
    char buf[PTR_MAX + 1];
    ssize_t n = pread(d->fd, buf, PTR_MAX, 0);
    if (n < 0)
        n = 0;
    buf[n] = '\0';
    char *p = buf;
    while (*p == ' ' || *p == '\t')
        p++;
    p[strcspn(p, "\r\n")] = '\0';
    for (size_t l = strlen(p); l && (p[l - 1] == ' ' || p[l - 1] == '\t'); l--)
        p[l - 1] = '\0';
    if (strncasecmp(p, "MSG:", 4) == 0) {
        snprintf(why, wcap, "the server's file.ptr says \"%.120s\"", p + 4 + (p[4] == ' '));
        return LS_ENOTFOUND;
    }
    if (strncasecmp(p, "PATH:", 5) == 0)
        p += 5;
    int remote = strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0;
    int rel = !remote && *p && p[0] != '/' && p[0] != '\\' && !strchr(p, ':') && !strstr(p, "..");
    if (!remote && !rel) {
        snprintf(why, wcap, "the server's file.ptr points to \"%.120s\", not reachable here", p);
        return LS_ENOTFOUND;
    }
    if (rel) {
        for (char *c = p; *c; c++)
            if (*c == '\\')
                *c = '/';
        snprintf(target, tcap, "%s/%s", base, p);
    } else {
        snprintf(target, tcap, "%s", p);
    }
    if (ftruncate(d->fd, 0) < 0 || lseek(d->fd, 0, SEEK_SET) < 0) {
        snprintf(why, wcap, "cannot reuse the download file: %s", strerror(errno));
        return LS_EIO;
    }
    sp_http_result r;
    int rc = ls_symsrv_http_get(net, target, w->name, d->fd, BODY_MAX, &r);
    if (rc == LS_ENOTFOUND) {
        snprintf(why, wcap, "file.ptr -> %.200s: HTTP %ld", target, r.status);
        return LS_ENOTFOUND;
    }
    if (rc < 0) {
        sp_log_add(log, "%s -> %s (%s)", url, target, r.why);
        return LS_EIO;
    }
    return 0;
}

/* The body is checked, then renamed into place and opened for the caller. */
static int commit(dl *d, const sp_want *w, const char *url, int flags, ls_found_file *out, sp_log *log,
                  char *why, size_t wcap)
{
    char final[1800];
    snprintf(final, sizeof final, "%s/%s", d->keydir, w->name);
    if (w->check) {
        lseek(d->fd, 0, SEEK_SET);
        ls_error cerr = {0};
        int c = w->check(w, d->fd, url, &cerr);
        if (c < 0) {
            snprintf(why, wcap, "served a file that does not match: %.200s", cerr.msg[0] ? cerr.msg : "refused");
            return LS_EMISMATCH;
        }
    }
    fchmod(d->fd, 0644);
    if (rename(d->tmp, final) < 0) {
        sp_log_add(log, "%s (cannot store it as %s: %s)", url, final, strerror(errno));
        return LS_ENOTFOUND;
    }
    close(d->fd);
    d->fd = -1;
    int fd = open(final, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        sp_log_add(log, "%s (stored, but cannot open %s: %s)", url, final, strerror(errno));
        if (fd >= 0)
            close(fd);
        return LS_ENOTFOUND;
    }
    out->fd = fd;
    out->size = (uint64_t)st.st_size;
    out->how = LS_FOUND_STORE;
    out->flags = flags | LS_FOUND_DOWNLOADED;
    snprintf(out->path, sizeof out->path, "%s", final);
    return 0;
}

/* Processes and threads sharing a cache take turns per key, so a file is downloaded once;
 * -1 when locks are not available (the download is still atomic, only maybe repeated). */
static int lock_key(const char *keydir)
{
    char path[1600];
    snprintf(path, sizeof path, "%s/.lock", keydir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

static int fetch(sp_net *net, size_t index, const char *cache, const char *base, dl *d, const sp_want *w,
                 ls_found_file *out, sp_log *log);

int ls_symsrv_lookup(sp_net *net, size_t index, const sp_elem *e, const sp_want *w, ls_found_file *out,
                     sp_log *log, ls_error *err)
{
    const char *cache = e->cache ? e->cache : net->default_cache;
    if (!w->key || !safe_component(w->name) || !safe_component(w->key)) {
        sp_log_add(log, "%s (not asked: \"%.80s\" cannot be a store path)", e->path, w->name);
        return LS_ENOTFOUND;
    }
    if (!*cache) {
        sp_log_add(log, "%s (%s)", e->path, net->default_cache_why);
        return LS_ENOTFOUND;
    }
    /* A chain's own cache was searched as an element before this one; the default was not. */
    if (!e->cache) {
        int rc = ls_store_lookup(cache, 1, w, out, log, err);
        if (rc != LS_ENOTFOUND)
            return rc;
    }
    char base[1100];
    snprintf(base, sizeof base, "%s", e->path);
    for (size_t l = strlen(base); l && base[l - 1] == '/'; l--)
        base[l - 1] = '\0';
    if (net->o.offline) {
        sp_log_add(log, "%s (offline: not contacted)", base);
        return LS_ENOTFOUND;
    }
    if (index < SP_MAX_ELEMENTS && net->dead[index]) {
        sp_log_add(log, "%s (not asked again: %s)", base, net->dead[index]);
        return LS_ENOTFOUND;
    }
    dl d = {.fd = -1};
    snprintf(d.keydir, sizeof d.keydir, "%s/%s/%s", cache, w->name, w->key);
    char why[400], ago[40];
    long age;
    if (recent_note(cache, "down", base, DOWN_TTL, why, sizeof why, &age)) {
        age_text(age, ago, sizeof ago);
        sp_log_add(log, "%s (not asked: it did not answer %s: %s)", base, ago, why);
        return LS_ENOTFOUND;
    }
    if (remembered_miss(net, d.keydir, base, why, sizeof why, &age)) {
        age_text(age, ago, sizeof ago);
        sp_log_add(log, "%s/%s/%s/ (remembered miss, %s: %s)", base, w->name, w->key, ago, why);
        return LS_ENOTFOUND;
    }
    int e_mk = mkdir_p(d.keydir);
    if (e_mk) {
        sp_log_add(log, "%s (cache %s: %s)", base, d.keydir, strerror(e_mk));
        return LS_ENOTFOUND;
    }
    int lk = lock_key(d.keydir);
    /* Whoever held the lock may have stored the file, or a miss, meanwhile. */
    sp_log quiet = {{0}, 0};
    ls_error qerr = {0};
    int rc;
    if (remembered_miss(net, d.keydir, base, why, sizeof why, &age)) {
        sp_log_add(log, "%s/%s/%s/ (remembered miss, just now: %s)", base, w->name, w->key, why);
        rc = LS_ENOTFOUND;
    } else if (ls_store_lookup(cache, 1, w, out, &quiet, &qerr) == 0) {
        rc = 0;
    } else {
        rc = fetch(net, index, cache, base, &d, w, out, log);
    }
    if (lk >= 0)
        close(lk);
    return rc;
}

static int fetch(sp_net *net, size_t index, const char *cache, const char *base, dl *d, const sp_want *w,
                 ls_found_file *out, sp_log *log)
{
    char why[400];
    char comp[256];
    snprintf(comp, sizeof comp, "%s", w->name);
    comp[strlen(comp) - 1] = '_';
    const char *cands[3] = {w->name, comp, "file.ptr"};
    why[0] = '\0';
    for (int i = 0; i < 3; i++) {
        char url[1800], target[1800] = "";
        snprintf(url, sizeof url, "%s/%s/%s/%s", base, w->name, w->key, cands[i]);
        if (dl_open(d) < 0) {
            sp_log_add(log, "%s (cannot create a file in %s: %s)", base, d->keydir, strerror(errno));
            return LS_ENOTFOUND;
        }
        sp_http_result r;
        int rc = ls_symsrv_http_get(net, url, w->name, d->fd, i == 2 ? PTR_MAX : BODY_MAX, &r);
        if (rc == LS_ENOTFOUND) {
            dl_drop(d);
            continue;
        }
        if (rc < 0) {
            dl_drop(d);
            sp_log_add(log, "%s (%s)", url, r.why);
            if (r.unreachable && index < SP_MAX_ELEMENTS && !net->dead[index])
                net->dead[index] = strdup(r.why);
            if (r.unreachable)
                write_note(cache, "down", base, r.why);
            return LS_ENOTFOUND;
        }
        int flags = 0, compressed = 0;
        if (i == 2) {
            rc = follow_ptr(net, base, w, d, url, log, why, sizeof why, target, sizeof target);
            if (rc < 0) {
                dl_drop(d);
                if (rc == LS_ENOTFOUND) {
                    sp_log_add(log, "%s (%s)", url, why);
                    remember_miss(net, d->keydir, base, why);
                }
                return LS_ENOTFOUND;
            }
            flags |= LS_FOUND_POINTER;
        }
        const char *got = target[0] ? target : url;
        if (unpack(d, w, got, log, &compressed) < 0) {
            dl_drop(d);
            return LS_ENOTFOUND;
        }
        if (compressed)
            flags |= LS_FOUND_COMPRESSED;
        rc = commit(d, w, got, flags, out, log, why, sizeof why);
        if (rc == LS_EMISMATCH) {
            sp_log_add(log, "%s (%s)", got, why);
            remember_miss(net, d->keydir, base, why);
        }
        dl_drop(d);
        return rc == 0 ? 0 : LS_ENOTFOUND;
    }
    snprintf(why, sizeof why, "HTTP 404 for %s, %s and file.ptr", w->name, comp);
    sp_log_add(log, "%s/%s/%s/ (%s)", base, w->name, w->key, why);
    remember_miss(net, d->keydir, base, why);
    return LS_ENOTFOUND;
}
