/* pdb_symbolize.c - the lookups callers use: RVA -> function, displacement, file:line and inline
 * frames; and by name: function -> RVA/size, global data -> RVA/type. */
#include "pdb_internal.h"

#include <string.h>

int ls_pdb_symbolize(ls_pdb *p, uint32_t rva, ls_pdb_location *out, ls_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = pdb_load_ranges(p, err);
    if (rc)
        return rc;
    uint32_t x;
    if (pdb_rva_to_internal(p, rva, &x))
        return ls_error_set(err, LS_ENOTFOUND, "%s: RVA 0x%x has no counterpart in the PDB (OMAP)",
                            p->name, rva);
    int modrc = 0;
    ls_error merr;
    long mi = pdb_module_at(p, x);
    if (mi >= 0) {
        pdb_module *m = &p->mods[mi];
        modrc = pdb_load_module(p, (size_t)mi, &merr);
        const pdb_proc *pr = modrc ? NULL : pdb_proc_at(p, m, x);
        if (pr) {
            ls_pdb_frame sites[LS_PDB_MAX_FRAMES];
            unsigned ns = pdb_inline_chain(p, m, pr, x, sites, NULL, LS_PDB_MAX_FRAMES - 1);
            out->symbol = pdb_proc_display(p, m, pr);
            out->symbol_rva = pdb_internal_to_rva(p, pr->rva);
            out->symbol_size = pr->size;
            out->displacement = rva - out->symbol_rva;
            for (unsigned i = 0; i < ns; i++)
                out->frames[i] = sites[ns - 1 - i];
            ls_pdb_frame *f = &out->frames[ns];
            f->symbol = out->symbol;
            f->rva = out->symbol_rva;
            if (pdb_line_at(p, m, pr, x, 1, &f->file, &f->line)) {
                f->file = NULL;
                f->line = 0;
            }
            out->nframes = ns + 1;
            return 0;
        }
    }
    if (pdb_load_publics(p, NULL) == 0) {
        const pdb_public *pub = pdb_public_at(p, x);
        if (pub) {
            out->symbol = pdb_public_name(p, pub);
            out->symbol_rva = pdb_internal_to_rva(p, pub->rva);
            out->displacement = rva - out->symbol_rva;
            out->from_public = 1;
            out->frames[0].symbol = out->symbol;
            out->frames[0].rva = out->symbol_rva;
            /* assembler modules have lines but no procedure records */
            if (mi >= 0 && !modrc &&
                pdb_line_at(p, &p->mods[mi], NULL, x, 1, &out->frames[0].file,
                            &out->frames[0].line)) {
                out->frames[0].file = NULL;
                out->frames[0].line = 0;
            }
            out->nframes = 1;
            if (modrc && err)
                *err = merr;
            return modrc;
        }
    }
    if (modrc) {
        if (err)
            *err = merr;
        return modrc;
    }
    return ls_error_set(err, LS_ENOTFOUND, "%s: no symbol covers RVA 0x%x", p->name, rva);
}

typedef struct find_ctx {
    ls_pdb *p;
    int found;
    uint32_t rva, size, type;
} find_ctx;

static int on_procref(void *vctx, uint16_t kind, const uint8_t *rec, size_t len)
{
    find_ctx *c = vctx;
    (void)kind;
    if (len < 0x0F)
        return 0;
    uint32_t off = ls_le32(rec + 8);
    uint16_t mod = ls_le16(rec + 0x0C);
    if (mod == 0 || (size_t)mod - 1 >= c->p->nmods || pdb_load_module(c->p, (size_t)mod - 1, NULL))
        return 0;
    const pdb_module *m = &c->p->mods[mod - 1];
    for (size_t i = 0; i < m->nprocs; i++)
        if (m->procs[i].recoff == off) {
            c->rva = pdb_internal_to_rva(c->p, m->procs[i].rva);
            c->size = m->procs[i].size;
            c->found = 1;
            return 1;
        }
    return 0;
}

static int on_data(void *vctx, uint16_t kind, const uint8_t *rec, size_t len)
{
    find_ctx *c = vctx;
    uint32_t rva;
    (void)kind;
    if (len < 0x0F || pdb_sect_to_rva(c->p, ls_le16(rec + 0x0C), ls_le32(rec + 8), &rva))
        return 0;
    c->rva = pdb_internal_to_rva(c->p, rva);
    c->type = ls_le32(rec + 4);
    c->found = 1;
    return 1;
}

int ls_pdb_find_function(ls_pdb *p, const char *name, uint32_t *rva, uint32_t *size,
                         ls_error *err)
{
    int rc = pdb_load_ranges(p, err);
    if (rc)
        return rc;
    find_ctx c = {p, 0, 0, 0, 0};
    if (ls_pdb_globals_each(p, S_PROCREF, name, on_procref, &c, NULL) <= 0 && !c.found)
        ls_pdb_globals_each(p, S_LPROCREF, name, on_procref, &c, NULL);
    if (!c.found && pdb_load_publics(p, NULL) == 0) {
        for (size_t i = 0; i < p->npubs; i++) {
            const char *pn = pdb_public_name(p, &p->pubs[i]);
            if (pn && strcmp(pn, name) == 0) {
                c.rva = pdb_internal_to_rva(p, p->pubs[i].rva);
                c.found = 1;
                break;
            }
        }
    }
    if (!c.found)
        return ls_error_set(err, LS_ENOTFOUND, "%s: no function named %s", p->name, name);
    *rva = c.rva;
    *size = c.size;
    return 0;
}

int ls_pdb_find_data(ls_pdb *p, const char *name, uint32_t *rva, uint32_t *type_index,
                     ls_error *err)
{
    int rc = pdb_load_ranges(p, err);
    if (rc)
        return rc;
    find_ctx c = {p, 0, 0, 0, 0};
    ls_pdb_globals_each(p, S_GDATA32, name, on_data, &c, NULL);
    if (!c.found)
        ls_pdb_globals_each(p, S_LDATA32, name, on_data, &c, NULL);
    /* function-local statics are only in their module's stream */
    for (size_t i = 0; !c.found && i < p->nmods; i++) {
        const pdb_module *m = &p->mods[i];
        if (m->stream == 0xFFFF || pdb_load_module(p, i, NULL))
            continue;
        size_t at = 4;
        while (!c.found && at + 4 <= m->sym_bytes) {
            size_t len = (size_t)ls_le16(m->data + at) + 2;
            uint16_t k = ls_le16(m->data + at + 2);
            if (len < 4 || !ls_in_bounds(at, len, m->sym_bytes))
                break;
            if ((k == S_LDATA32 || k == S_GDATA32) && len >= 0x0F) {
                const char *nm = pdb_rec_name(m->data + at, len, 0x0E);
                if (nm && strcmp(nm, name) == 0)
                    on_data(&c, k, m->data + at, len);
            }
            at += len;
        }
    }
    if (!c.found)
        return ls_error_set(err, LS_ENOTFOUND, "%s: no global or static data named %s", p->name,
                            name);
    *rva = c.rva;
    *type_index = c.type;
    return 0;
}
