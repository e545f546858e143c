/* vf_find.c - finding Verifier's per-driver record when the bug check does not give it
 * (0xC4/0x60 and 0x61, --driver): scan the dump's physical pages for MI_VERIFIER_DRIVER_ENTRY
 * signatures and confirm each through its list links (verifier.md §2.4a i, §2.9). */
#include "vf_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { PAGE = 0x1000, MAX_CANDIDATES = 64 };

int ls_vf_find_records(ls_vmem *vm, uint64_t **out, size_t *count, ls_error *err)
{
    const ls_dump *d = ls_vmem_dump(vm);
    const ls_dump_header *h = ls_dump_get_header(d);
    if (!ls_dump_has_physical(d))
        return ls_error_set(err, LS_ENODATA, "this dump holds no physical memory to search for Verifier's records");
    int p8 = ls_vmem_ptr_size(vm) == 8;
    unsigned ps = p8 ? 8 : 4;
    size_t n;
    const ls_vf_layout *rows = ls_vf_layouts(&n);
    uint64_t *found = calloc(MAX_CANDIDATES, sizeof *found);
    if (!found)
        return ls_error_oom(err);
    size_t nfound = 0;
    /* The signature offsets to look at: those of the record forms that carry one. */
    int offsets[4], noff = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].arch != h->arch || rows[i].signature < 0)
            continue;
        int seen = 0;
        for (int j = 0; j < noff; j++)
            seen |= offsets[j] == rows[i].signature;
        if (!seen && noff < 4)
            offsets[noff++] = rows[i].signature;
    }
    uint64_t limit = ls_dump_pfn_limit(d);
    for (uint64_t pfn = 0; pfn < limit && nfound < MAX_CANDIDATES; pfn++) {
        const uint8_t *page = ls_dump_page(d, pfn);
        if (!page)
            continue;
        for (unsigned at = 0; at + ps <= PAGE && nfound < MAX_CANDIDATES; at += ps) {
            if (ls_le32(page + at) != MI_VERIFIER_ENTRY_SIGNATURE || (p8 && ls_le32(page + at + 4)))
                continue;
            for (int j = 0; j < noff; j++) {
                if ((int)at < offsets[j])
                    continue;
                unsigned start = at - (unsigned)offsets[j];
                /* Links.Flink's target points back at this entry through its Blink. */
                uint64_t flink = p8 ? ls_le64(page + start) : ls_le32(page + start);
                uint64_t self, pa;
                if (ls_vmem_read_ptr(vm, flink + ps, &self, NULL) || ls_vmem_translate(vm, self, &pa, NULL) ||
                    pa != pfn * PAGE + start)
                    continue;
                size_t k = 0;
                while (k < nfound && found[k] != self)
                    k++;
                if (k == nfound)
                    found[nfound++] = self;
            }
        }
    }
    *out = found;
    *count = nfound;
    return 0;
}

/* ---- Windows 7 and later: records carry no signature, so follow the driver's name. ---- */

typedef struct hit {
    uint64_t pfn;
    unsigned off;
} hit;

static int hit_by_pfn(const void *x, const void *y)
{
    const hit *a = x, *b = y;
    return (a->pfn > b->pfn) - (a->pfn < b->pfn);
}

/* Virtual addresses of hits (physical page + offset), through one page-table walk. */
static size_t hits_to_vas(ls_vmem *vm, hit *h, size_t n, uint64_t *vas)
{
    uint64_t pfns[MAX_CANDIDATES], pv[MAX_CANDIDATES];
    size_t u = 0, out = 0;
    qsort(h, n, sizeof *h, hit_by_pfn);
    for (size_t i = 0; i < n; i++)
        if (!u || pfns[u - 1] != h[i].pfn)
            pfns[u++] = h[i].pfn;
    if (!u || ls_vmem_reverse(vm, pfns, u, pv, NULL))
        return 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < u && pfns[k] != h[i].pfn)
            k++;
        if (k < u && pv[k])
            vas[out++] = pv[k] + h[i].off;
    }
    return out;
}

static int ascii_ieq(unsigned a, unsigned b)
{
    if (a >= 'A' && a <= 'Z')
        a += 32;
    if (b >= 'A' && b <= 'Z')
        b += 32;
    return a == b;
}

/* Every pointer-sized value in the dump equal to one of want[] at offset `delta` from an aligned
 * slot; optionally the u16 at `len_at` from the slot must equal len. */
static size_t scan_pointers(const ls_dump *d, int p8, const uint64_t *want, size_t nwant, int delta, int len_at,
                            unsigned len, hit *out)
{
    size_t n = 0;
    unsigned ps = p8 ? 8 : 4;
    uint64_t limit = ls_dump_pfn_limit(d);
    for (uint64_t pfn = 0; pfn < limit && n < MAX_CANDIDATES; pfn++) {
        const uint8_t *page = ls_dump_page(d, pfn);
        if (!page)
            continue;
        for (unsigned at = 0; at + ps <= PAGE && n < MAX_CANDIDATES; at += ps) {
            uint64_t v = p8 ? ls_le64(page + at) : ls_le32(page + at);
            size_t k = 0;
            while (k < nwant && want[k] != v)
                k++;
            if (k == nwant || (int)at < delta)
                continue;
            if (len_at >= 0 && ((int)at < len_at || ls_le16(page + at - len_at) != len))
                continue;
            out[n++] = (hit){ pfn, at - (unsigned)delta };
        }
    }
    return n;
}

int ls_vf_find_by_name(ls_vmem *vm, const char *name, uint64_t **out, size_t *count, ls_error *err)
{
    const ls_dump *d = ls_vmem_dump(vm);
    const ls_dump_header *h = ls_dump_get_header(d);
    size_t len = strlen(name);
    if (!ls_dump_has_physical(d))
        return ls_error_set(err, LS_ENODATA, "this dump holds no physical memory to search for Verifier's records");
    if (len == 0 || len > 120)
        return ls_error_set(err, LS_EINVAL, "bad driver name");
    int p8 = ls_vmem_ptr_size(vm) == 8;
    unsigned ps = p8 ? 8 : 4;
    hit hits[MAX_CANDIDATES];
    uint64_t strings[MAX_CANDIDATES], ustrs[MAX_CANDIDATES], suspects[MAX_CANDIDATES * 2];
    /* 1. The name's UTF-16 bytes, wherever they are (2-byte aligned). */
    size_t n = 0;
    uint64_t limit = ls_dump_pfn_limit(d);
    for (uint64_t pfn = 0; pfn < limit && n < MAX_CANDIDATES; pfn++) {
        const uint8_t *page = ls_dump_page(d, pfn);
        if (!page)
            continue;
        for (unsigned at = 0; at + 2 * len <= PAGE && n < MAX_CANDIDATES; at += 2) {
            size_t i = 0;
            while (i < len && page[at + 2 * i + 1] == 0 && ascii_ieq(page[at + 2 * i], (unsigned char)name[i]))
                i++;
            if (i == len)
                hits[n++] = (hit){ pfn, at };
        }
    }
    size_t ns = hits_to_vas(vm, hits, n, strings);
    /* 2. UNICODE_STRINGs whose Buffer is one of them, with the name's length. */
    n = scan_pointers(d, p8, strings, ns, (int)ps, (int)ps, (unsigned)(2 * len), hits);
    size_t nu = hits_to_vas(vm, hits, n, ustrs);
    /* 3. Suspect entries around them (BaseName at the offsets the VF layouts give), then the
     *    VF_TARGET_VERIFIED_DRIVER_DATA records that point at a suspect entry from offset 0. */
    size_t nrows, nsus = 0;
    const ls_vf_layout *rows = ls_vf_layouts(&nrows);
    for (size_t i = 0; i < nu; i++)
        for (size_t r = 0; r < nrows; r++) {
            if (rows[r].arch != h->arch || rows[r].form != LS_VF_VF_PAGES || nsus >= MAX_CANDIDATES * 2)
                continue;
            uint64_t s = ustrs[i] - (uint64_t)rows[r].suspect_name;
            size_t k = 0;
            while (k < nsus && suspects[k] != s)
                k++;
            if (k == nsus)
                suspects[nsus++] = s;
        }
    n = scan_pointers(d, p8, suspects, nsus, 0, -1, 0, hits);
    uint64_t *found = calloc(MAX_CANDIDATES, sizeof *found);
    if (!found)
        return ls_error_oom(err);
    *count = hits_to_vas(vm, hits, n, found);
    *out = found;
    return 0;
}
