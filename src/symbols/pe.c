/* pe.c - PE/COFF image reader: DOS and NT headers, sections, RVA reads in file layout and in
 * loaded layout (dump memory), and the CodeView record that names the image's PDB. */
#include "pe_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Names of the machines lalscan handles; others are parsed but reported as unsupported by
 * whoever needs to disassemble or unwind. */
static const struct {
    uint16_t machine;
    const char *name;
} machines[] = {
    {0x014c, "x86"},
    {0x8664, "x64"},
    {0xaa64, "arm64"},
};

const char *ls_pe_machine_name(uint16_t machine)
{
    for (size_t i = 0; i < sizeof machines / sizeof machines[0]; i++)
        if (machines[i].machine == machine)
            return machines[i].name;
    return NULL;
}

void ls_pe_note(ls_pe *pe, const char *fmt, ...)
{
    size_t used = strlen(pe->notes);
    if (used + 8 >= sizeof pe->notes)
        return;
    if (used) {
        memcpy(pe->notes + used, "; ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pe->notes + used, sizeof pe->notes - used, fmt, ap);
    va_end(ap);
}

/* The section whose [rva, rva+span) holds rva; span is the larger of the virtual and raw
 * sizes, because some linkers leave VirtualSize 0. */
static const ls_pe_section *section_of(const ls_pe *pe, uint32_t rva)
{
    for (unsigned i = 0; i < pe->info.nsections; i++) {
        const ls_pe_section *s = &pe->secs[i];
        uint32_t span = s->virtual_size > s->raw_size ? s->virtual_size : s->raw_size;
        if (rva >= s->rva && (uint64_t)rva - s->rva < span)
            return s;
    }
    return NULL;
}

int ls_pe_rva_to_offset(const ls_pe *pe, uint32_t rva, uint64_t *off, ls_error *err)
{
    if (pe->loaded)
        return ls_error_set(err, LS_EUNSUPPORTED, "%s: an image read from memory has no file offsets",
                            pe->name);
    if (rva < pe->size_of_headers && rva < pe->size) {
        *off = rva;
        return 0;
    }
    const ls_pe_section *s = section_of(pe, rva);
    if (!s)
        return ls_error_set(err, LS_ENODATA, "%s: RVA 0x%x is in no section", pe->name, rva);
    uint32_t delta = rva - s->rva;
    if (delta >= s->raw_size)
        return ls_error_set(err, LS_ENODATA,
                            "%s: RVA 0x%x is in section %s past its raw data (0x%x bytes)",
                            pe->name, rva, s->name, s->raw_size);
    uint64_t o = (uint64_t)s->raw_offset + delta;
    if (o >= pe->size)
        return ls_error_set(err, LS_ETRUNCATED, "%s: RVA 0x%x is at file offset 0x%llx, past the end of the file (0x%zx bytes)",
                            pe->name, rva, (unsigned long long)o, pe->size);
    *off = o;
    return 0;
}

/* File layout: [rva, rva+len) must lie in the headers or in one section. */
static int fetch_file(const ls_pe *pe, uint32_t rva, uint8_t *buf, size_t len, ls_error *err)
{
    uint64_t end = (uint64_t)rva + len;
    if (end <= pe->size_of_headers) {
        if (!ls_in_bounds(rva, len, pe->size))
            return ls_error_set(err, LS_ETRUNCATED,
                                "%s: header bytes 0x%x..0x%llx are past the end of the file (0x%zx bytes)",
                                pe->name, rva, (unsigned long long)end, pe->size);
        memcpy(buf, pe->data + rva, len);
        return 0;
    }
    const ls_pe_section *s = section_of(pe, rva);
    if (!s)
        return ls_error_set(err, LS_ENODATA, "%s: RVA 0x%x is in no section", pe->name, rva);
    uint64_t delta = rva - s->rva;
    uint32_t span = s->virtual_size > s->raw_size ? s->virtual_size : s->raw_size;
    if (delta + len > span)
        return ls_error_set(err, LS_ENODATA,
                            "%s: RVA range 0x%x..0x%llx crosses the end of section %s (RVA 0x%x, 0x%x bytes)",
                            pe->name, rva, (unsigned long long)end, s->name, s->rva, span);
    /* Part in raw data, rest zero (uninitialised data beyond SizeOfRawData). */
    size_t raw = 0;
    if (delta < s->raw_size)
        raw = (size_t)(s->raw_size - delta < len ? s->raw_size - delta : len);
    uint64_t off = (uint64_t)s->raw_offset + delta;
    if (raw && !ls_in_bounds(off, raw, pe->size))
        return ls_error_set(err, LS_ETRUNCATED,
                            "%s: RVA 0x%x of section %s is at file offset 0x%llx (0x%zx bytes), past the end of the file (0x%zx bytes)",
                            pe->name, rva, s->name, (unsigned long long)off, raw, pe->size);
    if (raw)
        memcpy(buf, pe->data + off, raw);
    memset(buf + raw, 0, len - raw);
    return 0;
}

int ls_pe_fetch(const ls_pe *pe, uint32_t rva, void *buf, size_t len, ls_error *err)
{
    if (len == 0)
        return 0;
    if ((uint64_t)rva + len > pe->info.size_of_image && (uint64_t)rva + len > pe->size_of_headers)
        return ls_error_set(err, LS_ENODATA,
                            "%s: RVA range 0x%x..0x%llx is outside the image (SizeOfImage 0x%x)",
                            pe->name, rva, (unsigned long long)rva + len, pe->info.size_of_image);
    if (!pe->loaded)
        return fetch_file(pe, rva, buf, len, err);
    if ((uint64_t)rva + len <= pe->hdr_size) {
        memcpy(buf, pe->hdr + rva, len);
        return 0;
    }
    int rc = pe->rd(pe->rctx, rva, buf, len, err);
    if (rc < 0 && err && !strstr(err->msg, "RVA"))
        ls_error_prefix(err, "%s: RVA 0x%x (0x%zx bytes)", pe->name, rva, len);
    return rc < 0 ? rc : 0;
}

int ls_pe_read(const ls_pe *pe, uint32_t rva, void *buf, size_t len, ls_error *err)
{
    if (!pe || (!buf && len))
        return ls_error_set(err, LS_EINVAL, "ls_pe_read: no image or buffer");
    return ls_pe_fetch(pe, rva, buf, len, err);
}

int ls_pe_fetch_cstr(const ls_pe *pe, uint32_t rva, char *buf, size_t cap, ls_error *err)
{
    /* Small chunks that stop at 256-byte boundaries, so a string that ends just before a
     * missing page or the end of a section is still read. */
    size_t got = 0;
    while (got < cap) {
        uint32_t at = rva + (uint32_t)got;
        if (at < rva)
            break;
        size_t chunk = 256 - (at & 255);
        if (chunk > cap - got)
            chunk = cap - got;
        int rc = ls_pe_fetch(pe, at, buf + got, chunk, err);
        if (rc < 0) {
            /* The tail of the range may be unreadable while the string ended before it. */
            size_t one = 0;
            for (; one < chunk; one++) {
                if (ls_pe_fetch(pe, at + (uint32_t)one, buf + got + one, 1, NULL) < 0)
                    return rc;
                if (buf[got + one] == 0)
                    return 0;
            }
            return rc;
        }
        void *nul = memchr(buf + got, 0, chunk);
        if (nul)
            return 0;
        got += chunk;
    }
    buf[cap - 1] = 0;
    return ls_error_set(err, LS_ECORRUPT, "%s: string at RVA 0x%x is longer than %zu bytes",
                        pe->name, rva, cap - 1);
}

/* Headers: everything up to the end of the section table is needed, in either layout. */
static int parse_headers(ls_pe *pe, const uint8_t *h, size_t hsize, ls_error *err)
{
    const char *where = pe->loaded ? "RVA" : "offset";
    if (hsize < 64)
        return ls_error_set(err, LS_ETRUNCATED, "%s: %zu bytes is too small for a DOS header (64 bytes)",
                            pe->name, hsize);
    if (h[0] != 'M' || h[1] != 'Z')
        return ls_error_set(err, LS_ENOTMINE, "%s: no MZ signature at %s 0 (found %02x %02x)", pe->name,
                            where, h[0], h[1]);
    uint32_t lfa = ls_le32(h + 0x3c);
    if (!ls_in_bounds(lfa, 24, hsize))
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: e_lfanew 0x%x (at %s 0x3c) points past the headers (0x%zx bytes)",
                            pe->name, lfa, where, hsize);
    if (memcmp(h + lfa, "PE\0\0", 4) != 0)
        return ls_error_set(err, LS_ENOTMINE, "%s: no PE signature at %s 0x%x (e_lfanew)", pe->name, where,
                            lfa);
    const uint8_t *fh = h + lfa + 4;
    pe->e_lfanew = lfa;
    pe->info.machine = ls_le16(fh);
    unsigned nsec = ls_le16(fh + 2);
    pe->info.timestamp = ls_le32(fh + 4);
    pe->opt_size = ls_le16(fh + 16);
    uint32_t opt = lfa + 24;
    if (nsec > PE_MAX_SECTIONS)
        return ls_error_set(err, LS_ECORRUPT, "%s: %u sections (file header at %s 0x%x); at most %d allowed",
                            pe->name, nsec, where, lfa + 4, PE_MAX_SECTIONS);
    if (!ls_in_bounds(opt, pe->opt_size, hsize) || pe->opt_size < 2)
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: optional header at %s 0x%x (0x%x bytes) does not fit the headers (0x%zx bytes)",
                            pe->name, where, opt, pe->opt_size, hsize);
    const uint8_t *oh = h + opt;
    uint16_t magic = ls_le16(oh);
    unsigned dirs_at;
    if (magic == 0x10b) {
        dirs_at = 96;
    } else if (magic == 0x20b) {
        dirs_at = 112;
        pe->info.pe32plus = 1;
    } else {
        return ls_error_set(err, LS_ECORRUPT, "%s: optional header magic 0x%x at %s 0x%x is neither PE32 (0x10b) nor PE32+ (0x20b)",
                            pe->name, magic, where, opt);
    }
    if (pe->opt_size < dirs_at)
        return ls_error_set(err, LS_ECORRUPT, "%s: optional header at %s 0x%x is 0x%x bytes, shorter than its fixed part (0x%x)",
                            pe->name, where, opt, pe->opt_size, dirs_at);
    pe->info.entry_rva = ls_le32(oh + 16);
    pe->info.image_base = pe->info.pe32plus ? ls_le64(oh + 24) : ls_le32(oh + 28);
    pe->info.size_of_image = ls_le32(oh + 56);
    pe->size_of_headers = ls_le32(oh + 60);
    pe->info.checksum = ls_le32(oh + 64);
    uint32_t ndirs = ls_le32(oh + dirs_at - 4);
    uint32_t fit = (pe->opt_size - dirs_at) / 8;
    pe->ndirs = ndirs < fit ? ndirs : fit;
    if (pe->ndirs > PE_NDIRS)
        pe->ndirs = PE_NDIRS;
    for (unsigned i = 0; i < pe->ndirs; i++) {
        pe->dir_rva[i] = ls_le32(oh + dirs_at + 8 * i);
        pe->dir_size[i] = ls_le32(oh + dirs_at + 8 * i + 4);
    }
    uint32_t st = opt + pe->opt_size;
    if (!ls_in_bounds(st, (uint64_t)nsec * 40, hsize))
        return ls_error_set(err, LS_ETRUNCATED,
                            "%s: section table at %s 0x%x (%u entries) runs past the headers (0x%zx bytes)",
                            pe->name, where, st, nsec, hsize);
    pe->secs = calloc(nsec ? nsec : 1, sizeof *pe->secs);
    if (!pe->secs)
        return ls_error_oom(err);
    pe->info.nsections = nsec;
    for (unsigned i = 0; i < nsec; i++) {
        const uint8_t *e = h + st + 40 * i;
        ls_pe_section *s = &pe->secs[i];
        memcpy(s->name, e, 8);
        s->name[8] = 0;
        s->virtual_size = ls_le32(e + 8);
        s->rva = ls_le32(e + 12);
        s->raw_size = ls_le32(e + 16);
        s->raw_offset = ls_le32(e + 20);
        s->characteristics = ls_le32(e + 36);
        if ((uint64_t)s->rva + s->virtual_size > 0xffffffffull)
            return ls_error_set(err, LS_ECORRUPT, "%s: section %u (%s) at %s 0x%x: RVA 0x%x + size 0x%x overflows",
                                pe->name, i, s->name, where, st + 40 * i, s->rva, s->virtual_size);
    }
    if (pe->size_of_headers < st + 40 * nsec)
        pe->size_of_headers = st + 40 * nsec;
    /* A corrupt SizeOfHeaders must not swallow the sections: headers end where the first
     * section begins. */
    for (unsigned i = 0; i < nsec; i++)
        if (pe->secs[i].rva && pe->secs[i].rva < pe->size_of_headers &&
            pe->secs[i].rva >= st + 40 * nsec)
            pe->size_of_headers = pe->secs[i].rva;
    return 0;
}

/* A section whose raw data lies past the end of the file is kept (the headers are fine and
 * other sections may be whole); reads from its missing part fail with the file offset. */
static void check_sections_file(ls_pe *pe)
{
    for (unsigned i = 0; i < pe->info.nsections; i++) {
        const ls_pe_section *s = &pe->secs[i];
        if (s->raw_size && !ls_in_bounds(s->raw_offset, s->raw_size, pe->size))
            ls_pe_note(pe, "section %s: raw data at offset 0x%x (0x%x bytes) is past the end of the file (0x%zx bytes)",
                       s->name, s->raw_offset, s->raw_size, pe->size);
    }
}

static int finish_open(ls_pe *pe, ls_pe **out, ls_error *err)
{
    ls_pe_parse_imports(pe);
    *out = pe;
    (void)err;
    return 0;
}

static ls_pe *pe_new(const char *name)
{
    ls_pe *pe = calloc(1, sizeof *pe);
    if (pe)
        snprintf(pe->name, sizeof pe->name, "%s", name && *name ? name : "image");
    return pe;
}

int ls_pe_open_mem(const void *data, size_t size, const char *name, ls_pe **out, ls_error *err)
{
    if (!out || (!data && size))
        return ls_error_set(err, LS_EINVAL, "ls_pe_open_mem: bad arguments");
    ls_pe *pe = pe_new(name);
    if (!pe)
        return ls_error_oom(err);
    pe->data = data;
    pe->size = size;
    int rc = parse_headers(pe, data, size, err);
    if (rc < 0) {
        ls_pe_free(pe);
        return rc;
    }
    check_sections_file(pe);
    return finish_open(pe, out, err);
}

int ls_pe_open_file(const char *path, ls_pe **out, ls_error *err)
{
    if (!path || !out)
        return ls_error_set(err, LS_EINVAL, "ls_pe_open_file: bad arguments");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ls_error_set(err, errno == ENOENT ? LS_ENOTFOUND : LS_EIO, "%s: cannot open: %s", path,
                            strerror(errno));
    int rc = ls_pe_open_fd(fd, path, out, err);
    close(fd);
    return rc;
}

/* The fd stays the caller's: a store hands out anonymous decompressed files by fd only. */
int ls_pe_open_fd(int fd, const char *path, ls_pe **out, ls_error *err)
{
    if (fd < 0 || !path || !out)
        return ls_error_set(err, LS_EINVAL, "ls_pe_open_fd: bad arguments");
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return ls_error_set(err, LS_EIO, "%s: not a regular file", path);
    if (st.st_size == 0)
        return ls_error_set(err, LS_ETRUNCATED, "%s: empty file", path);
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    if (map == MAP_FAILED)
        return ls_error_set(err, LS_EIO, "%s: cannot map: %s", path, strerror(e));
    ls_pe *pe = NULL;
    int rc = ls_pe_open_mem(map, (size_t)st.st_size, path, &pe, err);
    if (rc < 0) {
        munmap(map, (size_t)st.st_size);
        return rc;
    }
    pe->map = map;
    pe->map_size = (size_t)st.st_size;
    *out = pe;
    return 0;
}

int ls_pe_open_reader(ls_pe_read_fn fn, void *ctx, const char *name, ls_pe **out, ls_error *err)
{
    if (!fn || !out)
        return ls_error_set(err, LS_EINVAL, "ls_pe_open_reader: bad arguments");
    ls_pe *pe = pe_new(name);
    if (!pe)
        return ls_error_oom(err);
    pe->loaded = 1;
    pe->rd = fn;
    pe->rctx = ctx;
    /* First the DOS header and e_lfanew, then the whole header area once its size is known. */
    uint8_t dos[64];
    int rc = fn(ctx, 0, dos, sizeof dos, err);
    if (rc < 0)
        goto fail_read;
    size_t want = 4096;
    uint32_t lfa = ls_le32(dos + 0x3c);
    if (dos[0] == 'M' && dos[1] == 'Z' && lfa < PE_MAX_HEADERS - 1024 && lfa + 1024u > want)
        want = lfa + 1024u;
    pe->hdr = malloc(PE_MAX_HEADERS);
    if (!pe->hdr) {
        ls_pe_free(pe);
        return ls_error_oom(err);
    }
    rc = fn(ctx, 0, pe->hdr, want, err);
    if (rc < 0 && want > 1024) {
        /* Headers may sit in a page whose tail (or the next page) is not available; the first
         * KiB holds the headers of nearly every image. */
        want = 1024;
        rc = fn(ctx, 0, pe->hdr, want, err);
    }
    if (rc < 0)
        goto fail_read;
    pe->hdr_size = want;
    rc = parse_headers(pe, pe->hdr, want, err);
    if (rc == LS_ETRUNCATED && pe->size_of_headers > want && pe->size_of_headers <= PE_MAX_HEADERS) {
        /* Section table beyond the first read: read up to SizeOfHeaders and parse again. */
        size_t full = pe->size_of_headers;
        free(pe->secs);
        pe->secs = NULL;
        memset(&pe->info, 0, sizeof pe->info);
        rc = fn(ctx, 0, pe->hdr, full, err);
        if (rc < 0)
            goto fail_read;
        pe->hdr_size = full;
        rc = parse_headers(pe, pe->hdr, full, err);
    }
    if (rc < 0) {
        ls_pe_free(pe);
        return rc;
    }
    if (pe->hdr_size > pe->size_of_headers)
        pe->hdr_size = pe->size_of_headers;
    return finish_open(pe, out, err);
fail_read:
    ls_error_prefix(err, "%s: headers at RVA 0 are not readable", pe->name);
    ls_pe_free(pe);
    return rc;
}

void ls_pe_free(ls_pe *pe)
{
    if (!pe)
        return;
    if (pe->map)
        munmap(pe->map, pe->map_size);
    free(pe->hdr);
    free(pe->secs);
    free(pe->imports);
    free(pe->strings);
    free(pe);
}

const ls_pe_info *ls_pe_get_info(const ls_pe *pe)
{
    return pe ? &pe->info : NULL;
}

const ls_pe_section *ls_pe_sections(const ls_pe *pe, unsigned *n)
{
    if (n)
        *n = pe ? pe->info.nsections : 0;
    return pe ? pe->secs : NULL;
}

const char *ls_pe_name(const ls_pe *pe)
{
    return pe ? pe->name : "";
}

const char *ls_pe_notes(const ls_pe *pe)
{
    return pe ? pe->notes : "";
}

int ls_pe_directory(const ls_pe *pe, unsigned i, uint32_t *rva, uint32_t *size)
{
    if (!pe || i >= pe->ndirs || pe->dir_rva[i] == 0 || pe->dir_size[i] == 0)
        return LS_ENOTFOUND;
    if (rva)
        *rva = pe->dir_rva[i];
    if (size)
        *size = pe->dir_size[i];
    return 0;
}
