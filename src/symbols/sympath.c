/* sympath.c - _NT_SYMBOL_PATH syntax (folders, srv*, symsrv*, cache*, servers' URLs), and the
 * searches for a PDB by CodeView identity and for an image by time stamp and size. */
#include "sympath_internal.h"
#include "symsrv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int add_elem(ls_sympath *sp, const char *s, size_t len, int store, ls_error *err)
{
    if (sp->n >= SP_MAX_ELEMENTS)
        return ls_error_set(err, LS_EINVAL, "symbol path: more than %d elements", SP_MAX_ELEMENTS);
    sp_elem *ne = realloc(sp->el, (sp->n + 1) * sizeof *ne);
    if (!ne)
        return ls_error_oom(err);
    sp->el = ne;
    char *p = strndup(s, len);
    if (!p)
        return ls_error_oom(err);
    sp->el[sp->n].path = p;
    sp->el[sp->n].store = store;
    sp->el[sp->n].cache = NULL;
    sp->n++;
    return 0;
}

static int add_skipped_as(ls_sympath *sp, int server, const char *fmt, const char *s, size_t len, ls_error *err)
{
    if (sp->nskipped >= SP_MAX_ELEMENTS)
        return 0;
    char **ns = realloc(sp->skipped, (sp->nskipped + 1) * sizeof *ns);
    if (!ns)
        return ls_error_oom(err);
    sp->skipped = ns;
    int *nf = realloc(sp->skipped_server, (sp->nskipped + 1) * sizeof *nf);
    if (!nf)
        return ls_error_oom(err);
    sp->skipped_server = nf;
    char buf[1200];
    snprintf(buf, sizeof buf, fmt, (int)(len > 1000 ? 1000 : len), s);
    if (!(sp->skipped[sp->nskipped] = strdup(buf)))
        return ls_error_oom(err);
    sp->skipped_server[sp->nskipped] = server;
    sp->nskipped++;
    return 0;
}

static int add_skipped(ls_sympath *sp, const char *fmt, const char *s, size_t len, ls_error *err)
{
    return add_skipped_as(sp, 0, fmt, s, len, err);
}

static int is_url(const char *s, size_t len)
{
    const char *colon = memchr(s, ':', len);
    return colon && colon + 2 < s + len && colon[1] == '/' && colon[2] == '/';
}

static int is_windows(const char *s, size_t len)
{
    return (len >= 3 && s[1] == ':' && (s[2] == '\\' || s[2] == '/')) || (len >= 2 && s[0] == '\\' && s[1] == '\\');
}

static int exists_dir(const char *s, size_t len)
{
    char p[4096];
    if (len >= sizeof p)
        return 0;
    memcpy(p, s, len);
    p[len] = 0;
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* One local path of a path element: a store or folder to use, or a reason to skip it. */
static int add_local(ls_sympath *sp, const char *s, size_t len, int store, ls_error *err)
{
    if (len == 0)
        return add_skipped(sp, "%.*s(empty element: no default downstream store offline)", "", 0, err);
    if (is_url(s, len))
        return add_skipped(sp, "%.*s (offline: URL not contacted)", s, len, err);
    if (is_windows(s, len) && !exists_dir(s, len))
        return add_skipped(sp, "%.*s (Windows path, not present here)", s, len, err);
    /* "srv*~/.cache/...*URL" is quoted on command lines, so the shell never expands the ~. */
    const char *home = getenv("HOME");
    if (len >= 1 && s[0] == '~' && (len == 1 || s[1] == '/') && home && home[0] == '/') {
        char buf[4096];
        int n = snprintf(buf, sizeof buf, "%s%.*s", home, (int)(len - 1), s + 1);
        if (n > 0 && (size_t)n < sizeof buf)
            return add_elem(sp, buf, (size_t)n, store, err);
    }
    return add_elem(sp, s, len, store, err);
}

static int has_prefix(const char *s, size_t len, const char *pre)
{
    size_t n = strlen(pre);
    return len >= n && strncasecmp(s, pre, n) == 0;
}

/* A server of a srv* chain: skipped until the path is networked; its cache is the chain's
 * first local store, else the latest cache*dir, else the default cache (NULL). */
static int add_server(ls_sympath *sp, const char *s, size_t len, const char *cache, ls_error *err)
{
    int rc = add_skipped_as(sp, 1, "%.*s (offline: URL not contacted)", s, len, err);
    if (rc < 0 || sp->n >= SP_MAX_ELEMENTS)
        return rc;
    char *c = NULL;
    if (cache && !(c = strdup(cache)))
        return ls_error_oom(err);
    rc = add_elem(sp, s, len, SP_SERVER, err);
    if (rc < 0) {
        free(c);
        return rc;
    }
    sp->el[sp->n - 1].cache = c;
    return 0;
}

static int parse_element(ls_sympath *sp, const char *s, size_t len, long *cache_idx, ls_error *err)
{
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    if (len == 0)
        return 0;
    size_t skip = 0;
    int tokens_from = 0;
    if (has_prefix(s, len, "srv*"))
        skip = 4;
    else if (has_prefix(s, len, "symsrv*"))
        skip = 7, tokens_from = 1; /* the first token names the server DLL */
    else if (has_prefix(s, len, "cache*"))
        skip = 6;
    int is_cache = skip == 6; /* cache*dir: stores only, a cache for the servers after it */
    if (!skip) {
        if (is_url(s, len))
            return add_skipped(sp, "%.*s (a URL outside srv*: not contacted)", s, len, err);
        return add_local(sp, s, len, 0, err);
    }
    const char *p = s + skip, *end = s + len;
    long first_local = -1;
    for (int tok = 0;; tok++) {
        const char *star = memchr(p, '*', (size_t)(end - p));
        const char *te = star ? star : end;
        size_t tl = (size_t)(te - p);
        if (tok >= tokens_from && !is_cache && is_url(p, tl)) {
            long ci = first_local >= 0 ? first_local : *cache_idx;
            int rc = add_server(sp, p, tl, ci >= 0 ? sp->el[ci].path : NULL, err);
            if (rc < 0)
                return rc;
        } else if (tok >= tokens_from && !is_cache && tl == 0) {
            int rc = add_skipped_as(sp, 1, "%.*s(empty element: no default downstream store offline)", "", 0, err);
            if (rc < 0)
                return rc;
        } else if (tok >= tokens_from) {
            size_t before = sp->n;
            int rc = add_local(sp, p, tl, 1, err);
            if (rc < 0)
                return rc;
            if (sp->n > before && first_local < 0)
                first_local = (long)before;
            if (sp->n > before && is_cache)
                *cache_idx = (long)before;
        }
        if (!star)
            break;
        p = star + 1;
    }
    return 0;
}

int ls_sympath_parse(const char *spec, ls_sympath **out, ls_error *err)
{
    if (!out)
        return ls_error_set(err, LS_EINVAL, "ls_sympath_parse: no output");
    ls_sympath *sp = calloc(1, sizeof *sp);
    if (!sp)
        return ls_error_oom(err);
    const char *p = spec ? spec : "";
    long cache_idx = -1;
    for (;;) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        int rc = parse_element(sp, p, len, &cache_idx, err);
        if (rc < 0) {
            ls_sympath_free(sp);
            return rc;
        }
        if (!semi)
            break;
        p = semi + 1;
    }
    *out = sp;
    return 0;
}

int ls_sympath_default(const char *option, ls_sympath **out, ls_error *err)
{
    if (option)
        return ls_sympath_parse(option, out, err);
    const char *alt = getenv("_NT_ALT_SYMBOL_PATH"), *nt = getenv("_NT_SYMBOL_PATH");
    size_t len = (alt ? strlen(alt) : 0) + (nt ? strlen(nt) : 0) + 2;
    char *both = malloc(len);
    if (!both)
        return ls_error_oom(err);
    snprintf(both, len, "%s;%s", alt ? alt : "", nt ? nt : "");
    int rc = ls_sympath_parse(both, out, err);
    free(both);
    return rc;
}

int ls_sympath_add_folder(ls_sympath *sp, const char *dir, ls_error *err)
{
    if (!sp || !dir || !*dir)
        return ls_error_set(err, LS_EINVAL, "ls_sympath_add_folder: bad arguments");
    return add_elem(sp, dir, strlen(dir), 0, err);
}

void ls_sympath_free(ls_sympath *sp)
{
    if (!sp)
        return;
    for (size_t i = 0; i < sp->n; i++) {
        free(sp->el[i].path);
        free(sp->el[i].cache);
    }
    for (size_t i = 0; i < sp->nskipped; i++)
        free(sp->skipped[i]);
    free(sp->el);
    free(sp->skipped);
    free(sp->skipped_server);
    ls_symsrv_net_free(sp->net);
    free(sp);
}

/* Local elements only: servers are listed by ls_sympath_server_count. */
size_t ls_sympath_count(const ls_sympath *sp)
{
    size_t n = 0;
    for (size_t i = 0; sp && i < sp->n; i++)
        n += sp->el[i].store != SP_SERVER;
    return n;
}

const char *ls_sympath_element(const ls_sympath *sp, size_t i, int *is_store)
{
    for (size_t j = 0; sp && j < sp->n; j++) {
        if (sp->el[j].store == SP_SERVER)
            continue;
        if (i-- == 0) {
            if (is_store)
                *is_store = sp->el[j].store;
            return sp->el[j].path;
        }
    }
    return NULL;
}

size_t ls_sympath_server_count(const ls_sympath *sp)
{
    size_t n = 0;
    for (size_t i = 0; sp && sp->net && i < sp->n; i++)
        n += sp->el[i].store == SP_SERVER;
    return n;
}

/* Once networked, a server's URL is an element, no longer a skipped one. */
static int skipped_listed(const ls_sympath *sp, size_t i)
{
    return !(sp->net && sp->skipped_server[i]);
}

size_t ls_sympath_skipped_count(const ls_sympath *sp)
{
    size_t n = 0;
    for (size_t i = 0; sp && i < sp->nskipped; i++)
        n += skipped_listed(sp, i);
    return n;
}

const char *ls_sympath_skipped(const ls_sympath *sp, size_t i)
{
    for (size_t j = 0; sp && j < sp->nskipped; j++)
        if (skipped_listed(sp, j) && i-- == 0)
            return sp->skipped[j];
    return NULL;
}

int ls_sympath_set_network(ls_sympath *sp, const ls_symsrv_options *o, ls_error *err)
{
    if (!sp)
        return ls_error_set(err, LS_EINVAL, "ls_sympath_set_network: no symbol path");
    sp_net *net = NULL;
    if (o) {
        int rc = ls_symsrv_net_new(o, &net, err);
        if (rc < 0)
            return rc;
    }
    ls_symsrv_net_free(sp->net);
    sp->net = net;
    return 0;
}

void ls_sympath_set_pdb_check(ls_sympath *sp, ls_sympath_check_fn fn, void *ctx)
{
    if (sp) {
        sp->check = fn;
        sp->check_ctx = ctx;
    }
}

static int search(const ls_sympath *sp, const sp_want *w, const char *what, ls_found_file *out, ls_error *err)
{
    sp_log log = {{0}, 0};
    ls_found_file f = {.fd = -1};
    for (size_t i = 0; i < sp->n; i++) {
        const sp_elem *e = &sp->el[i];
        ls_error sub = {0};
        if (e->store == SP_SERVER && !sp->net)
            continue;
        int rc = e->store == SP_SERVER ? ls_symsrv_lookup(sp->net, i, e, w, &f, &log, &sub)
                 : e->store           ? ls_store_lookup(e->path, 0, w, &f, &log, &sub)
                                      : ls_folder_lookup(e->path, w, &f, &log, &sub);
        if (rc == 0) {
            *out = f;
            return 0;
        }
        if (rc != LS_ENOTFOUND) {
            /* A broken candidate (corrupt CAB, unreadable file) is reported, but a later
             * element may still have a good copy. */
            sp_log_add(&log, "%s", sub.msg);
        }
    }
    char skipped[300] = "";
    for (size_t i = 0; ls_sympath_skipped(sp, i) && strlen(skipped) < sizeof skipped - 40; i++)
        snprintf(skipped + strlen(skipped), sizeof skipped - strlen(skipped), "%s%s", i ? ", " : "; skipped: ",
                 ls_sympath_skipped(sp, i));
    if (sp->n == 0 || (!sp->net && ls_sympath_count(sp) == 0))
        return ls_error_set(err, LS_ENOTFOUND, "%s not found: the symbol path has no local folder or store%s", what,
                            skipped);
    return ls_error_set(err, LS_ENOTFOUND, "%s not found; looked in: %s%s%s", what, log.text,
                        log.omitted ? " and more" : "", skipped);
}

static int pdb_check(const sp_want *w, int fd, const char *path, ls_error *err)
{
    return w->sp->check ? w->sp->check(w->sp->check_ctx, fd, path, err) : 0;
}

int ls_sympath_find_pdb(const ls_sympath *sp, const ls_codeview *cv, ls_found_file *out, ls_error *err)
{
    if (!sp || !cv || !out)
        return ls_error_set(err, LS_EINVAL, "ls_sympath_find_pdb: bad arguments");
    char key[41];
    if (ls_codeview_key(cv, key) < 0)
        return ls_error_set(err, LS_EINVAL, "ls_sympath_find_pdb: the image names no PDB");
    const char *name = ls_codeview_pdb_name(cv);
    if (!*name)
        return ls_error_set(err, LS_ENOTFOUND, "the CodeView record has an empty PDB path");
    sp_want w = {.name = name, .key = key, .exts = {"sys", "dll", "exe"}, .check = pdb_check, .sp = sp};
    char what[600];
    snprintf(what, sizeof what, "%s (key %s)", name, key);
    return search(sp, &w, what, out, err);
}

/* A by-name image from a plain folder is the one wanted only if its headers agree. */
static int image_check(const sp_want *w, int fd, const char *path, ls_error *err)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_size <= 0)
        return ls_error_set(err, LS_EMISMATCH, "empty");
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        return ls_error_set(err, LS_EMISMATCH, "cannot map: %s", strerror(errno));
    ls_pe *pe = NULL;
    int rc = ls_pe_open_mem(map, (size_t)st.st_size, path, &pe, err);
    if (rc == 0) {
        const ls_pe_info *in = ls_pe_get_info(pe);
        if (in->timestamp != w->timestamp || in->size_of_image != w->size_of_image)
            rc = ls_error_set(err, LS_EMISMATCH, "time stamp 0x%x size 0x%x, wanted 0x%x 0x%x", in->timestamp,
                              in->size_of_image, w->timestamp, w->size_of_image);
    } else {
        rc = ls_error_set(err, LS_EMISMATCH, "not a PE image");
    }
    ls_pe_free(pe);
    munmap(map, (size_t)st.st_size);
    return rc;
}

int ls_sympath_find_image(const ls_sympath *sp, const char *name, uint32_t timestamp, uint32_t size_of_image,
                          ls_found_file *out, ls_error *err)
{
    if (!sp || !name || !*name || !out)
        return ls_error_set(err, LS_EINVAL, "ls_sympath_find_image: bad arguments");
    const char *base = name;
    for (const char *p = name; *p; p++)
        if (*p == '\\' || *p == '/')
            base = p + 1;
    char key[20];
    ls_pe_image_key(timestamp, size_of_image, key);
    char ext[16] = "";
    const char *dot = strrchr(base, '.');
    if (dot && strlen(dot + 1) < sizeof ext)
        for (size_t i = 0; dot[1 + i]; i++)
            ext[i] = (char)(dot[1 + i] >= 'A' && dot[1 + i] <= 'Z' ? dot[1 + i] + 32 : dot[1 + i]);
    sp_want w = {.name = base, .key = key, .check = image_check, .sp = sp, .timestamp = timestamp,
                 .size_of_image = size_of_image};
    if (ext[0])
        w.exts[0] = ext;
    char what[400];
    snprintf(what, sizeof what, "%s (key %s)", base, key);
    return search(sp, &w, what, out, err);
}
