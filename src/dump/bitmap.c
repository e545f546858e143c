/* bitmap.c - DumpType 5/6 (bitmap dumps) and 2 (legacy kernel summary): a bitmap of present
 * PFNs; pages are stored in PFN order. Lookup = a prefix count per 512 bits + popcounts. */
#include "dump_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { GROUP_BITS = 512 };

typedef struct bitmap_state {
    const uint8_t *bits;       /* inside the mapping */
    uint64_t nbits;
    uint64_t first_page;       /* file offset of the first stored page */
    uint64_t *prefix;          /* set bits before each 512-bit group */
} bitmap_state;

static uint64_t word_at(const bitmap_state *st, uint64_t w)
{
    /* The last word may be partial: never read past ceil(nbits / 8) bytes. */
    uint64_t nbytes = (st->nbits + 7) / 8, off = w * 8, v = 0;
    if (off + 8 <= nbytes)
        return ls_le64(st->bits + off) & (st->nbits - w * 64 >= 64 ? ~0ull : (1ull << (st->nbits - w * 64)) - 1);
    for (unsigned i = 0; i < 8 && off + i < nbytes; i++)
        v |= (uint64_t)st->bits[off + i] << (8 * i);
    uint64_t end_bit = (w + 1) * 64;
    if (end_bit > st->nbits)
        v &= (st->nbits - w * 64) == 64 ? ~0ull : ((1ull << (st->nbits - w * 64)) - 1);
    return v;
}

/* Shared by the bitmap and summary headers once their fields are decoded. */
static int bitmap_setup(ls_dump *d, uint32_t hdr_off, uint64_t bitmap_off, uint64_t nbits,
                        uint64_t present, uint64_t first_page, const char *what, ls_error *err)
{
    const char *path = ls_dump_path(d);
    uint64_t size = ls_source_size(d->src);
    uint64_t nbytes = (nbits + 7) / 8;
    if (nbits > (1ull << 40))
        return ls_error_set(err, LS_ECORRUPT, "%s: offset 0x%x: %s bitmap of 0x%" PRIx64
                                              " bits is beyond any physical memory size",
                            path, hdr_off, what, nbits);
    if (!ls_in_bounds(bitmap_off, nbytes, size))
        return ls_error_set(err, LS_ETRUNCATED,
                            "%s: offset 0x%" PRIx64 ": the %s header's bit count (0x%" PRIx64 " bits, 0x%" PRIx64
                            " bytes of bitmap) runs past the end of the file (0x%" PRIx64 " bytes)",
                            path, bitmap_off, what, nbits, nbytes, size);
    if (first_page % LS_PAGE || first_page < bitmap_off + nbytes)
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: offset 0x%x: first page offset 0x%" PRIx64
                            " is not page-aligned after the bitmap (which ends at 0x%" PRIx64 ")",
                            path, hdr_off, first_page, bitmap_off + nbytes);
    if (present > nbits)
        ls_dump_warn(d, "%s header: %" PRIu64 " present pages but only %" PRIu64 " bits", what,
                     present, nbits);

    bitmap_state *st = calloc(1, sizeof *st);
    uint64_t ngroups = (nbits + GROUP_BITS - 1) / GROUP_BITS;
    if (!st || !(st->prefix = malloc((ngroups + 1) * sizeof *st->prefix))) {
        free(st);
        return ls_error_oom(err);
    }
    d->priv = st;
    st->bits = ls_source_at(d->src, bitmap_off, nbytes);
    st->nbits = nbits;
    st->first_page = first_page;
    uint64_t count = 0, nwords = (nbits + 63) / 64;
    for (uint64_t w = 0; w < nwords; w++) {
        if (w % (GROUP_BITS / 64) == 0)
            st->prefix[w / (GROUP_BITS / 64)] = count;
        count += (uint64_t)__builtin_popcountll(word_at(st, w));
    }
    st->prefix[ngroups] = count;
    if (count != present)
        ls_dump_warn(d, "%s bitmap: inconsistent set-bit count: %" PRIu64 " bits set, header says %" PRIu64
                        " (the bits are trusted)", what, count, present);
    d->present_pages = count;
    d->pfn_limit = nbits;
    uint64_t need = first_page + count * LS_PAGE;
    if (size < need)
        ls_dump_warn(d, "file is truncated: the bitmap promises 0x%" PRIx64 " bytes, the file has 0x%" PRIx64
                        "; pages stored past the end of the file are reported as not in this dump", need, size);
    return 0;
}

static const uint8_t *bitmap_page(const ls_dump *d, uint64_t pfn)
{
    const bitmap_state *st = d->priv;
    if (pfn >= st->nbits || !(st->bits[pfn / 8] & (1u << (pfn % 8))))
        return NULL;
    uint64_t group = pfn / GROUP_BITS, index = st->prefix[group];
    for (uint64_t w = group * (GROUP_BITS / 64); w < pfn / 64; w++)
        index += (uint64_t)__builtin_popcountll(word_at(st, w));
    uint64_t below = word_at(st, pfn / 64) & ((1ull << (pfn % 64)) - 1);
    index += (uint64_t)__builtin_popcountll(below);
    return ls_dump_file_page(d, st->first_page + index * LS_PAGE);
}

static void bitmap_close(ls_dump *d)
{
    bitmap_state *st = d->priv;
    if (st)
        free(st->prefix);
    free(st);
    d->priv = NULL;
}

/* crashdump-format.md §3.4: second-level header at 0x1000/0x2000, signature SDMP or FDMP. */
static int bitmap_open(ls_dump *d, ls_error *err)
{
    uint32_t h = d->hdr.header_size;
    const uint8_t *p = ls_source_at(d->src, h, 0x38);
    if (!p)
        return ls_error_set(err, LS_ETRUNCATED, "%s: truncated: the bitmap dump header at 0x%x "
                                                "needs 0x38 bytes (file has 0x%" PRIx64 ")",
                            ls_dump_path(d), h, ls_source_size(d->src));
    if (memcmp(p, "SDMP", 4) && memcmp(p, "FDMP", 4))
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: offset 0x%x: bitmap dump header signature is \"%.4s\", expected SDMP or FDMP",
                            ls_dump_path(d), h, (const char *)p);
    if (memcmp(p + 4, "DUMP", 4))
        ls_dump_warn(d, "bitmap dump header: ValidDump is not \"DUMP\"");
    return bitmap_setup(d, h, h + 0x38, ls_le64(p + 0x30), ls_le64(p + 0x28), ls_le64(p + 0x20),
                        "bitmap", err);
}

/* crashdump-format.md §3.3: SUMMARY_DUMP32/64, 32-bit fields, bitmap at +0x20 / +0x28. */
static int summary_open(ls_dump *d, ls_error *err)
{
    uint32_t h = d->hdr.header_size;
    int is64 = d->hdr.format == LS_FORMAT_PAGEDU64;
    const uint8_t *p = ls_source_at(d->src, h, 0x28);
    if (!p)
        return ls_error_set(err, LS_ETRUNCATED, "%s: truncated: the summary dump header at 0x%x "
                                                "needs 0x28 bytes (file has 0x%" PRIx64 ")",
                            ls_dump_path(d), h, ls_source_size(d->src));
    if (memcmp(p, "SDMP", 4))
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: offset 0x%x: summary dump header signature is \"%.4s\", expected SDMP",
                            ls_dump_path(d), h, (const char *)p);
    return bitmap_setup(d, h, h + (is64 ? 0x28 : 0x20), ls_le32(p + 0x10), ls_le32(p + 0x14),
                        ls_le32(p + 0x0C), "summary", err);
}

const ls_dump_container ls_container_bitmap = { "bitmap", bitmap_open, bitmap_page, bitmap_close };
const ls_dump_container ls_container_summary = { "summary bitmap", summary_open, bitmap_page, bitmap_close };
