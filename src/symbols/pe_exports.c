/* pe_exports.c - the export directory, read on demand (no caching, so a const image stays
 * shareable): an export by name (e.g. ntoskrnl's PsLoadedModuleList) and the export nearest below an RVA. */
#include "pe_internal.h"

#include <stdio.h>
#include <string.h>

enum { EXPORT_DIR = 40, MAX_EXPORTS = 65536, EXPORT_NAME = 256 };

typedef struct {
    uint32_t dir_rva, dir_size;
    uint32_t base, nfuncs, nnames, funcs, names, ords;
} export_dir;

static int read_dir(const ls_pe *pe, export_dir *x, ls_error *err)
{
    if (ls_pe_directory(pe, PE_DIR_EXPORT, &x->dir_rva, &x->dir_size) < 0)
        return ls_error_set(err, LS_ENOTFOUND, "%s: no export directory", pe->name);
    uint8_t d[EXPORT_DIR];
    int rc = ls_pe_fetch(pe, x->dir_rva, d, sizeof d, err);
    if (rc < 0)
        return ls_error_prefix(err, "export directory");
    x->base = ls_le32(d + 16);
    x->nfuncs = ls_le32(d + 20);
    x->nnames = ls_le32(d + 24);
    x->funcs = ls_le32(d + 28);
    x->names = ls_le32(d + 32);
    x->ords = ls_le32(d + 36);
    if (x->nfuncs > MAX_EXPORTS || x->nnames > MAX_EXPORTS || x->nnames > x->nfuncs)
        return ls_error_set(err, LS_ECORRUPT, "%s: export directory at RVA 0x%x: %u functions, %u names", pe->name,
                            x->dir_rva, x->nfuncs, x->nnames);
    return 0;
}

static int read_u32(const ls_pe *pe, uint32_t table, uint32_t i, uint32_t *v, ls_error *err)
{
    uint8_t b[4];
    int rc = ls_pe_fetch(pe, table + 4 * i, b, 4, err);
    *v = rc == 0 ? ls_le32(b) : 0;
    return rc;
}

static int read_u16(const ls_pe *pe, uint32_t table, uint32_t i, uint16_t *v, ls_error *err)
{
    uint8_t b[2];
    int rc = ls_pe_fetch(pe, table + 2 * i, b, 2, err);
    *v = rc == 0 ? ls_le16(b) : 0;
    return rc;
}

/* Function RVA of name-table entry i; a forwarder (RVA inside the export directory) is
 * LS_EUNSUPPORTED. */
static int func_of(const ls_pe *pe, const export_dir *x, uint32_t i, uint32_t *rva, ls_error *err)
{
    uint16_t ord = 0;
    int rc = read_u16(pe, x->ords, i, &ord, err);
    if (rc < 0)
        return rc;
    if (ord >= x->nfuncs)
        return ls_error_set(err, LS_ECORRUPT, "%s: export %u has ordinal index %u of %u", pe->name, i, ord,
                            x->nfuncs);
    rc = read_u32(pe, x->funcs, ord, rva, err);
    if (rc < 0)
        return rc;
    if (*rva >= x->dir_rva && *rva - x->dir_rva < x->dir_size)
        return ls_error_set(err, LS_EUNSUPPORTED, "%s: export %u is forwarded to another module", pe->name, i);
    return 0;
}

static int name_at(const ls_pe *pe, const export_dir *x, uint32_t i, char *s, size_t cap, ls_error *err)
{
    uint32_t nrva = 0;
    int rc = read_u32(pe, x->names, i, &nrva, err);
    if (rc == 0)
        rc = ls_pe_fetch_cstr(pe, nrva, s, cap, err);
    return rc < 0 ? ls_error_prefix(err, "export name %u", i) : 0;
}

int ls_pe_export_find(const ls_pe *pe, const char *name, uint32_t *rva, ls_error *err)
{
    export_dir x;
    if (!pe || !name || !rva)
        return ls_error_set(err, LS_EINVAL, "ls_pe_export_find: bad arguments");
    int rc = read_dir(pe, &x, err);
    if (rc < 0)
        return rc;
    char s[EXPORT_NAME];
    /* The name table is sorted (the loader bisects it too). */
    uint32_t lo = 0, hi = x.nnames;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((rc = name_at(pe, &x, mid, s, sizeof s, err)) < 0)
            return rc;
        int c = strcmp(name, s);
        if (c == 0)
            return func_of(pe, &x, mid, rva, err);
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    /* Not there: an image whose table is not sorted still deserves an answer. */
    for (uint32_t i = 0; i < x.nnames; i++)
        if (name_at(pe, &x, i, s, sizeof s, NULL) == 0 && strcmp(name, s) == 0)
            return func_of(pe, &x, i, rva, err);
    return ls_error_set(err, LS_ENOTFOUND, "%s: no export named %s", pe->name, name);
}

int ls_pe_export_at(const ls_pe *pe, uint32_t rva, char *name, size_t cap, uint32_t *disp, ls_error *err)
{
    export_dir x;
    if (!pe || !name || cap == 0)
        return ls_error_set(err, LS_EINVAL, "ls_pe_export_at: bad arguments");
    int rc = read_dir(pe, &x, err);
    if (rc < 0)
        return rc;
    uint32_t best = UINT32_MAX, best_rva = 0;
    for (uint32_t i = 0; i < x.nnames; i++) {
        uint32_t f = 0;
        ls_error sub;
        if (func_of(pe, &x, i, &f, &sub) < 0)
            continue;
        if (f <= rva && (best == UINT32_MAX || f > best_rva)) {
            best = i;
            best_rva = f;
        }
    }
    if (best == UINT32_MAX)
        return ls_error_set(err, LS_ENOTFOUND, "%s: no named export at or below RVA 0x%x", pe->name, rva);
    if ((rc = name_at(pe, &x, best, name, cap, err)) < 0)
        return rc;
    if (disp)
        *disp = rva - best_rva;
    return 0;
}
