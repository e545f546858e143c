/* pdb_data.c - every global and file-static data symbol of a PDB (S_GDATA32, S_LDATA32 in the
 * symbol record stream and in module streams) sorted by RVA, so an address in a driver's data
 * can be named ("g_ContextLookaside+0x30") and variables can be picked by type. */
#include "pdb_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct data_list {
    ls_pdb *p;
    ls_pdb_data *v;
    size_t n, cap;
    int oom;
} data_list;

static void add(data_list *l, const uint8_t *rec, size_t len)
{
    uint32_t rva;
    if (len < 0x0F || pdb_sect_to_rva(l->p, ls_le16(rec + 0x0C), ls_le32(rec + 8), &rva))
        return;
    const char *name = pdb_rec_name(rec, len, 0x0E);
    if (!name || !name[0])
        return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        ls_pdb_data *v = l->n < (1u << 22) ? realloc(l->v, cap * sizeof *v) : NULL;
        if (!v) {
            l->oom = 1;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = (ls_pdb_data){ name, pdb_internal_to_rva(l->p, rva), ls_le32(rec + 4) };
}

static int on_global(void *ctx, uint16_t kind, const uint8_t *rec, size_t len)
{
    (void)kind;
    add(ctx, rec, len);
    return 0;
}

static int by_rva(const void *a, const void *b)
{
    const ls_pdb_data *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    return strcmp(x->name, y->name);
}

int ls_pdb_data_symbols(ls_pdb *p, ls_pdb_data **out, size_t *count, ls_error *err)
{
    int rc = pdb_load_ranges(p, err);
    if (rc)
        return rc;
    data_list l = { p, NULL, 0, 0, 0 };
    ls_pdb_globals_each(p, S_GDATA32, NULL, on_global, &l, NULL);
    ls_pdb_globals_each(p, S_LDATA32, NULL, on_global, &l, NULL);
    /* File statics of modules whose records the linker did not copy to the globals. */
    for (size_t i = 0; i < p->nmods && !l.oom; i++) {
        const pdb_module *m = &p->mods[i];
        if (m->stream == 0xFFFF || pdb_load_module(p, i, NULL))
            continue;
        size_t at = 4;
        while (at + 4 <= m->sym_bytes) {
            size_t len = (size_t)ls_le16(m->data + at) + 2;
            uint16_t k = ls_le16(m->data + at + 2);
            if (len < 4 || !ls_in_bounds(at, len, m->sym_bytes))
                break;
            if (k == S_LDATA32 || k == S_GDATA32)
                add(&l, m->data + at, len);
            at += len;
        }
    }
    if (l.oom) {
        free(l.v);
        return ls_error_oom(err);
    }
    if (l.n)
        qsort(l.v, l.n, sizeof *l.v, by_rva);
    /* The same variable is often recorded twice (globals and its module): keep one. */
    size_t w = 0;
    for (size_t i = 0; i < l.n; i++)
        if (!w || l.v[w - 1].rva != l.v[i].rva || strcmp(l.v[w - 1].name, l.v[i].name))
            l.v[w++] = l.v[i];
    *out = l.v;
    *count = w;
    return 0;
}

/* Every procedure with this name: header helpers compiled out of line leave one static copy
 * per source file that uses them (no public symbol names them). */
int ls_pdb_functions_named(ls_pdb *p, const char *name, uint32_t *rvas, size_t max, size_t *count, ls_error *err)
{
    int rc = pdb_load_ranges(p, err);
    if (rc)
        return rc;
    size_t n = 0;
    for (size_t i = 0; i < p->nmods; i++) {
        const pdb_module *m = &p->mods[i];
        if (m->stream == 0xFFFF || pdb_load_module(p, i, NULL))
            continue;
        for (size_t j = 0; j < m->nprocs; j++) {
            const char *pn = pdb_proc_display(p, m, &m->procs[j]);
            if (pn && strcmp(pn, name) == 0 && n < max)
                rvas[n++] = pdb_internal_to_rva(p, m->procs[j].rva);
        }
    }
    *count = n;
    return 0;
}
