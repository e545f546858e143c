/* inputs.c - what a triage run is given: files, folders walked recursively, path lists, and
 * recognition of crash dumps by their first bytes (plain or gzip-compressed). */
#include "triage_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* Folder nesting deeper than this is taken as a loop or a hostile tree. */
#define TR_MAX_DEPTH 64

char *tr_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

int tr_add_item(ls_batch *t, const char *path, int sniff, const char *pre_error, int pre_code)
{
    if (t->nitems == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        tr_item *p = realloc(t->items, cap * sizeof *p);
        if (!p)
            return LS_ENOMEM;
        t->items = p;
        t->cap = cap;
    }
    tr_item *it = &t->items[t->nitems];
    memset(it, 0, sizeof *it);
    it->path = tr_strdup(path);
    it->sniff = sniff;
    it->pre_code = pre_code;
    if (pre_error)
        it->pre_error = tr_strdup(pre_error);
    if (!it->path || (pre_error && !it->pre_error)) {
        free(it->path);
        free(it->pre_error);
        return LS_ENOMEM;
    }
    t->nitems++;
    return 0;
}

static int walk(ls_batch *t, const char *dir, int depth, ls_error *err)
{
    char msg[1200];
    if (depth > TR_MAX_DEPTH) {
        snprintf(msg, sizeof msg, "%s: folders nested deeper than %d levels; not walked", dir,
                 TR_MAX_DEPTH);
        return tr_add_item(t, dir, 0, msg, LS_EUNSUPPORTED) ? ls_error_oom(err) : 0;
    }
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(msg, sizeof msg, "%s: cannot read folder: %s", dir, strerror(errno));
        return tr_add_item(t, dir, 0, msg, LS_EIO) ? ls_error_oom(err) : 0;
    }
    size_t dl = strlen(dir);
    int slash = dl > 0 && dir[dl - 1] == '/';
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        size_t n = dl + 1 + strlen(e->d_name) + 1;
        char *p = malloc(n);
        if (!p) {
            rc = ls_error_oom(err);
            break;
        }
        snprintf(p, n, "%s%s%s", dir, slash ? "" : "/", e->d_name);
        struct stat st;
        if (lstat(p, &st) != 0) {
            snprintf(msg, sizeof msg, "%s: cannot stat: %s", p, strerror(errno));
            rc = tr_add_item(t, p, 0, msg, LS_EIO) ? ls_error_oom(err) : 0;
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(t, p, depth + 1, err);
        } else if (S_ISREG(st.st_mode)) {
            rc = tr_add_item(t, p, 1, NULL, 0) ? ls_error_oom(err) : 0;
        } else if (S_ISLNK(st.st_mode) && stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
            /* a link to a file is read; a link to a folder is not followed (loops) */
            rc = tr_add_item(t, p, 1, NULL, 0) ? ls_error_oom(err) : 0;
        }
        free(p);
    }
    closedir(d);
    return rc;
}

int tr_walk(ls_batch *t, const char *dir, ls_error *err)
{
    return walk(t, dir, 0, err);
}

int ls_batch_add(ls_batch *t, const char *path, ls_error *err)
{
    if (!t || !path || !*path)
        return ls_error_set(err, LS_EINVAL, "ls_batch_add: no path");
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return tr_walk(t, path, err);
    /* A file named on the command line is analyzed whatever it holds, as for one dump. */
    return tr_add_item(t, path, 0, NULL, 0) ? ls_error_oom(err) : 0;
}

int ls_batch_add_list(ls_batch *t, FILE *f, ls_error *err)
{
    if (!t || !f)
        return ls_error_set(err, LS_EINVAL, "ls_batch_add_list: no list");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (!rc && (n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        if (n == 0)
            continue;
        struct stat st;
        if (stat(line, &st) == 0 && S_ISDIR(st.st_mode))
            rc = tr_walk(t, line, err);
        else
            rc = tr_add_item(t, line, 1, NULL, 0) ? ls_error_oom(err) : 0;
    }
    free(line);
    return rc;
}

/* "PAGE" opens both Windows dump signatures (PAGEDUMP, PAGEDU64); a header whose signature
 * is damaged is still known by the version fields after it (MajorVersion 0xF free or 0xC
 * checked, MinorVersion an NT build number), so a corrupt dump is reported as a bad dump
 * rather than skipped. ELF core and kdump-compressed files are dumps lalscan explains it
 * cannot read. */
int ls_batch_sniff(const char *path, ls_error *err)
{
    gzFile g = gzopen(path, "rb");
    if (!g)
        return ls_error_set(err, LS_EIO, "%s: cannot open: %s", path, strerror(errno ? errno : EIO));
    uint8_t b[18];
    int n = gzread(g, b, sizeof b);
    int zerr = 0;
    const char *zmsg = n < 0 ? gzerror(g, &zerr) : NULL;
    char msgbuf[200] = "";
    if (zmsg)
        snprintf(msgbuf, sizeof msgbuf, "%s", zmsg);
    gzclose(g);
    if (n < 0)
        return ls_error_set(err, LS_EIO, "%s: cannot read the first bytes: %s", path, msgbuf);
    if (n >= 4 && memcmp(b, "PAGE", 4) == 0)
        return 1;
    if (n >= 16 && (ls_le32(b + 8) == 0xF || ls_le32(b + 8) == 0xC) && ls_le32(b + 12) >= 1000 &&
        ls_le32(b + 12) < 100000)
        return 1;
    if (n >= 8 && memcmp(b, "KDUMP   ", 8) == 0)
        return 1;
    /* ELF core file: e_type (offset 16, little or big endian per EI_DATA) == ET_CORE */
    if (n >= 18 && memcmp(b, "\x7f" "ELF", 4) == 0)
        return (b[5] == 2 ? b[16] == 0 && b[17] == 4 : b[16] == 4 && b[17] == 0) ? 1 : 0;
    return 0;
}
