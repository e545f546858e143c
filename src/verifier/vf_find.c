/* vf_find.c - finding Verifier's per-driver record when the bug check does not give it
 * (0xC4/0x60 and 0x61, --driver): scan the dump's physical pages for MI_VERIFIER_DRIVER_ENTRY
 * signatures and confirm each through its list links (verifier.md §2.4a i, §2.9). */
#include "vf_internal.h"

#include <inttypes.h>
#include <stdlib.h>

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
