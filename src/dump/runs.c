/* runs.c - DumpType 1 (full dump): the PHYSICAL_MEMORY_DESCRIPTOR run list in the header;
 * pages follow the header run after run. Lookup is a binary search over the runs. */
#include "dump_internal.h"

#include <inttypes.h>
#include <stdlib.h>


static int runs_open(ls_dump *d, ls_error *err)
{
    const char *path = ls_dump_path(d);
    int is64 = d->hdr.format == LS_FORMAT_PAGEDU64;
    uint32_t desc = is64 ? 0x88 : 0x64;
    const uint8_t *b = ls_source_at(d->src, 0, d->hdr.header_size);
    uint32_t nruns = ls_le32(b + desc);
    uint64_t npages = is64 ? ls_le64(b + desc + 8) : ls_le32(b + desc + 4);
    uint32_t max = is64 ? 43 : 86;
    uint32_t first_run = is64 ? desc + 0x10 : desc + 8;
    uint32_t stride = is64 ? 16 : 8;

    if (ls_is_fill32(nruns))
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: offset 0x%x: a full dump (DumpType 1) without a run list "
                            "(NumberOfRuns is the PAGE fill)", path, desc);
    if (nruns > max)
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: offset 0x%x: run count (NumberOfRuns) %u exceeds the %u runs the header can hold",
                            path, desc, nruns, max);
    runs_state *st = calloc(1, sizeof *st);
    if (!st || (nruns && !(st->runs = calloc(nruns, sizeof *st->runs)))) {
        free(st);
        return ls_error_oom(err);
    }
    d->priv = st;
    st->data_start = d->hdr.header_size;
    uint64_t total = 0, prev_end = 0;
    for (uint32_t i = 0; i < nruns; i++) {
        const uint8_t *r = b + first_run + i * stride;
        uint64_t base = is64 ? ls_le64(r) : ls_le32(r);
        uint64_t count = is64 ? ls_le64(r + 8) : ls_le32(r + 4);
        if (count > (1ull << 40) || base > (1ull << 40))
            return ls_error_set(err, LS_ECORRUPT,
                                "%s: offset 0x%x: run %u (BasePage 0x%" PRIx64 ", PageCount 0x%" PRIx64
                                ") is beyond any physical address",
                                path, first_run + i * stride, i, base, count);
        if (i && base < prev_end)
            return ls_error_set(err, LS_ECORRUPT,
                                "%s: offset 0x%x: run %u (BasePage 0x%" PRIx64
                                ") overlaps or precedes the previous run",
                                path, first_run + i * stride, i, base);
        st->runs[st->n++] = (ls_run){ base, count, total };
        total += count;
        prev_end = base + count;
    }
    if (total != npages)
        ls_dump_warn(d, "run list: the runs hold 0x%" PRIx64 " pages but NumberOfPages says 0x%" PRIx64,
                     total, npages);
    d->present_pages = total;
    d->pfn_limit = prev_end;
    uint64_t need = d->hdr.header_size + total * LS_PAGE;
    uint64_t have = ls_source_size(d->src);
    if (have < need) {
        uint64_t held = have > d->hdr.header_size ? (have - d->hdr.header_size) / LS_PAGE : 0;
        ls_dump_warn(d,
                     "file is truncated: the run list promises 0x%" PRIx64 " bytes, the file has 0x%" PRIx64
                     "; 0x%" PRIx64 " of 0x%" PRIx64 " pages are present, the rest lie past the end of the file",
                     need, have, held, total);
    }
    return 0;
}

const uint8_t *ls_runs_page(const ls_dump *d, uint64_t pfn)
{
    const runs_state *st = d->priv;
    size_t lo = 0, hi = st->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->runs[mid].base + st->runs[mid].count <= pfn)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == st->n || pfn < st->runs[lo].base)
        return NULL;
    uint64_t index = st->runs[lo].first + (pfn - st->runs[lo].base);
    return ls_dump_file_page(d, st->data_start + index * LS_PAGE);
}

void ls_runs_close(ls_dump *d)
{
    runs_state *st = d->priv;
    if (st)
        free(st->runs);
    free(st);
    d->priv = NULL;
}

const ls_dump_container ls_container_runs = { "run list", runs_open, ls_runs_page, ls_runs_close };

/* DumpType 3: a header and nothing else. */
static int none_open(ls_dump *d, ls_error *err)
{
    (void)err;
    ls_dump_warn(d, "header-only dump (DumpType 3): it holds no memory");
    return 0;
}
const ls_dump_container ls_container_none = { "header only", none_open, NULL, NULL };
