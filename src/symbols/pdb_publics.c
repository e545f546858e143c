/* pdb_publics.c - the global symbol records: publics address map (nearest public for an RVA),
 * walks over the symbol record stream by kind and name, and simple MSVC C undecoration. */
#include "pdb_internal.h"

#include <stdlib.h>
#include <string.h>

#define PSI_HDR 0x1C
#define PUB_CODE 1u
#define PUB_FUNCTION 2u

int pdb_load_symrec(ls_pdb *p, ls_error *err)
{
    if (p->symrec)
        return 0;
    int rc = pdb_load_dbi(p, err);
    if (rc)
        return rc;
    if (p->symrec_stream == 0xFFFF)
        return ls_error_set(err, LS_ENOTFOUND, "%s: no symbol record stream", p->name);
    rc = ls_msf_stream_bytes(p, p->symrec_stream, &p->symrec, &p->symrec_len, err);
    if (rc)
        return ls_error_prefix(err, "symbol records (DBI stream 0x14)");
    return 0;
}

/* Offset of the name in a global symbol record of this kind, 0 if the kind has none we know. */
static size_t name_offset(uint16_t kind, const uint8_t *rec, size_t len)
{
    switch (kind) {
    case S_PUB32: case S_GDATA32: case S_LDATA32:
    case S_PROCREF: case S_LPROCREF: case S_DATAREF:
        return 0x0E;
    case S_UDT:
        return 0x08;
    case 0x1107: { /* S_CONSTANT: type, numeric leaf, name */
        if (len < 0x0A)
            return 0;
        uint16_t leaf = ls_le16(rec + 0x08);
        if (leaf < 0x8000)
            return 0x0A;
        static const uint8_t sizes[] = {1, 2, 2, 4, 4, 4, 8, 10, 16, 8, 8};
        if (leaf <= 0x800A)
            return 0x0A + sizes[leaf - 0x8000];
        return 0;
    }
    default:
        return 0;
    }
}

/* Name lookup through one GSI-format hash table (spec 4.5) at `base` of `stream`. Returns 1
 * when the table was usable (and *ret holds the callback's stop value, or 0), else 0 so the
 * caller falls back to a linear walk. */
static int hash_lookup(ls_pdb *p, uint16_t stream, size_t base, uint16_t kind, const char *name,
                       ls_pdb_symrec_fn fn, void *ctx, int *ret)
{
    const uint8_t *d;
    size_t n;
    if (stream == 0xFFFF || ls_msf_stream_bytes(p, stream, &d, &n, NULL) || !ls_in_bounds(base, 16, n))
        return 0;
    d += base;
    n -= base;
    uint32_t hr = ls_le32(d + 8), bb = ls_le32(d + 12);
    if (ls_le32(d) != 0xFFFFFFFFu || ls_le32(d + 4) != 0xF12F091Au || hr % 8 ||
        !ls_in_bounds(16, (uint64_t)hr + bb, n))
        return 0;
    uint32_t nbuckets = p->minimal_debug ? 0x3FFFF : 4096;
    uint32_t words = (nbuckets + 1 + 31) / 32;
    if (bb < words * 4)
        return 0;
    const uint8_t *recs = d + 16, *bitmap = recs + hr, *starts = bitmap + (size_t)words * 4;
    uint32_t nrec = hr / 8, nstarts = (bb - words * 4) / 4;
    uint32_t h = ls_pdb_hash_name(name, strlen(name), nbuckets);
    *ret = 0;
    if (!(ls_le32(bitmap + (h / 32) * 4) & (1u << (h % 32))))
        return 1;   /* usable, and the name is not there */
    uint32_t k = 0;   /* set bits before h */
    for (uint32_t w = 0; w < h / 32; w++)
        k += (uint32_t)__builtin_popcount(ls_le32(bitmap + w * 4));
    uint32_t low = ls_le32(bitmap + (h / 32) * 4) & ((1u << (h % 32)) - 1);
    k += (uint32_t)__builtin_popcount(low);
    if (k >= nstarts)
        return 0;
    uint32_t first = ls_le32(starts + (size_t)k * 4) / 12;
    uint32_t last = k + 1 < nstarts ? ls_le32(starts + (size_t)(k + 1) * 4) / 12 : nrec;
    if (first > last || last > nrec)
        return 0;
    if (!fn)
        return 1;   /* a usability probe */
    for (uint32_t i = first; i < last; i++) {
        uint32_t off = ls_le32(recs + (size_t)i * 8) - 1;
        if (!ls_in_bounds(off, 4, p->symrec_len))
            continue;
        const uint8_t *r = p->symrec + off;
        size_t len = (size_t)ls_le16(r) + 2;
        uint16_t k2 = ls_le16(r + 2);
        if (len < 4 || !ls_in_bounds(off, len, p->symrec_len) || (kind && k2 != kind))
            continue;
        size_t no = name_offset(k2, r, len);
        const char *sn = no ? pdb_rec_name(r, len, no) : NULL;
        if (sn && strcmp(sn, name) == 0 && (*ret = fn(ctx, k2, r, len)) != 0)
            return 1;
    }
    return 1;
}

int ls_pdb_globals_each(ls_pdb *p, uint16_t kind, const char *name, ls_pdb_symrec_fn fn,
                        void *ctx, ls_error *err)
{
    int rc = pdb_load_symrec(p, err);
    if (rc)
        return rc;
    if (name && pdb_load_info(p, NULL) == 0) {
        /* publics are hashed in the PSI, everything else in the GSI; use the hash tables only
         * when every one needed is sound, so no record is reported twice */
        int need_psi = kind == 0 || kind == S_PUB32, need_gsi = kind != S_PUB32, ret = 0;
        if ((!need_psi || hash_lookup(p, p->psi_stream, 0x1C, kind, name, NULL, NULL, &ret)) &&
            (!need_gsi || hash_lookup(p, p->gsi_stream, 0, kind, name, NULL, NULL, &ret))) {
            if (need_psi)
                hash_lookup(p, p->psi_stream, 0x1C, kind, name, fn, ctx, &ret);
            if (!ret && need_gsi)
                hash_lookup(p, p->gsi_stream, 0, kind, name, fn, ctx, &ret);
            return ret;
        }
    }
    const uint8_t *d = p->symrec;
    size_t n = p->symrec_len, at = 0;
    while (at + 4 <= n) {
        size_t len = (size_t)ls_le16(d + at) + 2;
        uint16_t k = ls_le16(d + at + 2);
        if (len < 4 || !ls_in_bounds(at, len, n))
            break;
        if (!kind || k == kind) {
            int hit = 1;
            if (name) {
                size_t no = name_offset(k, d + at, len);
                const char *s = no ? pdb_rec_name(d + at, len, no) : NULL;
                hit = s && strcmp(s, name) == 0;
            }
            if (hit) {
                int r = fn(ctx, k, d + at, len);
                if (r)
                    return r;
            }
        }
        at += len;
    }
    return 0;
}

static int cmp_pub(const void *a, const void *b)
{
    const pdb_public *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

int pdb_load_publics(ls_pdb *p, ls_error *err)
{
    if (p->pub_state == 1)
        return 0;
    int rc = pdb_load_symrec(p, err);
    if (rc)
        return rc;
    if (p->psi_stream == 0xFFFF)
        return ls_error_set(err, LS_ENOTFOUND, "%s: no public symbol stream", p->name);
    const uint8_t *d;
    size_t n;
    rc = ls_msf_stream_bytes(p, p->psi_stream, &d, &n, err);
    if (rc)
        return ls_error_prefix(err, "publics");
    if (n < PSI_HDR)
        return ls_error_set(err, LS_ETRUNCATED, "%s: publics (stream %u): header truncated",
                            p->name, p->psi_stream);
    uint32_t hsz = ls_le32(d), asz = ls_le32(d + 4);
    if (!ls_in_bounds((uint64_t)PSI_HDR + hsz, asz, n))
        return ls_error_set(err, LS_ETRUNCATED,
                            "%s: publics (stream %u): address map (0x%x bytes after 0x%x of hash) runs past the stream (0x%zx)",
                            p->name, p->psi_stream, asz, hsz, n);
    const uint8_t *am = d + PSI_HDR + hsz;
    size_t cnt = asz / 4, k = 0;
    pdb_public *pubs = malloc((cnt ? cnt : 1) * sizeof *pubs);
    if (!pubs)
        return ls_error_oom(err);
    for (size_t i = 0; i < cnt; i++) {
        uint32_t off = ls_le32(am + i * 4), rva;
        if (!ls_in_bounds(off, 0x0F, p->symrec_len))
            continue;
        const uint8_t *r = p->symrec + off;
        size_t len = (size_t)ls_le16(r) + 2;
        if (ls_le16(r + 2) != S_PUB32 || len < 0x0F || !ls_in_bounds(off, len, p->symrec_len))
            continue;
        if (!pdb_rec_name(r, len, 0x0E) ||
            pdb_sect_to_rva(p, ls_le16(r + 0x0C), ls_le32(r + 0x08), &rva))
            continue;
        pubs[k].rva = rva;
        pubs[k].recoff = off;
        pubs[k].flags = ls_le32(r + 4);
        pubs[k].uname = NULL;
        pubs[k].idx = (uint32_t)i;
        k++;
    }
    qsort(pubs, k, sizeof *pubs, cmp_pub);
    free(p->pubs);
    p->pubs = pubs;
    p->npubs = k;
    p->pub_state = 1;
    return 0;
}

static long section_of(const ls_pdb *p, uint32_t rva)
{
    const pdb_section_hdr *s = p->nomap_to && p->nosecs ? p->osecs : p->secs;
    size_t n = p->nomap_to && p->nosecs ? p->nosecs : p->nsecs;
    for (size_t i = 0; i < n; i++) {
        uint32_t sz = s[i].vsize > s[i].rawsize ? s[i].vsize : s[i].rawsize;
        if (rva - s[i].va < sz)
            return (long)i;
    }
    return -1;
}

const pdb_public *pdb_public_at(ls_pdb *p, uint32_t rva)
{
    size_t lo = 0, hi = p->npubs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->pubs[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    long sec = section_of(p, rva);
    const pdb_public *best = &p->pubs[lo - 1];
    /* Skip string-literal publics (??_C@...) that sit in .text between functions. */
    for (size_t i = lo, steps = 0; i > 0 && steps < 64; i--, steps++) {
        const pdb_public *c = &p->pubs[i - 1];
        if (section_of(p, c->rva) != sec)
            break;
        const uint8_t *r = p->symrec + c->recoff;
        if ((c->flags & (PUB_CODE | PUB_FUNCTION)) || strncmp((const char *)r + 0x0E, "??_C@", 5) != 0) {
            best = c;
            break;
        }
    }
    if (section_of(p, best->rva) != sec)
        return NULL;
    /* aliases at one address (memcpy/memmove): the first in the address map, as LLVM does */
    while (best > p->pubs && best[-1].rva == best->rva &&
           (best[-1].flags & (PUB_CODE | PUB_FUNCTION)) == (best->flags & (PUB_CODE | PUB_FUNCTION)))
        best--;
    return best;
}

void ls_pdb_undecorate(const char *name, uint16_t machine, char *out, size_t cap)
{
    if (!cap)
        return;
    const char *s = name;
    size_t n = strlen(s);
    if (machine == 0x014C && n > 1 && (s[0] == '_' || s[0] == '@')) {
        s++;
        n--;
        /* trailing @N of __stdcall / __fastcall */
        size_t i = n;
        while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
            i--;
        if (i > 1 && i < n && s[i - 1] == '@')
            n = i - 1;
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

const char *pdb_public_name(ls_pdb *p, const pdb_public *pub)
{
    if (pub->uname)
        return pub->uname;
    const uint8_t *r = p->symrec + pub->recoff;
    size_t len = (size_t)ls_le16(r) + 2;
    const char *raw = pdb_rec_name(r, len, 0x0E);
    if (!raw)
        return NULL;
    if (p->machine != 0x014C || raw[0] == '?')
        return ((pdb_public *)pub)->uname = raw;
    size_t cap = strlen(raw) + 1;
    char *u = malloc(cap);
    if (!u)
        return raw;
    ls_pdb_undecorate(raw, p->machine, u, cap);
    const char *kept = pdb_keep_string(p, u);
    ((pdb_public *)pub)->uname = kept ? kept : raw;
    return pub->uname;
}

int pdb_public_named_at(ls_pdb *p, uint32_t rva, const char *raw)
{
    if (pdb_load_publics(p, NULL))
        return 0;
    size_t lo = 0, hi = p->npubs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->pubs[mid].rva < rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < p->npubs && p->pubs[lo].rva == rva; lo++) {
        const uint8_t *r = p->symrec + p->pubs[lo].recoff;
        const char *n = pdb_rec_name(r, (size_t)ls_le16(r) + 2, 0x0E);
        if (n && strcmp(n, raw) == 0)
            return 1;
    }
    return 0;
}

int pdb_public_has_name(ls_pdb *p, uint32_t rva, const char *name)
{
    if (!name || pdb_load_publics(p, NULL))
        return 0;
    size_t lo = 0, hi = p->npubs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->pubs[mid].rva < rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < p->npubs && p->pubs[lo].rva == rva; lo++) {
        const char *n = pdb_public_name(p, &p->pubs[lo]);
        const uint8_t *r = p->symrec + p->pubs[lo].recoff;
        const char *raw = pdb_rec_name(r, (size_t)ls_le16(r) + 2, 0x0E);
        if ((n && strcmp(n, name) == 0) || (raw && strcmp(raw, name) == 0))
            return 1;
    }
    return 0;
}
