/* pdb_inline.c - inline sites: decoding binary annotations into code ranges with lines, the
 * chain of inline sites covering an address, and every expansion of a named inline function. */
#include "pdb_internal.h"

#include <stdlib.h>
#include <string.h>

enum { BA_END = 0, BA_CODE_OFFSET = 1, BA_CODE_BASE = 2, BA_CHANGE_CODE = 3, BA_CODE_LENGTH = 4,
       BA_FILE = 5, BA_LINE = 6, BA_LINE_END = 7, BA_RANGE_KIND = 8, BA_COL_START = 9,
       BA_COL_END_DELTA = 10, BA_CODE_AND_LINE = 11, BA_LENGTH_AND_CODE = 12, BA_COL_END = 13 };

/* CVUncompressData: 1, 2 or 4 bytes; -1 at the end or on an invalid lead byte. */
static int uncompress(const uint8_t *a, size_t n, size_t *at, uint32_t *v)
{
    size_t i = *at;
    if (i >= n)
        return -1;
    uint8_t b0 = a[i];
    if ((b0 & 0x80) == 0) {
        *v = b0;
        *at = i + 1;
    } else if ((b0 & 0xC0) == 0x80) {
        if (i + 2 > n)
            return -1;
        *v = ((uint32_t)(b0 & 0x3F) << 8) | a[i + 1];
        *at = i + 2;
    } else if ((b0 & 0xE0) == 0xC0) {
        if (i + 4 > n)
            return -1;
        *v = ((uint32_t)(b0 & 0x1F) << 24) | ((uint32_t)a[i + 1] << 16) |
             ((uint32_t)a[i + 2] << 8) | a[i + 3];
        *at = i + 4;
    } else {
        return -1;
    }
    return 0;
}

static int32_t signed_of(uint32_t v)
{
    return v & 1 ? -(int32_t)(v >> 1) : (int32_t)(v >> 1);
}

typedef struct site_state {
    uint32_t code, line, file;
    int open;                   /* a range was emitted and not yet closed */
    uint32_t rstart, rline, rfile;
    int have_first;
    uint32_t first;
} site_state;

/* Closes the pending range at `end`; returns 1 if rel falls inside it. */
static int close_range(site_state *s, uint32_t end, uint32_t rel, uint32_t *line, uint32_t *file)
{
    if (!s->open)
        return 0;
    s->open = 0;
    if (rel >= s->rstart && rel < end) {
        *line = s->rline;
        *file = s->rfile;
        return 1;
    }
    return 0;
}

static void emit(site_state *s)
{
    s->open = 1;
    s->rstart = s->code;
    s->rline = s->line;
    s->rfile = s->file;
    if (!s->have_first || s->code < s->first) {
        s->have_first = 1;
        s->first = s->code;   /* the lowest range start: where the expansion begins */
    }
}

/* Decodes one site's annotations. Returns 1 when rel (offset from the procedure start) is in
 * one of its ranges (line/file of that range set), else 0. *first gets the first range start
 * (or 0xFFFFFFFF if none). */
int pdb_site_match(const uint8_t *a, size_t n, uint32_t line0, uint32_t file0, uint32_t rel,
                   uint32_t scope_size, uint32_t *line, uint32_t *file, uint32_t *first)
{
    site_state s;
    memset(&s, 0, sizeof s);
    s.line = line0;
    s.file = file0;
    size_t at = 0;
    int hit = 0;
    uint32_t op, u, u2;
    /* Every opcode consumes at least one byte, so the walk ends within n steps. */
    while (!hit && uncompress(a, n, &at, &op) == 0 && op != BA_END) {
        if (op == BA_LENGTH_AND_CODE) {
            if (uncompress(a, n, &at, &u) || uncompress(a, n, &at, &u2))
                break;
        } else if (uncompress(a, n, &at, &u)) {
            break;
        }
        switch (op) {
        case BA_CODE_OFFSET:
            s.code = u;
            break;
        case BA_CHANGE_CODE:
            hit = close_range(&s, s.code + u, rel, line, file);
            s.code += u;
            emit(&s);
            break;
        case BA_CODE_LENGTH:
            hit = close_range(&s, s.rstart + u, rel, line, file);
            s.code += u;
            break;
        case BA_FILE:
            s.file = u;
            break;
        case BA_LINE:
            s.line += (uint32_t)signed_of(u);
            break;
        case BA_CODE_AND_LINE:
            hit = close_range(&s, s.code + (u & 0xF), rel, line, file);
            s.code += u & 0xF;
            s.line += (uint32_t)signed_of(u >> 4);
            emit(&s);
            break;
        case BA_LENGTH_AND_CODE:
            hit = close_range(&s, s.code + u2, rel, line, file);
            s.code += u2;
            emit(&s);
            if (!hit)
                hit = close_range(&s, s.rstart + u, rel, line, file);
            break;
        default:   /* base change, line end, range kind, columns: no effect on ranges */
            break;
        }
    }
    if (!hit)
        hit = close_range(&s, scope_size, rel, line, file);
    *first = s.have_first ? s.first : 0xFFFFFFFFu;
    return hit;
}

/* The inline sites of procedure pr that cover x (internal address), outermost first, at most
 * max; returns their number. recoffs (may be NULL) gets each site's record offset. */
unsigned pdb_inline_chain(ls_pdb *p, const pdb_module *m, const pdb_proc *pr, uint32_t x,
                          ls_pdb_frame *frames, uint32_t *recoffs, unsigned max)
{
    const uint8_t *d = m->data;
    size_t symend = m->sym_bytes, at = pr->recoff;
    if (at + 0x0C > symend)
        return 0;
    size_t limit = ls_le32(d + at + 8);
    if (limit <= at || limit > symend)
        limit = symend;
    at += (size_t)ls_le16(d + at) + 2;
    uint32_t rel = x - pr->rva;
    unsigned n = 0;
    while (at + 4 <= limit && n < max) {
        size_t len = (size_t)ls_le16(d + at) + 2;
        uint16_t k = ls_le16(d + at + 2);
        if (len < 4 || !ls_in_bounds(at, len, symend))
            break;
        if ((k == S_INLINESITE && len >= 0x10) || (k == S_INLINESITE2 && len >= 0x14)) {
            const uint8_t *r = d + at;
            uint32_t end = ls_le32(r + 8), id = ls_le32(r + 0x0C);
            size_t aoff = k == S_INLINESITE ? 0x10 : 0x14;
            const pdb_inlinee *il = pdb_inlinee_find(m, id);
            uint32_t line = 0, file = 0, first;
            uint32_t l0 = il ? il->line : 0, f0 = il ? il->file : 0xFFFFFFFFu;
            if (pdb_site_match(r + aoff, len - aoff, l0, f0, rel, pr->size, &line, &file, &first)) {
                if (file != f0 && !pdb_checksum_valid(m, file))
                    file = f0;   /* misplaced ChangeFile (MSVC 19.16) */
                frames[n].symbol = pdb_id_name(p, m, id);
                frames[n].file = file == 0xFFFFFFFFu ? NULL : pdb_checksum_file(p, m, file);
                frames[n].line = line;
                frames[n].rva = pdb_internal_to_rva(p, pr->rva + (first == 0xFFFFFFFFu ? 0 : first));
                if (recoffs)
                    recoffs[n] = (uint32_t)at;
                n++;
                if (end > at && end < limit)
                    limit = end;   /* deeper matches can only be inside this site */
                at += len;
                continue;
            }
            if (end > at && end + 4 <= limit) {
                at = end + (size_t)ls_le16(d + end) + 2;   /* skip the site and its S_INLINESITE_END */
                continue;
            }
        }
        at += len;
    }
    return n;
}

typedef struct site_vec {
    ls_pdb_inline_site *v;
    size_t n, cap;
} site_vec;

static int push_site(site_vec *sv, const ls_pdb_inline_site *s)
{
    if (sv->n == sv->cap) {
        size_t nc = sv->cap ? sv->cap * 2 : 16;
        ls_pdb_inline_site *nv = realloc(sv->v, nc * sizeof *nv);
        if (!nv)
            return LS_ENOMEM;
        sv->v = nv;
        sv->cap = nc;
    }
    sv->v[sv->n++] = *s;
    return 0;
}

static int cmp_recoff(const void *a, const void *b)
{
    const pdb_proc *x = *(const pdb_proc *const *)a, *y = *(const pdb_proc *const *)b;
    return (x->recoff > y->recoff) - (x->recoff < y->recoff);
}

/* The module's procedures in record order, so a walk over the records finds each one by
 * advancing a cursor instead of searching. */
static const pdb_proc **procs_by_recoff(const pdb_module *m)
{
    const pdb_proc **v = malloc((m->nprocs ? m->nprocs : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < m->nprocs; i++)
        v[i] = &m->procs[i];
    qsort(v, m->nprocs, sizeof *v, cmp_recoff);
    return v;
}

static int module_sites(ls_pdb *p, pdb_module *m, const char *inlinee, site_vec *sv)
{
    const uint8_t *d = m->data;
    size_t end = m->sym_bytes, at = 4;
    const pdb_proc *cur = NULL;
    size_t cur_end = 0, cursor = 0;
    const pdb_proc **order = procs_by_recoff(m);
    if (!order)
        return LS_ENOMEM;
    while (at + 4 <= end) {
        size_t len = (size_t)ls_le16(d + at) + 2;
        uint16_t k = ls_le16(d + at + 2);
        if (len < 4 || !ls_in_bounds(at, len, end))
            break;
        if (at >= cur_end)
            cur = NULL;
        int scope = k == S_GPROC32 || k == S_LPROC32 || k == S_GPROC32_ID ||
                    k == S_LPROC32_ID || k == S_SEPCODE || k == S_GPROC32_DPC ||
                    k == S_LPROC32_DPC || k == S_GPROC32_DPC_ID || k == S_LPROC32_DPC_ID;
        while (cursor < m->nprocs && order[cursor]->recoff < at)
            cursor++;
        const pdb_proc *pr =
            scope && cursor < m->nprocs && order[cursor]->recoff == at ? order[cursor] : NULL;
        if (pr && pr->kind != S_THUNK32) {
            cur = pr;
            cur_end = len >= 0x0C ? ls_le32(d + at + 8) : at + len;
        }
        if (cur && ((k == S_INLINESITE && len >= 0x10) || (k == S_INLINESITE2 && len >= 0x14))) {
            uint32_t id = ls_le32(d + at + 0x0C);
            const char *nm = pdb_id_name(p, m, id);
            if (nm && strcmp(nm, inlinee) == 0) {
                size_t aoff = k == S_INLINESITE ? 0x10 : 0x14;
                uint32_t line, file, first;
                const pdb_inlinee *il = pdb_inlinee_find(m, id);
                pdb_site_match(d + at + aoff, len - aoff, il ? il->line : 0, 0, 0xFFFFFFFFu,
                               cur->size, &line, &file, &first);
                if (first != 0xFFFFFFFFu) {
                    ls_pdb_frame fr[LS_PDB_MAX_FRAMES];
                    uint32_t ro[LS_PDB_MAX_FRAMES];
                    uint32_t x = cur->rva + first;
                    unsigned nf = pdb_inline_chain(p, m, cur, x, fr, ro, LS_PDB_MAX_FRAMES);
                    ls_pdb_inline_site s;
                    memset(&s, 0, sizeof s);
                    s.caller_rva = pdb_internal_to_rva(p, cur->rva);
                    s.rva = pdb_internal_to_rva(p, x);
                    s.caller = s.function = pdb_proc_display(p, m, cur);
                    /* the call statement owns the code there, not a function-start line */
                    if (pdb_line_at(p, m, cur, x, 0, &s.file, &s.line)) {
                        s.file = NULL;
                        s.line = 0;
                    }
                    for (unsigned i = 0; i < nf; i++)
                        if (ro[i] == at && i > 0) {
                            s.caller = fr[i - 1].symbol;
                            s.file = fr[i - 1].file;
                            s.line = fr[i - 1].line;
                        }
                    if (push_site(sv, &s)) {
                        free(order);
                        return LS_ENOMEM;
                    }
                }
            }
        }
        at += len;
    }
    free(order);
    return 0;
}

int ls_pdb_inline_sites(ls_pdb *p, const char *inlinee, ls_pdb_inline_site **sites, size_t *n,
                        ls_error *err)
{
    int rc = pdb_load_ranges(p, err);
    if (rc)
        return rc;
    site_vec sv = {0};
    for (size_t i = 0; i < p->nmods; i++) {
        pdb_module *m = &p->mods[i];
        if (m->stream == 0xFFFF || pdb_load_module(p, i, NULL) || !m->ninlinees)
            continue;
        if (module_sites(p, m, inlinee, &sv)) {
            free(sv.v);
            return ls_error_oom(err);
        }
    }
    *sites = sv.v;
    *n = sv.n;
    return 0;
}
