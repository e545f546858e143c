/* pdb_dbi.c - the DBI stream: header, module records, section contributions, section headers
 * and OMAP, and the mapping between section:offset, RVAs and the module that owns an address. */
#include "pdb_internal.h"

#include <stdlib.h>
#include <string.h>

#define DBI_HDR 64
#define SC_V60 0xF12EBA2Du
#define SC_V2 0xF13151E4u
#define MOD_FIXED 0x40

static int load_sections(ls_pdb *p, uint16_t stream, pdb_section_hdr **out, size_t *n,
                         ls_error *err)
{
    const uint8_t *d;
    size_t len;
    if (stream == 0xFFFF || stream >= p->nstreams || p->streams[stream].nil)
        return 0;
    int rc = ls_msf_stream_bytes(p, stream, &d, &len, err);
    if (rc)
        return rc;
    size_t cnt = len / 40;
    if (!cnt)
        return 0;
    pdb_section_hdr *s = calloc(cnt, sizeof *s);
    if (!s)
        return ls_error_oom(err);
    for (size_t i = 0; i < cnt; i++) {
        const uint8_t *h = d + i * 40;
        s[i].vsize = ls_le32(h + 8);
        s[i].va = ls_le32(h + 12);
        s[i].rawsize = ls_le32(h + 16);
        s[i].characteristics = ls_le32(h + 36);
    }
    *out = s;
    *n = cnt;
    return 0;
}

static int load_omap(ls_pdb *p, uint16_t stream, pdb_omap **out, size_t *n, ls_error *err)
{
    const uint8_t *d;
    size_t len;
    if (stream == 0xFFFF || stream >= p->nstreams || p->streams[stream].nil)
        return 0;
    int rc = ls_msf_stream_bytes(p, stream, &d, &len, err);
    if (rc)
        return rc;
    size_t cnt = len / 8;
    if (!cnt)
        return 0;
    pdb_omap *m = malloc(cnt * sizeof *m);
    if (!m)
        return ls_error_oom(err);
    for (size_t i = 0; i < cnt; i++) {
        m[i].from = ls_le32(d + i * 8);
        m[i].to = ls_le32(d + i * 8 + 4);
    }
    *out = m;
    *n = cnt;
    return 0;
}

static int parse_modules(ls_pdb *p, const uint8_t *d, size_t len, ls_error *err)
{
    size_t cap = len / (MOD_FIXED + 2) + 1, n = 0;
    pdb_module *mods = calloc(cap, sizeof *mods);
    if (!mods)
        return ls_error_oom(err);
    size_t at = 0;
    while (at + MOD_FIXED + 2 <= len && n < cap) {
        const uint8_t *r = d + at;
        pdb_module *m = &mods[n];
        m->stream = ls_le16(r + 0x22);
        m->sym_bytes = ls_le32(r + 0x24);
        m->c11_bytes = ls_le32(r + 0x28);
        m->c13_bytes = ls_le32(r + 0x2C);
        m->name = pdb_rec_name(d, len, at + MOD_FIXED);
        if (!m->name)
            break;
        size_t o = at + MOD_FIXED + strlen(m->name) + 1;
        m->obj = pdb_rec_name(d, len, o);
        if (!m->obj)
            break;
        o += strlen(m->obj) + 1;
        at = (o + 3) & ~(size_t)3;
        n++;
    }
    if (at < len && n < cap) {
        free(mods);
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: DBI module info: record %zu at substream offset 0x%zx is truncated",
                            p->name, n, at);
    }
    p->mods = mods;
    p->nmods = n;
    return 0;
}

int pdb_load_dbi(ls_pdb *p, ls_error *err)
{
    if (p->dbi_state == 1)
        return 0;
    const uint8_t *d;
    size_t n;
    int rc = ls_msf_stream_bytes(p, LS_PDB_STREAM_DBI, &d, &n, err);
    if (rc)
        return ls_error_prefix(err, "DBI");
    if (n < DBI_HDR)
        return ls_error_set(err, n ? LS_ETRUNCATED : LS_ENOTFOUND,
                            "%s: DBI stream: %zu bytes, header needs 64", p->name, n);
    if (ls_le32(d) != 0xFFFFFFFFu)
        return ls_error_set(err, LS_EUNSUPPORTED,
                            "%s: DBI stream: old-format header (signature 0x%x), not supported",
                            p->name, ls_le32(d));
    uint32_t sz[7];
    static const unsigned at_[7] = {0x18, 0x1C, 0x20, 0x24, 0x28, 0x34, 0x30};
    /* In-stream order: modules, contributions, section map, files, type servers, EC, debug hdr. */
    uint64_t off[7], total = DBI_HDR;
    for (int i = 0; i < 7; i++) {
        sz[i] = ls_le32(d + at_[i]);
        off[i] = total;
        total += sz[i];
    }
    if (total > n)
        return ls_error_set(err, LS_ETRUNCATED,
                            "%s: DBI stream: substreams need 0x%llx bytes, the stream has 0x%zx",
                            p->name, (unsigned long long)total, n);
    if (p->mods) {   /* a retry after a failure part-way */
        free(p->mods);
        p->mods = NULL;
    }
    p->dbi_age = ls_le32(d + 0x08);
    p->gsi_stream = ls_le16(d + 0x0C);
    p->build = ls_le16(d + 0x0E);
    p->psi_stream = ls_le16(d + 0x10);
    p->symrec_stream = ls_le16(d + 0x14);
    p->dbi_flags = ls_le16(d + 0x38);
    p->machine = ls_le16(d + 0x3A);
    rc = parse_modules(p, d + off[0], sz[0], err);
    if (rc)
        return rc;
    if (sz[1] >= 4) {
        uint32_t ver = ls_le32(d + off[1]);
        p->contrib_entry = ver == SC_V2 ? 32 : ver == SC_V60 ? 28 : 0;
        p->contrib = d + off[1] + 4;
        p->contrib_len = sz[1] - 4;
    }
    /* Optional debug header: u16 stream indices, 0xFFFF = absent. */
    uint16_t dh[11];
    for (int i = 0; i < 11; i++)
        dh[i] = (unsigned)i * 2 + 2 <= sz[6] ? ls_le16(d + off[6] + i * 2) : 0xFFFF;
    free(p->secs);
    free(p->osecs);
    free(p->omap_to);
    free(p->omap_from);
    p->secs = p->osecs = NULL;
    p->omap_to = p->omap_from = NULL;
    p->nsecs = p->nosecs = p->nomap_to = p->nomap_from = 0;
    if ((rc = load_sections(p, dh[5], &p->secs, &p->nsecs, err)) ||
        (rc = load_sections(p, dh[10], &p->osecs, &p->nosecs, err)) ||
        (rc = load_omap(p, dh[3], &p->omap_to, &p->nomap_to, err)) ||
        (rc = load_omap(p, dh[4], &p->omap_from, &p->nomap_from, err)))
        return ls_error_prefix(err, "DBI optional debug header");
    p->dbi_state = 1;
    return 0;
}

int ls_pdb_set_sections(ls_pdb *p, const ls_pe_section *secs, size_t n, ls_error *err)
{
    int rc = pdb_load_dbi(p, err);
    if (rc)
        return rc;
    if (p->nsecs || !n)
        return 0;   /* the PDB's own headers win */
    pdb_section_hdr *s = calloc(n, sizeof *s);
    if (!s)
        return ls_error_oom(err);
    for (size_t i = 0; i < n; i++) {
        s[i].va = secs[i].rva;
        s[i].vsize = secs[i].virtual_size;
        s[i].rawsize = secs[i].raw_size;
        s[i].characteristics = secs[i].characteristics;
    }
    p->secs = s;
    p->nsecs = n;
    /* tables built without sections mapped nothing: build them again on next use */
    for (size_t i = 0; i < p->nmods; i++) {
        pdb_module *m = &p->mods[i];
        free(m->procs);
        free(m->lines);
        free(m->lblocks);
        free(m->inlinees);
        m->procs = NULL;
        m->lines = NULL;
        m->lblocks = NULL;
        m->inlinees = NULL;
        m->nprocs = m->nlines = m->nlblocks = m->ninlinees = 0;
        m->loaded = 0;
    }
    free(p->ranges);
    p->ranges = NULL;
    p->ranges_state = 0;
    free(p->pubs);
    p->pubs = NULL;
    p->pub_state = 0;
    return 0;
}

/* OMAP lookup: last entry with from <= x; 0 in `to` means "no counterpart". */
static int omap_map(const pdb_omap *m, size_t n, uint32_t x, uint32_t *out)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m[mid].from <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || m[lo - 1].to == 0)
        return -1;
    *out = m[lo - 1].to + (x - m[lo - 1].from);
    return 0;
}

/* With OMAP, the reader's tables live in the PDB's internal (pre-rearrangement) address
 * space; these convert at the public boundary. */
int pdb_rva_to_internal(ls_pdb *p, uint32_t rva, uint32_t *out)
{
    if (p->nomap_to && p->nosecs)
        return omap_map(p->omap_to, p->nomap_to, rva, out);
    *out = rva;
    return 0;
}

uint32_t pdb_internal_to_rva(ls_pdb *p, uint32_t x)
{
    uint32_t r;
    if (p->nomap_from && p->nosecs)
        return omap_map(p->omap_from, p->nomap_from, x, &r) == 0 ? r : x;
    return x;
}

int pdb_sect_to_rva(ls_pdb *p, uint16_t sect, uint32_t off, uint32_t *rva)
{
    const pdb_section_hdr *s = p->nomap_to && p->nosecs ? p->osecs : p->secs;
    size_t n = p->nomap_to && p->nosecs ? p->nosecs : p->nsecs;
    if (sect == 0 || sect > n)
        return -1;
    *rva = s[sect - 1].va + off;
    return 0;
}

static int cmp_range(const void *a, const void *b)
{
    const pdb_range *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    return (x->size < y->size) - (x->size > y->size);
}

int pdb_load_ranges(ls_pdb *p, ls_error *err)
{
    if (p->ranges_state == 1)
        return 0;
    int rc = pdb_load_dbi(p, err);
    if (rc)
        return rc;
    size_t cnt = p->contrib_entry ? p->contrib_len / p->contrib_entry : 0;
    pdb_range *r = malloc((cnt ? cnt : 1) * sizeof *r);
    if (!r)
        return ls_error_oom(err);
    size_t k = 0;
    for (size_t i = 0; i < cnt; i++) {
        const uint8_t *e = p->contrib + i * p->contrib_entry;
        uint32_t rva, size = ls_le32(e + 8);
        uint16_t mod = ls_le16(e + 0x10);
        if (!size || mod >= p->nmods || pdb_sect_to_rva(p, ls_le16(e), ls_le32(e + 4), &rva))
            continue;
        r[k].rva = rva;
        r[k].size = size;
        r[k].module = mod;
        k++;
    }
    qsort(r, k, sizeof *r, cmp_range);
    free(p->ranges);
    p->ranges = r;
    p->nranges = k;
    p->ranges_state = 1;
    return 0;
}

long pdb_module_at(ls_pdb *p, uint32_t rva)
{
    size_t lo = 0, hi = p->nranges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->ranges[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* Contributions do not overlap in linked images, but look back a little in case. */
    for (size_t i = lo, steps = 0; i > 0 && steps < 4; i--, steps++) {
        const pdb_range *r = &p->ranges[i - 1];
        if (rva - r->rva < r->size)
            return r->module;
    }
    return -1;
}
