/* triage.c - DumpType 4 (small memory / triage dumps): the TRIAGE_DUMP32/64 directory, its
 * validated sections, and the saved virtual ranges (data blocks, KDBG copy, data page, stack). */
#include "dump_internal.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_BLOCKS = 1000000, MAX_DRIVERS = 65536 };

/* crashdump-format.md §4.1: field offsets in TRIAGE_DUMP32 and TRIAGE_DUMP64. */
static const struct triage_field {
    size_t dest;
    uint8_t off32, off64;
    uint8_t wide;            /* 1: pointer-sized (4 on x86, 8 on x64) */
} fields[] = {
#define T(member, o32, o64, w) { offsetof(ls_triage, member), o32, o64, w }
    T(service_pack_build, 0x00, 0x00, 0),
    T(size_of_dump, 0x04, 0x04, 0),
    T(mm_offset, 0x14, 0x14, 0),
    T(unloaded_offset, 0x18, 0x18, 0),
    T(prcb_offset, 0x1C, 0x1C, 0),
    T(process_offset, 0x20, 0x20, 0),
    T(thread_offset, 0x24, 0x24, 0),
    T(callstack_offset, 0x28, 0x28, 0),
    T(callstack_size, 0x2C, 0x2C, 0),
    T(driver_list_offset, 0x30, 0x30, 0),
    T(driver_count, 0x34, 0x34, 0),
    T(string_pool_offset, 0x38, 0x38, 0),
    T(string_pool_size, 0x3C, 0x3C, 0),
    T(broken_driver_offset, 0x40, 0x40, 0),
    T(top_of_stack, 0x48, 0x48, 1),
    T(data_page_va, 0x4C, 0x60, 1),
    T(data_page_offset, 0x50, 0x68, 0),
    T(data_page_size, 0x54, 0x6C, 0),
    T(kdbg_offset, 0x58, 0x70, 0),
    T(kdbg_size, 0x5C, 0x74, 0),
    T(data_blocks_offset, 0x60, 0x78, 0),
    T(data_blocks_count, 0x64, 0x7C, 0),
#undef T
};

typedef struct block_list {
    ls_triage_block *v;
    size_t n, cap;
} block_list;

static int add_block(block_list *l, uint64_t va, uint64_t off, uint32_t size)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        ls_triage_block *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = (ls_triage_block){ va, off, size };
    return 0;
}

static int by_va(const void *a, const void *b)
{
    const ls_triage_block *x = a, *y = b;
    return x->va < y->va ? -1 : x->va > y->va ? 1 : (x->offset > y->offset) - (x->offset < y->offset);
}

/* A section that is present must lie inside the file; a broken one is dropped with a warning
 * rather than failing the whole dump (the rest is still useful). */
static int section_ok(ls_dump *d, const char *what, uint64_t off, uint64_t size)
{
    if (off == 0)
        return 0;
    if (!ls_in_bounds(off, size, ls_source_size(d->src))) {
        ls_dump_warn(d, "triage %s at offset 0x%" PRIx64 " (0x%" PRIx64 " bytes) lies outside the file; ignored",
                     what, off, size);
        return 0;
    }
    return 1;
}

static int read_blocks(ls_dump *d, ls_triage *t, block_list *l, ls_error *err)
{
    uint64_t size = ls_source_size(d->src);
    if (t->data_blocks_count > MAX_BLOCKS)
        return ls_error_set(err, LS_ECORRUPT, "%s: offset 0x%x: data block count %u in the triage directory is beyond any real dump",
                            ls_dump_path(d), d->hdr.header_size + (d->hdr.arch == LS_ARCH_X86 ? 0x64 : 0x7C),
                            t->data_blocks_count);
    /* x64 entries are 16 bytes; x86 is unverified: 16 first, 12 if 16 does not line up. */
    static const unsigned strides[] = { 16, 12 };
    for (unsigned s = 0; s < (d->hdr.arch == LS_ARCH_X86 ? 2u : 1u); s++) {
        unsigned stride = strides[s];
        const uint8_t *e = ls_source_at(d->src, t->data_blocks_offset, (uint64_t)t->data_blocks_count * stride);
        if (!e)
            continue;
        size_t start = l->n, bad = 0;
        for (uint32_t i = 0; i < t->data_blocks_count; i++) {
            const uint8_t *r = e + (size_t)i * stride;
            uint64_t va = stride == 16 ? ls_le64(r) : ls_le32(r);
            uint32_t off = ls_le32(r + (stride == 16 ? 8 : 4)), len = ls_le32(r + (stride == 16 ? 12 : 8));
            if (!ls_in_bounds(off, len, size) || len == 0) {
                bad++;
                continue;
            }
            if (add_block(l, va, off, len))
                return ls_error_oom(err);
        }
        if (bad == 0 || s + 1 == (d->hdr.arch == LS_ARCH_X86 ? 2u : 1u)) {
            if (bad)
                ls_dump_warn(d, "triage data blocks: %zu of %u entries point outside the file; ignored", bad,
                             t->data_blocks_count);
            if (stride != 16)
                ls_dump_warn(d, "triage data blocks read with 12-byte x86 entries");
            return 0;
        }
        l->n = start; /* retry with the other stride */
    }
    ls_dump_warn(d, "triage data block table at 0x%x (%u entries) lies outside the file; ignored",
                 t->data_blocks_offset, t->data_blocks_count);
    return 0;
}

static int triage_open(ls_dump *d, ls_error *err)
{
    const char *path = ls_dump_path(d);
    int is64 = d->hdr.format == LS_FORMAT_PAGEDU64;
    uint32_t h = d->hdr.header_size, len = is64 ? 0x80 : 0x68;
    const uint8_t *p = ls_source_at(d->src, h, len);
    if (!p)
        return ls_error_set(err, LS_ETRUNCATED,
                            "%s: truncated: the triage directory at 0x%x needs 0x%x bytes, the file has 0x%" PRIx64,
                            path, h, len, ls_source_size(d->src));
    ls_triage t;
    memset(&t, 0, sizeof t);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const uint8_t *q = p + (is64 ? fields[i].off64 : fields[i].off32);
        if (fields[i].wide) {
            uint64_t v = is64 ? ls_le64(q) : ls_le32(q);
            memcpy((char *)&t + fields[i].dest, &v, 8);
        } else {
            uint32_t v = ls_le32(q);
            memcpy((char *)&t + fields[i].dest, &v, 4);
        }
    }
    uint64_t size = ls_source_size(d->src);
    if (t.size_of_dump < h + len)
        return ls_error_set(err, LS_ECORRUPT, "%s: offset 0x%x: triage SizeOfDump 0x%x is smaller than its own directory",
                            path, h + 4, t.size_of_dump);
    const uint8_t *marker = ls_source_at(d->src, (uint64_t)t.size_of_dump - 4, 4);
    t.valid_marker = marker && memcmp(marker, "TRGD", 4) == 0;
    if (!marker)
        ls_dump_warn(d, "file is truncated: the triage image is 0x%x bytes, the file has 0x%" PRIx64,
                     t.size_of_dump, size);
    else if (!t.valid_marker)
        ls_dump_warn(d, "triage validity marker TRGD missing at offset 0x%x: the triage image may be incomplete",
                     t.size_of_dump - 4);

    t.driver_stride = is64 ? 0x90 : 0x4C;
    if (t.driver_count > MAX_DRIVERS)
        return ls_error_set(err, LS_ECORRUPT, "%s: offset 0x%x: driver count %u in the triage directory is beyond any real system",
                            path, h + 0x34, t.driver_count);
    if (!section_ok(d, "driver list", t.driver_list_offset, (uint64_t)t.driver_count * t.driver_stride)) {
        t.driver_list_offset = 0;
        t.driver_count = 0;
    }
    if (!section_ok(d, "string pool", t.string_pool_offset, t.string_pool_size))
        t.string_pool_offset = t.string_pool_size = 0;
    if (!section_ok(d, "call stack", t.callstack_offset, t.callstack_size))
        t.callstack_offset = t.callstack_size = 0;
    if (!section_ok(d, "KDBG copy", t.kdbg_offset, t.kdbg_size))
        t.kdbg_offset = t.kdbg_size = 0;
    if (!section_ok(d, "data page", t.data_page_offset, t.data_page_size))
        t.data_page_offset = t.data_page_size = 0;
    if (!section_ok(d, "unloaded driver list", t.unloaded_offset, 8))
        t.unloaded_offset = 0;
    if (!section_ok(d, "Mm information", t.mm_offset, 8))
        t.mm_offset = 0;

    block_list l = { 0 };
    int rc = 0;
    if (t.data_blocks_offset && t.data_blocks_count)
        rc = read_blocks(d, &t, &l, err);
    /* The other saved virtual ranges (§4.4), so vmem can serve them through one table. */
    if (!rc && t.kdbg_offset && d->hdr.kd_debugger_data_block)
        rc = add_block(&l, d->hdr.kd_debugger_data_block, t.kdbg_offset, t.kdbg_size) ? ls_error_oom(err) : 0;
    if (!rc && t.data_page_offset && t.data_page_va)
        rc = add_block(&l, t.data_page_va, t.data_page_offset, t.data_page_size) ? ls_error_oom(err) : 0;
    if (!rc && t.callstack_offset && t.top_of_stack)
        rc = add_block(&l, t.top_of_stack, t.callstack_offset, t.callstack_size) ? ls_error_oom(err) : 0;
    if (rc) {
        free(l.v);
        return rc;
    }
    if (l.n)
        qsort(l.v, l.n, sizeof *l.v, by_va);
    d->blocks = l.v;
    t.blocks = l.v;
    t.nblocks = l.n;
    d->triage = t;
    d->is_triage = 1;
    return 0;
}

const ls_dump_container ls_container_triage = { "triage", triage_open, NULL, NULL };
