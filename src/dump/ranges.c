/* ranges.c - DumpType 8/9/10, written by recent debuggers: an RDMP range list after the
 * header. The layout is unverified (crashdump-format.md §3.5), so it is read best effort. */
#include "dump_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_RANGES = 1 << 20 };

static int ranges_open(ls_dump *d, ls_error *err)
{
    const char *path = ls_dump_path(d);
    uint32_t h = d->hdr.header_size;
    const uint8_t *p = ls_source_at(d->src, h, 0x30);
    if (!p)
        return ls_error_set(err, LS_ETRUNCATED, "%s: truncated: the range dump header at 0x%x needs 0x30 bytes",
                            path, h);
    if (memcmp(p + 4, "RDMP", 4))
        return ls_error_set(err, LS_ECORRUPT, "%s: offset 0x%x: range dump signature is \"%.4s\", expected RDMP",
                            path, h + 4, (const char *)p + 4);
    uint64_t meta = ls_le64(p + 0x10), first = ls_le64(p + 0x18);
    int complete = d->hdr.dump_type == LS_DUMP_RANGE_COMPLETE;
    uint64_t total_limit = complete ? ls_le64(p + 0x28) : UINT64_MAX;
    uint64_t size = ls_source_size(d->src);
    uint64_t entries_at = h + 0x30;
    /* Pages need not be page-aligned in the file here: the layout puts them right after
     * the range list (MetadataSize - 0x20 == FirstPageOffset - 0x2040 in the one parser). */
    if (first < entries_at)
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: offset 0x%x: FirstPageOffset 0x%" PRIx64 " lies before the range list",
                            path, h + 0x18, first);
    if (meta >= 0x20 && meta - 0x20 != first - (h + 0x40))
        ls_dump_warn(d, "range dump: MetadataSize 0x%" PRIx64 " and FirstPageOffset 0x%" PRIx64
                        " disagree (expected FirstPageOffset - 0x%x == MetadataSize - 0x20)",
                     meta, first, h + 0x40);
    uint64_t max = (first - entries_at) / 16;
    if (meta / 16 < max)
        max = meta / 16;
    if (max > MAX_RANGES)
        return ls_error_set(err, LS_ECORRUPT, "%s: offset 0x%x: %" PRIu64 " ranges is beyond any real dump",
                            path, h + 0x10, max);
    if (!ls_in_bounds(entries_at, max * 16, size))
        return ls_error_set(err, LS_ETRUNCATED, "%s: offset 0x%" PRIx64 ": the range list runs past the end of the file",
                            path, entries_at);
    runs_state *st = calloc(1, sizeof *st);
    if (!st || (max && !(st->runs = calloc(max, sizeof *st->runs)))) {
        free(st);
        return ls_error_oom(err);
    }
    d->priv = st;
    st->data_start = first;
    const uint8_t *e = ls_source_at(d->src, entries_at, max * 16);
    uint64_t total = 0, prev_end = 0;
    for (uint64_t i = 0; i < max && total < total_limit; i++) {
        uint64_t base = ls_le64(e + i * 16), count = ls_le64(e + i * 16 + 8);
        if (!complete && base == 0 && count == 0)
            break;
        if (count > (1ull << 40) || base > (1ull << 40) || (st->n && base < prev_end))
            return ls_error_set(err, LS_ECORRUPT,
                                "%s: offset 0x%" PRIx64 ": range %" PRIu64 " (BasePfn 0x%" PRIx64 ", 0x%" PRIx64
                                " pages) is out of order or beyond any physical address",
                                path, entries_at + i * 16, i, base, count);
        st->runs[st->n++] = (ls_run){ base, count, total };
        total += count;
        prev_end = base + count;
    }
    d->present_pages = total;
    d->pfn_limit = prev_end;
    ls_dump_warn(d, "DumpType %u range dumps are read from an unverified layout (best effort)",
                 d->hdr.dump_type);
    if (size < first + total * LS_PAGE)
        ls_dump_warn(d, "file is truncated: the range list promises 0x%" PRIx64 " bytes, the file has 0x%" PRIx64,
                     first + total * LS_PAGE, size);
    return 0;
}

const ls_dump_container ls_container_ranges = { "range list", ranges_open, ls_runs_page, ls_runs_close };
