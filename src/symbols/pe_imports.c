/* pe_imports.c - the import directory: which DLL function each IAT slot stands for, so that an
 * indirect call through the IAT can be named (`call [rip+X]` -> __imp_ExAllocatePoolWithTag). */
#include "pe_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DESC_SIZE = 20, NAME_MAX_LEN = 512, MAX_IMPORTS = 65536, MAX_DLLS = 1024 };

/* DLL and function names are plain ASCII identifiers; anything else is a corrupt table (and
 * would garble every message that quotes it). */
static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return 0;
    return 1;
}

typedef struct {
    size_t dll, name; /* offsets into the string pool; name SIZE_MAX for by-ordinal */
    uint16_t ordinal;
    uint32_t iat;
} raw_import;

typedef struct {
    ls_pe *pe;
    raw_import *v;
    size_t n, cap;
    char *pool;
    size_t used, pool_cap;
} builder;

static int add_string(builder *b, const char *s, size_t *off)
{
    size_t len = strlen(s) + 1;
    if (b->used + len > b->pool_cap) {
        size_t nc = b->pool_cap ? b->pool_cap * 2 : 4096;
        while (nc < b->used + len)
            nc *= 2;
        char *np = realloc(b->pool, nc);
        if (!np)
            return LS_ENOMEM;
        b->pool = np;
        b->pool_cap = nc;
    }
    memcpy(b->pool + b->used, s, len);
    *off = b->used;
    b->used += len;
    return 0;
}

static int add_import(builder *b, const raw_import *r)
{
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 64;
        raw_import *nv = realloc(b->v, nc * sizeof *nv);
        if (!nv)
            return LS_ENOMEM;
        b->v = nv;
        b->cap = nc;
    }
    b->v[b->n++] = *r;
    return 0;
}

static void set_error(ls_pe *pe, int rc, const ls_error *e)
{
    if (pe->import_status < 0)
        return;
    pe->import_status = rc;
    snprintf(pe->import_msg, sizeof pe->import_msg, "%s", e->msg);
}

/* One descriptor's thunks. Returns LS_ENOMEM only; read problems are recorded and end the DLL. */
static int walk_thunks(builder *b, uint32_t lookup, uint32_t iat, size_t dll_off, const char *dll)
{
    ls_pe *pe = b->pe;
    unsigned tsize = pe->info.pe32plus ? 8 : 4;
    uint64_t room = pe->info.size_of_image > lookup ? (pe->info.size_of_image - lookup) / tsize : 0;
    ls_error e = {0};
    for (uint64_t j = 0; j < room; j++) {
        if (b->n >= MAX_IMPORTS) {
            ls_error_set(&e, LS_ECORRUPT, "%s: more than %d imports", pe->name, MAX_IMPORTS);
            set_error(pe, LS_ECORRUPT, &e);
            return 0;
        }
        uint8_t t[8];
        uint32_t at = lookup + (uint32_t)(j * tsize);
        int rc = ls_pe_fetch(pe, at, t, tsize, &e);
        if (rc < 0) {
            ls_error_prefix(&e, "imports from %s: thunk %llu", dll, (unsigned long long)j);
            if (pe->loaded && rc == LS_ENODATA)
                ls_pe_note(pe, "imports from %s: thunks at RVA 0x%x not readable", dll, at);
            else
                set_error(pe, rc, &e);
            return 0;
        }
        uint64_t v = tsize == 8 ? ls_le64(t) : ls_le32(t);
        if (v == 0)
            return 0;
        raw_import r = {.dll = dll_off, .name = SIZE_MAX, .iat = iat + (uint32_t)(j * tsize)};
        uint64_t ordflag = tsize == 8 ? (1ull << 63) : (1ull << 31);
        if (v & ordflag) {
            r.ordinal = (uint16_t)v;
        } else {
            if (v > 0x7fffffffull) {
                ls_error_set(&e, LS_ECORRUPT, "%s: imports from %s: thunk %llu at RVA 0x%x holds 0x%llx, not a name RVA",
                             pe->name, dll, (unsigned long long)j, at, (unsigned long long)v);
                set_error(pe, LS_ECORRUPT, &e);
                return 0;
            }
            uint8_t hint[2];
            char name[NAME_MAX_LEN];
            rc = ls_pe_fetch(pe, (uint32_t)v, hint, 2, &e);
            if (rc == 0)
                rc = ls_pe_fetch_cstr(pe, (uint32_t)v + 2, name, sizeof name, &e);
            if (rc < 0) {
                ls_error_prefix(&e, "imports from %s: name of thunk %llu", dll, (unsigned long long)j);
                if (pe->loaded && rc == LS_ENODATA)
                    ls_pe_note(pe, "imports from %s: name at RVA 0x%llx not readable", dll,
                               (unsigned long long)v);
                else
                    set_error(pe, rc, &e);
                return 0;
            }
            if (!printable(name)) {
                ls_error_set(&e, LS_ECORRUPT, "%s: imports from %s: name of thunk %llu at RVA 0x%llx is not printable",
                             pe->name, dll, (unsigned long long)j, (unsigned long long)v + 2);
                set_error(pe, LS_ECORRUPT, &e);
                return 0;
            }
            r.ordinal = ls_le16(hint);
            if (add_string(b, name, &r.name) < 0)
                return LS_ENOMEM;
        }
        if (add_import(b, &r) < 0)
            return LS_ENOMEM;
    }
    return 0;
}

static int walk(builder *b)
{
    ls_pe *pe = b->pe;
    uint32_t drva, dsize;
    if (ls_pe_directory(pe, PE_DIR_IMPORT, &drva, &dsize) < 0)
        return 0;
    ls_error e = {0};
    for (unsigned i = 0; i < MAX_DLLS; i++) {
        uint8_t d[DESC_SIZE];
        uint64_t at = (uint64_t)drva + (uint64_t)i * DESC_SIZE;
        int rc = at <= UINT32_MAX ? ls_pe_fetch(pe, (uint32_t)at, d, sizeof d, &e)
                                  : ls_error_set(&e, LS_ECORRUPT, "%s: import descriptor %u overflows", pe->name, i);
        if (rc < 0) {
            ls_error_prefix(&e, "import descriptor %u (directory at RVA 0x%x)", i, drva);
            if (pe->loaded && rc == LS_ENODATA)
                ls_pe_note(pe, "import descriptor %u at RVA 0x%llx not readable", i, (unsigned long long)at);
            else
                set_error(pe, rc, &e);
            return 0;
        }
        uint32_t ilt = ls_le32(d), name_rva = ls_le32(d + 12), iat = ls_le32(d + 16);
        static const uint8_t zero[DESC_SIZE];
        if (memcmp(d, zero, sizeof d) == 0)
            return 0;
        if (name_rva == 0 && iat == 0)
            return 0;
        char dll[NAME_MAX_LEN];
        rc = ls_pe_fetch_cstr(pe, name_rva, dll, sizeof dll, &e);
        if (rc < 0) {
            ls_error_prefix(&e, "import descriptor %u: DLL name", i);
            if (pe->loaded && rc == LS_ENODATA) {
                ls_pe_note(pe, "import descriptor %u: DLL name at RVA 0x%x not readable", i, name_rva);
                continue;
            }
            set_error(pe, rc, &e);
            return 0;
        }
        if (!printable(dll) || !dll[0]) {
            ls_error_set(&e, LS_ECORRUPT, "%s: import descriptor %u: DLL name at RVA 0x%x is empty or not printable",
                         pe->name, i, name_rva);
            set_error(pe, LS_ECORRUPT, &e);
            return 0;
        }
        size_t dll_off;
        if (add_string(b, dll, &dll_off) < 0)
            return LS_ENOMEM;
        uint32_t lookup = ilt;
        if (lookup == 0) {
            /* Without a lookup table only an unbound file IAT still holds name RVAs; in memory
             * the loader has overwritten it with addresses. */
            if (pe->loaded) {
                ls_pe_note(pe, "imports from %s: no lookup table, and the IAT in memory holds addresses", dll);
                continue;
            }
            lookup = iat;
        }
        if (walk_thunks(b, lookup, iat, dll_off, dll) < 0)
            return LS_ENOMEM;
    }
    ls_error_set(&e, LS_ECORRUPT, "%s: import directory at RVA 0x%x: more than %d descriptors without a terminator",
                 pe->name, drva, MAX_DLLS);
    set_error(pe, LS_ECORRUPT, &e);
    return 0;
}

static int by_iat(const void *a, const void *b)
{
    const ls_pe_import *x = a, *y = b;
    return x->iat_rva < y->iat_rva ? -1 : x->iat_rva > y->iat_rva;
}

void ls_pe_parse_imports(ls_pe *pe)
{
    builder b = {.pe = pe};
    int rc = walk(&b);
    if (rc == 0 && b.n) {
        pe->imports = malloc(b.n * sizeof *pe->imports);
        if (!pe->imports)
            rc = LS_ENOMEM;
    }
    if (rc < 0) {
        ls_error e;
        ls_error_oom(&e);
        pe->import_status = 0;
        set_error(pe, LS_ENOMEM, &e);
        free(pe->imports);
        pe->imports = NULL;
        free(b.pool);
        free(b.v);
        return;
    }
    for (size_t i = 0; i < b.n; i++) {
        pe->imports[i].dll = b.pool + b.v[i].dll;
        pe->imports[i].name = b.v[i].name == SIZE_MAX ? NULL : b.pool + b.v[i].name;
        pe->imports[i].ordinal = b.v[i].ordinal;
        pe->imports[i].iat_rva = b.v[i].iat;
    }
    pe->nimports = b.n;
    pe->strings = b.pool;
    free(b.v);
    if (b.n > 1)
        qsort(pe->imports, b.n, sizeof *pe->imports, by_iat);
}

int ls_pe_imports(const ls_pe *pe, const ls_pe_import **list, size_t *n, ls_error *err)
{
    if (!pe || !list || !n)
        return ls_error_set(err, LS_EINVAL, "ls_pe_imports: bad arguments");
    *list = pe->imports;
    *n = pe->nimports;
    if (pe->import_status < 0)
        return ls_error_set(err, pe->import_status, "%s", pe->import_msg);
    return 0;
}

const ls_pe_import *ls_pe_import_at(const ls_pe *pe, uint32_t iat_rva)
{
    if (!pe || !pe->nimports)
        return NULL;
    size_t lo = 0, hi = pe->nimports;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t v = pe->imports[mid].iat_rva;
        if (v == iat_rva)
            return &pe->imports[mid];
        if (v < iat_rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
