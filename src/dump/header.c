/* header.c - DUMP_HEADER32 / DUMP_HEADER64 decoding from one table of field offsets, so
 * the two layouts (which order their fields differently) are read by the same code. */
#include "dump_internal.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

enum { U8 = 1, U32 = 4, U64 = 8, NATIVE = 0 /* 4 bytes on x86, 8 on x64 */ };

/* crashdump-format.md §2.1 (x86) and §2.2 (x64). */
static const struct header_field {
    size_t dest;         /* offsetof(ls_dump_header, ...) */
    size_t has;          /* offsetof of the has_* flag, or 0 */
    uint8_t dsize;       /* size of the destination member: 4 or 8 */
    uint16_t off32, off64;
    uint8_t width;
} fields[] = {
#define DSIZE(member) (uint8_t)sizeof(((ls_dump_header *)0)->member)
#define F(member, o32, o64, w) { offsetof(ls_dump_header, member), 0, DSIZE(member), o32, o64, w }
#define FH(member, o32, o64, w)                                                              \
    { offsetof(ls_dump_header, member), offsetof(ls_dump_header, has_##member), DSIZE(member), \
      o32, o64, w }
    F(major_version, 0x008, 0x008, U32),
    F(build, 0x00C, 0x00C, U32),
    F(directory_table_base, 0x010, 0x010, NATIVE),
    F(pfn_database, 0x014, 0x018, NATIVE),
    F(ps_loaded_module_list, 0x018, 0x020, NATIVE),
    F(ps_active_process_head, 0x01C, 0x028, NATIVE),
    F(machine, 0x020, 0x030, U32),
    F(processors, 0x024, 0x034, U32),
    F(bugcheck_code, 0x028, 0x038, U32),
    F(bugcheck_params[0], 0x02C, 0x040, NATIVE),
    F(bugcheck_params[1], 0x030, 0x048, NATIVE),
    F(bugcheck_params[2], 0x034, 0x050, NATIVE),
    F(bugcheck_params[3], 0x038, 0x058, NATIVE),
    F(kd_debugger_data_block, 0x060, 0x080, NATIVE),
    F(dump_type, 0xF88, 0xF98, U32),
    F(minidump_fields, 0xF8C, 0x1038, U32),
    F(product_type, 0xF94, 0x1040, U32),
    F(suite_mask, 0xF98, 0x1044, U32),
    FH(required_dump_space, 0xFA0, 0xFA0, U64),
    FH(uptime, 0xFB8, 0x1030, U64),
    FH(system_time, 0xFC0, 0xFA8, U64),
    FH(attributes, 0x8A0, 0x1050, U32),
#undef F
#undef FH
#undef DSIZE
};

static int is_unset(uint64_t v, int width)
{
    if (width == U32)
        return v == PAGE_FILL32 || v == 0;
    return v == PAGE_FILL64 || v == 0;
}

static void copy_comment(char out[129], const uint8_t *p)
{
    if (memcmp(p, "PAGEPAGE", 8) == 0) {
        out[0] = '\0';
        return;
    }
    size_t n = 0;
    while (n < 128 && p[n] >= 0x20 && p[n] < 0x7f)
        n++;
    memcpy(out, p, n);
    out[n] = '\0';
}

int ls_dump_parse_header(const ls_source *src, ls_dump_header *h, ls_error *err)
{
    const char *path = ls_source_path(src);
    const uint8_t *p = ls_source_at(src, 0, 8);
    if (!p)
        return ls_error_set(err, LS_ENOTMINE, "%s: file is too short to be a crash dump (%" PRIu64 " bytes)",
                            path, ls_source_size(src));
    int is64;
    if (memcmp(p, "PAGEDUMP", 8) == 0)
        is64 = 0;
    else if (memcmp(p, "PAGEDU64", 8) == 0)
        is64 = 1;
    else
        return ls_error_set(err, LS_ENOTMINE, "%s: not a PAGEDUMP/PAGEDU64 kernel dump", path);

    uint32_t hsize = is64 ? 0x2000 : 0x1000;
    const uint8_t *b = ls_source_at(src, 0, hsize);
    if (!b)
        return ls_error_set(err, LS_ETRUNCATED,
                            "%s: truncated: the %s header needs 0x%x bytes, the file has 0x%" PRIx64,
                            path, is64 ? "DUMP_HEADER64" : "DUMP_HEADER32", hsize, ls_source_size(src));
    ls_dump_header t;
    memset(&t, 0, sizeof t);
    t.format = is64 ? LS_FORMAT_PAGEDU64 : LS_FORMAT_PAGEDUMP;
    t.header_size = hsize;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const struct header_field *f = &fields[i];
        int w = f->width == NATIVE ? (is64 ? U64 : U32) : f->width;
        const uint8_t *q = b + (is64 ? f->off64 : f->off32);
        uint64_t v = w == U64 ? ls_le64(q) : w == U32 ? ls_le32(q) : q[0];
        if (f->has) {
            int *flag = (int *)((char *)&t + f->has);
            *flag = !is_unset(v, w);
            if (!*flag)
                v = 0;
        }
        if (f->dsize == 8) {
            memcpy((char *)&t + f->dest, &v, 8);
        } else {
            uint32_t v32 = (uint32_t)v;
            memcpy((char *)&t + f->dest, &v32, 4);
        }
    }
    t.arch = t.machine == 0x14c ? LS_ARCH_X86 : t.machine == 0x8664 ? LS_ARCH_X64
           : t.machine == 0xaa64 ? LS_ARCH_ARM64 : LS_ARCH_UNKNOWN;
    if (!is64) {
        uint8_t pae = b[0x5C];
        t.pae = pae != 0 && pae != 'P';
    }
    if (ls_is_fill32(t.processors))
        t.processors = 0;
    if (ls_is_fill32(t.product_type))
        t.product_type = 0;
    if (ls_is_fill32(t.suite_mask))
        t.suite_mask = 0;
    if (ls_is_fill32(t.minidump_fields))
        t.minidump_fields = 0;
    copy_comment(t.comment, b + (is64 ? 0xFB0 : 0x820));
    t.context_offset = is64 ? 0x348 : 0x320;
    t.exception_offset = is64 ? 0xF00 : 0x7D0;

    if ((is64 && t.arch == LS_ARCH_X86) || (!is64 && t.arch != LS_ARCH_X86 && t.arch != LS_ARCH_UNKNOWN))
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: offset 0x%x: MachineImageType 0x%x does not fit a %s header", path,
                            is64 ? 0x30 : 0x20, t.machine, is64 ? "64-bit" : "32-bit");
    if (t.arch == LS_ARCH_UNKNOWN)
        return ls_error_set(err, LS_EUNSUPPORTED, "%s: offset 0x%x: unknown MachineImageType 0x%x",
                            path, is64 ? 0x30 : 0x20, t.machine);
    *h = t;
    return 0;
}
