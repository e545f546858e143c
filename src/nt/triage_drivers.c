/* triage_drivers.c - the module list of a small memory dump: DUMP_DRIVER_ENTRY records
 * (a classic loader-entry copy) whose names live in the DUMP_STRING pool. */
#include "nt_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* crashdump-format.md §4.3.1: entry offsets, x86 (stride 0x4C) and x64 (stride 0x90). */
static const struct driver_layout {
    uint8_t dll_base, size_of_image, checksum, timestamp;
} drv32 = { 0x1C, 0x24, 0x44, 0x48 }, drv64 = { 0x38, 0x48, 0x80, 0x88 };

/* A DUMP_STRING (§4.3.2): u32 length in UTF-16 units, the characters, a NUL. */
static int pool_string(ls_kernel *k, const ls_triage *t, uint32_t off, char *out, size_t outsize, ls_error *err)
{
    const ls_source *src = ls_dump_source(k->dump);
    uint64_t pool_end = (uint64_t)t->string_pool_offset + t->string_pool_size;
    if (!t->string_pool_offset || off < t->string_pool_offset || off + 4ull > pool_end)
        return ls_error_set(err, LS_ECORRUPT, "name offset 0x%x is outside the string pool (0x%x..0x%" PRIx64 ")",
                            off, t->string_pool_offset, pool_end);
    const uint8_t *p = ls_source_at(src, off, 4);
    uint32_t units = p ? ls_le32(p) : 0;
    if (!p || units > 32767 || off + 4ull + units * 2ull > pool_end)
        return ls_error_set(err, LS_ECORRUPT, "string at offset 0x%x: length %u runs past the string pool",
                            off, units);
    ls_utf16_to_utf8(ls_source_at(src, off + 4, units * 2ull), units, out, outsize);
    return 0;
}

void ls_kernel_read_triage_drivers(ls_kernel *k)
{
    const ls_triage *t = ls_dump_get_triage(k->dump);
    const ls_source *src = ls_dump_source(k->dump);
    int is64 = k->hdr->format == LS_FORMAT_PAGEDU64;
    const struct driver_layout *L = is64 ? &drv64 : &drv32;
    if (!t->driver_list_offset || !t->driver_count) {
        ls_kernel_warn(k, "the small memory dump has no driver list");
        return;
    }
    k->module_source = "triage driver list";
    if (t->string_pool_offset &&
        (uint64_t)t->driver_list_offset + (uint64_t)t->driver_count * t->driver_stride != t->string_pool_offset)
        ls_kernel_warn(k, "triage driver list (0x%x + %u x 0x%x) does not end where the string pool starts (0x%x)",
                       t->driver_list_offset, t->driver_count, t->driver_stride, t->string_pool_offset);
    for (uint32_t i = 0; i < t->driver_count; i++) {
        uint64_t at = (uint64_t)t->driver_list_offset + (uint64_t)i * t->driver_stride;
        const uint8_t *e = ls_source_at(src, at, t->driver_stride);
        if (!e)
            break;
        ls_module m;
        memset(&m, 0, sizeof m);
        m.base = is64 ? ls_le64(e + L->dll_base) : ls_le32(e + L->dll_base);
        m.size = ls_le32(e + L->size_of_image);
        m.checksum = ls_le32(e + L->checksum);
        m.timestamp = ls_le32(e + L->timestamp);
        ls_error err;
        if (pool_string(k, t, ls_le32(e), m.path, sizeof m.path, &err)) {
            ls_kernel_warn(k, "triage driver %u (offset 0x%" PRIx64 "): %s", i, at, err.msg);
            snprintf(m.name, sizeof m.name, "module_%" PRIx64, m.base);
        } else {
            snprintf(m.name, sizeof m.name, "%s", ls_basename_nt(m.path));
        }
        if (ls_kernel_add_module(k, &m))
            break;
    }
}
