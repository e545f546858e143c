/* vf_traces.c - Verifier's allocate/free stack log (VF_POOL_TRACE, verifier.md §2.6): a
 * circular array of {address, size, thread, frames}; the newest allocate record of a leaked
 * block holds the full stack of the code that allocated it. */
#include "vf_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_LOG = 1 << 20, CHUNK = 256 };

typedef struct by_addr {
    uint64_t address;
    size_t alloc;
} by_addr;

static int cmp_addr(const void *x, const void *y)
{
    const by_addr *a = x, *b = y;
    return (a->address > b->address) - (a->address < b->address);
}

int ls_vf_read_traces(ls_vmem *vm, const ls_vf_trace_globals *g, uint32_t build, uint64_t lo, uint64_t hi,
                      ls_vf_driver *d, ls_vf_trace_info *info, ls_error *err)
{
    int p8 = ls_vmem_ptr_size(vm) == 8;
    unsigned ps = p8 ? 8 : 4;
    /* 13 frames from Vista to Windows 10, 50 from Windows 11. */
    unsigned frames = build >= 22000 ? 50 : 13;
    unsigned stack_at = p8 ? 0x18 : 0x0C, size = stack_at + frames * ps;
    size = (size + ps - 1) / ps * ps;
    uint64_t log;
    uint32_t index, length;
    int rc = ls_vmem_read_ptr(vm, g->traces, &log, err);
    if (!rc)
        rc = ls_vmem_read_u32(vm, g->index, &index, err);
    if (!rc)
        rc = ls_vmem_read_u32(vm, g->length, &length, err);
    if (rc)
        return ls_error_prefix(err, "Verifier's stack log");
    if (!log || !length || length > MAX_LOG || (length & (length - 1)))
        return ls_error_set(err, LS_ECORRUPT, "Verifier's stack log at 0x%" PRIx64 " has an implausible length %u",
                            log, length);
    memset(info, 0, sizeof *info);
    info->log = log;
    info->length = length;
    info->index = index;
    info->frames = frames;

    by_addr *keys = malloc((d->nallocs ? d->nallocs : 1) * sizeof *keys);
    uint8_t *buf = malloc((size_t)CHUNK * size);
    if (!keys || !buf) {
        free(keys);
        free(buf);
        return ls_error_oom(err);
    }
    for (size_t i = 0; i < d->nallocs; i++)
        keys[i] = (by_addr){ d->allocs[i].address, i };
    qsort(keys, d->nallocs, sizeof *keys, cmp_addr);

    /* Newest first: slot (index - k) mod length. Read in chunks; a chunk not in the dump is
     * skipped (its records are lost, which the caller reports as evicted). */
    for (uint32_t k = 0; k < length; k++) {
        uint32_t slot = (index - k) & (length - 1);
        uint8_t *r = buf;
        if (ls_vmem_read(vm, log + (uint64_t)slot * size, r, size, NULL))
            continue;
        uint64_t address = p8 ? ls_le64(r) : ls_le32(r);
        if (!address)
            continue;
        by_addr key = { address, 0 };
        by_addr *hit = bsearch(&key, keys, d->nallocs, sizeof *keys, cmp_addr);
        if (!hit)
            continue;
        ls_vf_alloc *al = &d->allocs[hit->alloc];
        if (al->stack_status == LS_STACK_FOUND)
            continue; /* a newer record was taken already */
        /* An allocate record of the driver's block runs through the driver's code; frees logged
         * by the kernel's unload path do not. */
        unsigned n = 0, in_driver = 0;
        uint64_t fr[64];
        for (unsigned f = 0; f < frames; f++) {
            uint64_t v = p8 ? ls_le64(r + stack_at + f * ps) : ls_le32(r + stack_at + f * ps);
            if (!v)
                break;
            fr[n++] = v;
            in_driver |= v >= lo && v < hi;
        }
        if (!in_driver)
            continue;
        al->stack = malloc(n * sizeof *al->stack);
        if (!al->stack)
            continue;
        memcpy(al->stack, fr, n * sizeof *fr);
        al->nstack = (uint8_t)n;
        al->stack_status = LS_STACK_FOUND;
        info->found++;
    }
    for (size_t i = 0; i < d->nallocs; i++)
        if (d->allocs[i].stack_status != LS_STACK_FOUND) {
            d->allocs[i].stack_status = LS_STACK_EVICTED;
            info->evicted++;
        }
    free(keys);
    free(buf);
    return 0;
}
