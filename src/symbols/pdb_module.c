/* pdb_module.c - one module (compiland) symbol stream, read on first use: its procedures,
 * thunks and separated code pieces sorted by address, and its C13 line data. */
#include "pdb_internal.h"

#include <stdlib.h>
#include <string.h>

#define DEBUG_S_LINES 0xF2
#define DEBUG_S_FILECHKSMS 0xF4
#define DEBUG_S_INLINEELINES 0xF6
#define DEBUG_S_CROSSSCOPEIMPORTS 0xF7
#define DEBUG_S_CROSSSCOPEEXPORTS 0xF8
#define LINE_HIDDEN_1 0xFEEFEEu
#define LINE_HIDDEN_2 0xF00F00u

static int is_proc_kind(uint16_t k)
{
    switch (k) {
    case S_GPROC32: case S_LPROC32: case S_GPROC32_ID: case S_LPROC32_ID:
    case S_GPROC32_DPC: case S_LPROC32_DPC: case S_GPROC32_DPC_ID: case S_LPROC32_DPC_ID:
        return 1;
    default:
        return 0;
    }
}

static int cmp_proc(const void *a, const void *b)
{
    const pdb_proc *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    return (x->recoff > y->recoff) - (x->recoff < y->recoff);
}

static int cmp_line(const void *a, const void *b)
{
    const pdb_line *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_lblock(const void *a, const void *b)
{
    const pdb_lblock *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

static int cmp_inlinee(const void *a, const void *b)
{
    const pdb_inlinee *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static int scan_procs(ls_pdb *p, pdb_module *m, ls_error *err)
{
    const uint8_t *d = m->data;
    size_t end = m->sym_bytes, at = 4, cap = 0, n = 0;
    pdb_proc *procs = NULL;
    while (at + 4 <= end) {
        size_t len = (size_t)ls_le16(d + at) + 2;
        uint16_t k = ls_le16(d + at + 2);
        if (len < 4 || !ls_in_bounds(at, len, end)) {
            free(procs);
            return ls_error_set(err, LS_ECORRUPT,
                                "%s: module %s (stream %u): symbol record at 0x%zx (length 0x%zx) runs past the symbols (0x%zx bytes)",
                                p->name, m->name, m->stream, at, len, end);
        }
        const uint8_t *r = d + at;
        pdb_proc pr;
        int have = 0;
        if (is_proc_kind(k) && len >= 0x28) {
            pr.size = ls_le32(r + 0x10);
            have = !pdb_sect_to_rva(p, ls_le16(r + 0x24), ls_le32(r + 0x20), &pr.rva);
            pr.name_recoff = (uint32_t)at;
        } else if (k == S_THUNK32 && len >= 0x1A) {
            pr.size = ls_le16(r + 0x16);
            have = !pdb_sect_to_rva(p, ls_le16(r + 0x14), ls_le32(r + 0x10), &pr.rva);
            pr.name_recoff = (uint32_t)at;
        } else if (k == S_SEPCODE && len >= 0x20) {
            uint32_t parent = ls_le32(r + 0x04);
            pr.size = ls_le32(r + 0x0C);
            have = !pdb_sect_to_rva(p, ls_le16(r + 0x1C), ls_le32(r + 0x14), &pr.rva);
            pr.name_recoff = parent;
            if (!(parent >= 4 && parent + 4 <= end && is_proc_kind(ls_le16(d + parent + 2))))
                pr.name_recoff = (uint32_t)at;
        }
        if (have && pr.size) {
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 64;
                pdb_proc *np = realloc(procs, nc * sizeof *np);
                if (!np) {
                    free(procs);
                    return ls_error_oom(err);
                }
                procs = np;
                cap = nc;
            }
            pr.recoff = (uint32_t)at;
            pr.kind = k;
            pr.uname = NULL;
            procs[n++] = pr;
        }
        at += len;
    }
    if (n)
        qsort(procs, n, sizeof *procs, cmp_proc);
    m->procs = procs;
    m->nprocs = n;
    return 0;
}

static int add_lines(ls_pdb *p, pdb_module *m, const uint8_t *s, uint32_t slen, size_t *cap,
                     ls_error *err)
{
    if (slen < 12)
        return 0;
    uint32_t base;
    if (pdb_sect_to_rva(p, ls_le16(s + 4), ls_le32(s), &base))
        return 0;
    int cols = ls_le16(s + 6) & 1;
    uint32_t csize = ls_le32(s + 8);
    size_t at = 12, from = m->nlines;
    while (at + 12 <= slen) {
        uint32_t file = ls_le32(s + at), nl = ls_le32(s + at + 4), bsz = ls_le32(s + at + 8);
        uint64_t need = 12 + (uint64_t)nl * (cols ? 12 : 8);
        if (bsz < need || !ls_in_bounds(at, bsz, slen))
            break;
        if (m->nlines + nl + 1 > *cap) {
            size_t nc = (*cap ? *cap * 2 : 256) + nl + 1;
            pdb_line *nlp = realloc(m->lines, nc * sizeof *nlp);
            if (!nlp)
                return ls_error_oom(err);
            m->lines = nlp;
            *cap = nc;
        }
        for (uint32_t i = 0; i < nl; i++) {
            const uint8_t *e = s + at + 12 + (size_t)i * 8;
            uint32_t ln = ls_le32(e + 4) & 0xFFFFFFu;
            if (ln == 0 || ln == LINE_HIDDEN_1 || ln == LINE_HIDDEN_2)
                continue;
            pdb_line *l = &m->lines[m->nlines++];
            l->rva = base + ls_le32(e);
            l->line = ln;
            l->file = file;
            l->seq = (uint32_t)(m->nlines - from);
        }
        at += bsz;
    }
    if (m->nlines + 1 > *cap) {
        pdb_line *nlp = realloc(m->lines, (*cap + 16) * sizeof *nlp);
        if (!nlp)
            return ls_error_oom(err);
        m->lines = nlp;
        *cap += 16;
    }
    /* Code before the first line entry (an assembler prologue) belongs to the first line, as
     * llvm-symbolizer reports it. */
    size_t lowest = from;
    for (size_t i = from; i < m->nlines; i++)
        if (m->lines[i].rva < m->lines[lowest].rva)
            lowest = i;
    if (lowest < m->nlines && m->lines[lowest].rva > base) {
        m->lines[m->nlines] = m->lines[lowest];
        m->lines[m->nlines].rva = base;
        m->lines[m->nlines++].seq = 0;
    }
    if (m->nlines == from)
        return 0;
    qsort(m->lines + from, m->nlines - from, sizeof *m->lines, cmp_line);
    pdb_lblock *nb = realloc(m->lblocks, (m->nlblocks + 1) * sizeof *nb);
    if (!nb)
        return ls_error_oom(err);
    m->lblocks = nb;
    nb[m->nlblocks].start = base;
    nb[m->nlblocks].size = csize;
    nb[m->nlblocks].first = (uint32_t)from;
    nb[m->nlblocks].count = (uint32_t)(m->nlines - from);
    nb[m->nlblocks].order = (uint32_t)m->nlblocks;
    m->nlblocks++;
    return 0;
}

static int add_inlinees(pdb_module *m, const uint8_t *s, uint32_t slen, ls_error *err)
{
    if (slen < 4)
        return 0;
    uint32_t sig = ls_le32(s);
    size_t at = 4, cnt = 0;
    for (size_t a = at; a + 12 <= slen; cnt++) {
        a += 12;
        if (sig == 1) {
            if (a + 4 > slen)
                break;
            uint32_t extra = ls_le32(s + a);
            a += 4;
            if (!ls_in_bounds(a, (uint64_t)extra * 4, slen))
                break;
            a += (size_t)extra * 4;
        }
    }
    if (!cnt)
        return 0;
    pdb_inlinee *v = realloc(m->inlinees, (m->ninlinees + cnt) * sizeof *v);
    if (!v)
        return ls_error_oom(err);
    m->inlinees = v;
    for (size_t i = 0; i < cnt && at + 12 <= slen; i++) {
        pdb_inlinee *e = &v[m->ninlinees++];
        e->id = ls_le32(s + at);
        e->file = ls_le32(s + at + 4);
        e->line = ls_le32(s + at + 8);
        at += 12;
        if (sig == 1 && at + 4 <= slen)
            at += 4 + (size_t)ls_le32(s + at) * 4;
    }
    return 0;
}

static int scan_c13(ls_pdb *p, pdb_module *m, ls_error *err)
{
    size_t start = (size_t)m->sym_bytes + m->c11_bytes;
    size_t end = start + m->c13_bytes, at = start, cap = 0;
    const uint8_t *d = m->data;
    int rc;
    while (at + 8 <= end) {
        uint32_t kind = ls_le32(d + at), slen = ls_le32(d + at + 4);
        const uint8_t *s = d + at + 8;
        if (!ls_in_bounds(at + 8, slen, end))
            return ls_error_set(err, LS_ECORRUPT,
                                "%s: module %s (stream %u): C13 subsection 0x%x at 0x%zx runs past the line data (0x%x bytes)",
                                p->name, m->name, m->stream, kind, at, slen);
        switch (kind) {
        case DEBUG_S_LINES:
            if ((rc = add_lines(p, m, s, slen, &cap, err)))
                return rc;
            break;
        case DEBUG_S_FILECHKSMS:
            m->chk = s;
            m->chk_len = slen;
            break;
        case DEBUG_S_INLINEELINES:
            if ((rc = add_inlinees(m, s, slen, err)))
                return rc;
            break;
        case DEBUG_S_CROSSSCOPEIMPORTS:
            m->imports = s;
            m->imports_len = slen;
            break;
        case DEBUG_S_CROSSSCOPEEXPORTS:
            m->exports = s;
            m->exports_len = slen;
            break;
        default:
            break;
        }
        at += 8 + (((size_t)slen + 3) & ~(size_t)3);
    }
    if (m->nlblocks)
        qsort(m->lblocks, m->nlblocks, sizeof *m->lblocks, cmp_lblock);
    if (m->ninlinees)
        qsort(m->inlinees, m->ninlinees, sizeof *m->inlinees, cmp_inlinee);
    return 0;
}

int pdb_load_module(ls_pdb *p, size_t mi, ls_error *err)
{
    pdb_module *m = &p->mods[mi];
    if (m->loaded == 1)
        return 0;
    if (m->loaded == -1)
        return ls_error_set(err, LS_ECORRUPT, "%s: module %s (stream %u) is unreadable",
                            p->name, m->name, m->stream);
    if (m->stream == 0xFFFF) {
        m->loaded = 1;
        return 0;
    }
    m->loaded = -1;
    int rc = ls_msf_stream_bytes(p, m->stream, &m->data, &m->len, err);
    if (rc)
        return ls_error_prefix(err, "module %s", m->name);
    if (m->sym_bytes < 4 || (uint64_t)m->sym_bytes + m->c11_bytes + m->c13_bytes > m->len)
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: module %s (stream %u): symbol/line sizes 0x%x+0x%x+0x%x exceed the stream (0x%zx bytes)",
                            p->name, m->name, m->stream, m->sym_bytes, m->c11_bytes,
                            m->c13_bytes, m->len);
    if ((rc = scan_procs(p, m, err)) || (rc = scan_c13(p, m, err))) {
        free(m->procs);
        free(m->lines);
        free(m->lblocks);
        free(m->inlinees);
        m->procs = NULL;
        m->lines = NULL;
        m->lblocks = NULL;
        m->inlinees = NULL;
        m->nprocs = m->nlines = m->nlblocks = m->ninlinees = 0;
        return rc;
    }
    m->loaded = 1;
    return 0;
}

const pdb_proc *pdb_proc_at(ls_pdb *p, const pdb_module *m, uint32_t rva)
{
    size_t lo = 0, hi = m->nprocs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->procs[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    const pdb_proc *best = NULL;
    int ncand = 0;
    for (size_t i = lo, steps = 0; i > 0 && steps < 8; i--, steps++) {
        const pdb_proc *pr = &m->procs[i - 1];
        if (rva - pr->rva >= pr->size)
            continue;
        ncand++;
        if (!best || pr->rva > best->rva || (pr->rva == best->rva && pr->recoff < best->recoff))
            best = pr;
    }
    if (ncand < 2)
        return best;
    /* Identical code folding kept one body for several procedures: the linker's public at that
     * address names the one it kept. */
    for (size_t i = lo, steps = 0; i > 0 && steps < 8; i--, steps++) {
        const pdb_proc *pr = &m->procs[i - 1];
        if (pr->rva == best->rva && rva - pr->rva < pr->size &&
            pdb_public_has_name(p, pr->rva, pdb_proc_name(m, pr)))
            return pr;
    }
    return best;
}

const char *pdb_proc_name(const pdb_module *m, const pdb_proc *pr)
{
    size_t at = pr->name_recoff;
    if (at + 4 > m->sym_bytes)
        return NULL;
    const uint8_t *r = m->data + at;
    size_t len = (size_t)ls_le16(r) + 2;
    if (!ls_in_bounds(at, len, m->sym_bytes))
        return NULL;
    uint16_t k = ls_le16(r + 2);
    if (is_proc_kind(k))
        return pdb_rec_name(r, len, 0x27);
    if (k == S_THUNK32)
        return pdb_rec_name(r, len, 0x19);
    return NULL;
}

const char *pdb_proc_display(ls_pdb *p, const pdb_module *m, const pdb_proc *pr)
{
    if (pr->uname)
        return pr->uname;
    const char *raw = pdb_proc_name(m, pr);
    if (!raw || p->machine != 0x014C || (raw[0] != '_' && raw[0] != '@') ||
        !pdb_public_named_at(p, pr->rva, raw))
        return ((pdb_proc *)pr)->uname = raw;
    /* The record carries the linkage name (assembler procedures): undecorate it. */
    size_t cap = strlen(raw) + 1;
    char *u = malloc(cap);
    if (!u)
        return raw;
    ls_pdb_undecorate(raw, p->machine, u, cap);
    const char *kept = pdb_keep_string(p, u);
    return ((pdb_proc *)pr)->uname = kept ? kept : raw;
}

static int block_has(const pdb_lblock *b, uint32_t rva)
{
    return rva - b->start < b->size;
}

/* The line block for rva: the one of procedure pr (same start; the k-th procedure at an address
 * pairs with the k-th block there, both being in compiler order), else the first in stream
 * order that covers rva. */
static const pdb_lblock *block_for(const pdb_module *m, const pdb_proc *pr, uint32_t rva)
{
    if (pr) {
        size_t rank = 0;
        for (const pdb_proc *q = pr; q > m->procs && q[-1].rva == pr->rva; q--)
            rank++;
        size_t lo = 0, hi = m->nlblocks;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (m->lblocks[mid].start < pr->rva)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t same = 0;
        while (lo + same < m->nlblocks && m->lblocks[lo + same].start == pr->rva)
            same++;
        if (same) {
            const pdb_lblock *b = &m->lblocks[lo + (rank < same ? rank : 0)];
            if (block_has(b, rva))
                return b;
        }
    }
    size_t lo = 0, hi = m->nlblocks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->lblocks[mid].start <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    const pdb_lblock *best = NULL;
    for (size_t i = lo, steps = 0; i > 0 && steps < 32; i--, steps++) {
        const pdb_lblock *b = &m->lblocks[i - 1];
        if (block_has(b, rva) && (!best || b->order < best->order))
            best = b;
    }
    return best;
}

int pdb_line_at(ls_pdb *p, const pdb_module *m, const pdb_proc *pr, uint32_t rva, int exact_first,
                const char **file, uint32_t *line)
{
    const pdb_lblock *b = block_for(m, pr, rva);
    if (!b)
        return -1;
    const pdb_line *v = m->lines + b->first;
    size_t lo = 0, hi = b->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return -1;
    /* Several lines at one address: the last owns the code after it, but the address itself
     * is reported with the first (the statement that starts there), as LLVM does. */
    size_t i = lo - 1;
    if (exact_first && v[i].rva == rva)
        while (i > 0 && v[i - 1].rva == rva)
            i--;
    *line = v[i].line;
    *file = pdb_checksum_file(p, m, v[i].file);
    return 0;
}

const char *pdb_checksum_file(ls_pdb *p, const pdb_module *m, uint32_t off)
{
    if (!m->chk || !ls_in_bounds(off, 6, m->chk_len))
        return NULL;
    return ls_pdb_names_string(p, ls_le32(m->chk + off));
}

/* A checksum offset is valid only at an entry start (MSVC can emit misplaced ChangeFile). */
int pdb_checksum_valid(const pdb_module *m, uint32_t off)
{
    size_t at = 0;
    while (at + 6 <= m->chk_len) {
        if (at == off)
            return 1;
        if (at > off)
            return 0;
        at = (at + 6 + m->chk[at + 4] + 3) & ~(size_t)3;
    }
    return 0;
}

const pdb_inlinee *pdb_inlinee_find(const pdb_module *m, uint32_t id)
{
    size_t lo = 0, hi = m->ninlinees;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->inlinees[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->ninlinees && m->inlinees[lo].id == id ? &m->inlinees[lo] : NULL;
}
