/* dump.c - opening a Windows kernel dump: identify the file, decode the header, pick the
 * physical-memory container for its DumpType, and answer page and header queries. */
#include "dump_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Files people hand us that are not kernel dumps get a name, not "bad signature". */
static const struct foreign {
    const char *magic;
    size_t len;
    const char *what;
} foreign[] = {
    { "MDMP", 4, "a user-mode minidump (MDMP), not a kernel crash dump" },
    { "USERDUMP", 8, "a legacy user-mode dump (USERDUMP), not a kernel crash dump" },
    { "USERDU64", 8, "a legacy user-mode dump (USERDU64), not a kernel crash dump" },
    { "Raw_Dmp!", 8, "a Microsoft offline crash dump (Raw_Dmp!), which lalscan does not read" },
    { "\x7f" "ELF", 4, "an ELF core file; convert a Windows guest's ELF dump with QEMU's elf2dmp "
                      "or dump it with dump-guest-memory -w" },
    { "MSCF", 4, "a cabinet (MSCF); extract the .dmp inside it first (cabextract)" },
    { "PK\x03\x04", 4, "a zip archive; extract the .dmp inside it first" },
    { "KDUMP   ", 8, "a Linux kdump-compressed file, not a Windows crash dump" },
    { "makedumpfile", 12, "a flattened makedumpfile stream, not a Windows crash dump" },
    { "Microsoft C/C++ MSF 7.00", 24, "a PDB file, not a crash dump" },
    { "MZ", 2, "a PE image, not a crash dump" },
};

/* DumpType → container (crashdump-format.md §3.1). */
static const struct type_row {
    uint32_t type;
    const ls_dump_container *ops;
} containers[] = {
    { LS_DUMP_FULL, &ls_container_runs },
    { LS_DUMP_SUMMARY, &ls_container_summary },
    { LS_DUMP_HEADER_ONLY, &ls_container_none },
    { LS_DUMP_TRIAGE, &ls_container_triage },
    { LS_DUMP_BITMAP_FULL, &ls_container_bitmap },
    { LS_DUMP_BITMAP_KERNEL, &ls_container_bitmap },
    { LS_DUMP_RANGE_KERNEL, &ls_container_ranges },
    { LS_DUMP_RANGE_KERNEL_USER, &ls_container_ranges },
    { LS_DUMP_RANGE_COMPLETE, &ls_container_ranges },
};

void ls_dump_warn(ls_dump *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ls_strlist_vadd(&d->warnings, 64, fmt, ap);
    va_end(ap);
}

static int identify_foreign(const ls_source *src, ls_error *err)
{
    uint64_t size = ls_source_size(src);
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++) {
        const uint8_t *p = ls_source_at(src, 0, foreign[i].len);
        if (p && memcmp(p, foreign[i].magic, foreign[i].len) == 0)
            return ls_error_set(err, LS_ENOTMINE, "%s: this is %s", ls_source_path(src),
                                foreign[i].what);
    }
    if (size == 0)
        return ls_error_set(err, LS_ENOTMINE, "%s: the file is empty", ls_source_path(src));
    return 0;
}

int ls_dump_open_source(ls_source *src, ls_dump **out, ls_error *err)
{
    if (!src || !out)
        return ls_error_set(err, LS_EINVAL, "ls_dump_open_source: no source");
    ls_dump_header h;
    int rc = ls_dump_parse_header(src, &h, err);
    if (rc == LS_ENOTMINE) {
        ls_error tmp;
        if (identify_foreign(src, &tmp) != 0)
            *err = tmp;
        return rc;
    }
    if (rc)
        return rc;
    const char *path = ls_source_path(src);
    if (h.has_attributes && (h.attributes & (1u << 8)) && !(h.attributes & (1u << 9)))
        return ls_error_set(err, LS_EUNSUPPORTED,
                            "%s: offset 0x%x: the dump is encrypted (DUMP_FILE_ATTRIBUTES "
                            "EncryptedDumpData); decrypt it on Windows first",
                            path, h.format == LS_FORMAT_PAGEDU64 ? 0x1050 : 0x8A0);
    const ls_dump_container *ops = NULL;
    for (size_t i = 0; i < sizeof containers / sizeof containers[0]; i++)
        if (containers[i].type == h.dump_type)
            ops = containers[i].ops;
    if (!ops)
        return ls_error_set(err, LS_EUNSUPPORTED, "%s: offset 0x%x: unknown DumpType 0x%x", path,
                            h.format == LS_FORMAT_PAGEDU64 ? 0xF98 : 0xF88, h.dump_type);

    ls_dump *d = calloc(1, sizeof *d);
    if (!d)
        return ls_error_oom(err);
    d->src = src;
    d->hdr = h;
    d->ops = ops;
    rc = ops->open(d, err);
    if (rc) {
        d->src = NULL; /* the caller still owns src on failure */
        ls_dump_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

int ls_dump_open(const char *path, ls_dump **out, ls_error *err)
{
    ls_source *src = NULL;
    int rc = ls_source_open(path, &src, err);
    if (rc)
        return rc;
    rc = ls_dump_open_source(src, out, err);
    if (rc)
        ls_source_free(src);
    return rc;
}

void ls_dump_free(ls_dump *d)
{
    if (!d)
        return;
    if (d->ops && d->ops->close)
        d->ops->close(d);
    ls_strlist_free(&d->warnings);
    free(d->blocks);
    ls_source_free(d->src);
    free(d);
}

const ls_dump_header *ls_dump_get_header(const ls_dump *d) { return d ? &d->hdr : NULL; }
const ls_source *ls_dump_source(const ls_dump *d) { return d ? d->src : NULL; }
const char *ls_dump_path(const ls_dump *d) { return d ? ls_source_path(d->src) : ""; }
const ls_triage *ls_dump_get_triage(const ls_dump *d) { return d && d->is_triage ? &d->triage : NULL; }
size_t ls_dump_warning_count(const ls_dump *d) { return d ? d->warnings.n : 0; }
const char *ls_dump_warning(const ls_dump *d, size_t i) { return d && i < d->warnings.n ? d->warnings.v[i] : NULL; }
uint64_t ls_dump_present_pages(const ls_dump *d) { return d ? d->present_pages : 0; }
uint64_t ls_dump_pfn_limit(const ls_dump *d) { return d ? d->pfn_limit : 0; }
uint64_t ls_dump_bytes_read(const ls_dump *d) { return d ? ls_source_bytes_read(d->src) : 0; }

int ls_dump_has_physical(const ls_dump *d)
{
    return d && !d->is_triage && d->ops != &ls_container_none;
}

const uint8_t *ls_dump_page(const ls_dump *d, uint64_t pfn)
{
    if (!d || !d->ops->page || pfn >= d->pfn_limit)
        return NULL;
    return d->ops->page(d, pfn);
}

int ls_dump_read_phys(const ls_dump *d, uint64_t pa, void *buf, size_t len, ls_error *err)
{
    uint8_t *out = buf;
    while (len) {
        uint64_t off = pa & (LS_PAGE - 1);
        size_t n = LS_PAGE - off < len ? (size_t)(LS_PAGE - off) : len;
        const uint8_t *page = ls_dump_page(d, pa / LS_PAGE);
        if (!page)
            return ls_error_set(err, LS_ENODATA, "physical address 0x%" PRIx64 " is not in this dump", pa);
        memcpy(out, page + off, n);
        out += n;
        pa += n;
        len -= n;
    }
    return 0;
}

/* Names used by the JSON contract (words) and the text report (titles). */
static const struct type_name {
    uint32_t type;
    const char *word, *title;
} type_names[] = {
    { LS_DUMP_FULL, "full", "complete memory dump (run list)" },
    { LS_DUMP_SUMMARY, "summary", "kernel summary dump" },
    { LS_DUMP_HEADER_ONLY, "header", "header-only dump" },
    { LS_DUMP_TRIAGE, "triage", "small memory dump (triage)" },
    { LS_DUMP_BITMAP_FULL, "bitmap-full", "complete memory dump (bitmap)" },
    { LS_DUMP_BITMAP_KERNEL, "bitmap-kernel", "kernel memory dump (bitmap)" },
    { LS_DUMP_RANGE_KERNEL, "kernel-only", "kernel range dump" },
    { LS_DUMP_RANGE_KERNEL_USER, "kernel-user", "kernel and user range dump" },
    { LS_DUMP_RANGE_COMPLETE, "complete", "complete range dump" },
};

static const struct type_name *find_type(uint32_t t)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (type_names[i].type == t)
            return &type_names[i];
    return NULL;
}

const char *ls_dump_type_word(uint32_t t) { const struct type_name *n = find_type(t); return n ? n->word : "unknown"; }
const char *ls_dump_type_title(uint32_t t) { const struct type_name *n = find_type(t); return n ? n->title : "unknown dump type"; }

const char *ls_arch_word(int arch)
{
    switch (arch) {
    case LS_ARCH_X86: return "x86";
    case LS_ARCH_X64: return "x64";
    case LS_ARCH_ARM64: return "arm64";
    default: return "unknown";
    }
}

const char *ls_dump_format_word(int format)
{
    return format == LS_FORMAT_PAGEDU64 ? "pagedu64" : format == LS_FORMAT_PAGEDUMP ? "pagedump" : "unknown";
}
