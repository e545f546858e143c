/* cab.c - extracts one file of a Microsoft Cabinet (SymStore's compressed name.pd_ / name.sy_)
 * through libmspack, reading from memory and writing to a file descriptor we own. */
#include "lalscan/symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <mspack.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Why libmspack and not our own decoder: SymStore CABs come as MSZIP (zlib could do that) but
 * also as LZX, which symstore.exe itself writes, and LZX is an intricate format (three Huffman
 * trees, aligned-offset blocks, repeated-offset queue, the E8 call translation) whose
 * third-party decoders have shipped real bugs (spec §8.2: mstange/symsrv #1, lzxd #8).
 * libmspack is the decoder behind cabextract, handles MSZIP, LZX and Quantum, is packaged by
 * Debian, and lets us supply all I/O (struct mspack_system), so it never touches paths. */

enum { CAB_HDR = 36, CAB_FOLDER = 8, CAB_FILE = 16, CAB_MAX_FILES = 65535 };
#define CAB_MAX_OUT 0xffffffffull /* a CFFILE size is 32-bit */

/* One of our mspack "files": the cabinet in memory, or the output descriptor. */
typedef struct cab_file {
    const uint8_t *data; /* input, or NULL for output */
    size_t size;
    size_t pos;
    int fd;              /* output; -1 discards (fuzzing) */
    uint64_t written, limit;
    int over;            /* output went past limit */
    int ioerr;           /* errno of a failed write */
} cab_file;

typedef struct {
    struct mspack_system sys; /* first, so a mspack_system pointer is a cab_sys pointer */
} cab_sys;

/* libmspack passes the "filename" straight from us to open(); ours is a cab_file template. */
static struct mspack_file *sys_open(struct mspack_system *self, const char *filename, int mode)
{
    (void)self;
    const cab_file *tmpl = (const cab_file *)(const void *)filename;
    if (!tmpl || (mode != MSPACK_SYS_OPEN_READ && mode != MSPACK_SYS_OPEN_WRITE))
        return NULL;
    if ((mode == MSPACK_SYS_OPEN_READ) != (tmpl->data != NULL))
        return NULL;
    cab_file *f = malloc(sizeof *f);
    if (!f)
        return NULL;
    *f = *tmpl;
    f->pos = 0;
    return (struct mspack_file *)(void *)f;
}

static void sys_close(struct mspack_file *file)
{
    free(file);
}

static int sys_read(struct mspack_file *file, void *buffer, int bytes)
{
    cab_file *f = (cab_file *)(void *)file;
    if (!f->data || bytes < 0)
        return -1;
    size_t left = f->size - f->pos;
    size_t n = (size_t)bytes < left ? (size_t)bytes : left;
    memcpy(buffer, f->data + f->pos, n);
    f->pos += n;
    return (int)n;
}

static int sys_write(struct mspack_file *file, void *buffer, int bytes)
{
    cab_file *f = (cab_file *)(void *)file;
    if (f->data || bytes < 0)
        return -1;
    if (f->written + (uint64_t)bytes > f->limit) {
        f->over = 1;
        return -1;
    }
    const uint8_t *p = buffer;
    size_t left = (size_t)bytes;
    while (left && f->fd >= 0) {
        ssize_t w = write(f->fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            f->ioerr = w < 0 ? errno : ENOSPC;
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    f->written += (uint64_t)bytes;
    return bytes;
}

static int sys_seek(struct mspack_file *file, off_t offset, int mode)
{
    cab_file *f = (cab_file *)(void *)file;
    if (!f->data)
        return -1;
    int64_t base = mode == MSPACK_SYS_SEEK_START ? 0
                   : mode == MSPACK_SYS_SEEK_CUR ? (int64_t)f->pos
                   : mode == MSPACK_SYS_SEEK_END ? (int64_t)f->size
                                                  : -1;
    if (base < 0)
        return -1;
    int64_t to = base + (int64_t)offset;
    if (to < 0 || (uint64_t)to > f->size)
        return -1;
    f->pos = (size_t)to;
    return 0;
}

static off_t sys_tell(struct mspack_file *file)
{
    cab_file *f = (cab_file *)(void *)file;
    return f->data ? (off_t)f->pos : (off_t)f->written;
}

static void sys_message(struct mspack_file *file, const char *format, ...)
{
    (void)file;
    (void)format; /* libmspack's warnings; our own checks produce the messages we report */
}

static void *sys_alloc(struct mspack_system *self, size_t bytes)
{
    (void)self;
    return malloc(bytes);
}

static void sys_free(void *ptr)
{
    free(ptr);
}

static void sys_copy(void *src, void *dest, size_t bytes)
{
    memmove(dest, src, bytes);
}

static const char *mspack_error_name(int code)
{
    static const char *const names[] = {
        "no error", "bad arguments", "open failed", "read failed (the cabinet ends early)", "write failed",
        "seek failed (an offset points outside the cabinet)", "out of memory", "bad signature",
        "bad or corrupt data format", "bad checksum", "compression error", "decompression failed (corrupt data)",
    };
    return code >= 0 && code < (int)(sizeof names / sizeof names[0]) ? names[code] : "unknown error";
}

/* Our own reading of the CFHEADER / CFFOLDER / CFFILE tables: libmspack reports only error
 * codes, and a message must say which offset was wrong. Also refuses what we never need
 * (cabinet sets) and absurd claims. */
static int check_header(const uint8_t *d, size_t size, const char *name, uint16_t *nfiles, ls_error *err)
{
    if (size < CAB_HDR || memcmp(d, "MSCF", 4) != 0)
        return ls_error_set(err, LS_ENOTMINE, "%s: not a cabinet (no MSCF signature at offset 0)", name);
    uint32_t cab_size = ls_le32(d + 8), files_off = ls_le32(d + 16);
    unsigned nfold = ls_le16(d + 26), nfile = ls_le16(d + 28), flags = ls_le16(d + 30);
    if (d[25] != 1)
        return ls_error_set(err, LS_EUNSUPPORTED, "%s: cabinet format version %u.%u at offset 0x18 (want 1.3)",
                            name, d[25], d[24]);
    if (cab_size > size)
        return ls_error_set(err, LS_ETRUNCATED,
                            "%s: header at offset 0x8 says the cabinet is 0x%x bytes, the file has 0x%zx", name,
                            cab_size, size);
    if (flags & 3)
        return ls_error_set(err, LS_EUNSUPPORTED, "%s: cabinet spans several files (flags 0x%x at offset 0x1e)",
                            name, flags);
    if (nfold == 0 || nfile == 0)
        return ls_error_set(err, LS_ECORRUPT, "%s: cabinet holds %u folders and %u files (offset 0x1a)", name,
                            nfold, nfile);
    size_t off = CAB_HDR;
    unsigned folder_res = 0;
    if (flags & 4) {
        if (!ls_in_bounds(off, 4, size))
            return ls_error_set(err, LS_ETRUNCATED, "%s: reserve sizes at offset 0x24 past the end", name);
        folder_res = d[off + 2];
        off += 4 + ls_le16(d + off);
    }
    for (unsigned i = 0; i < nfold; i++, off += CAB_FOLDER + folder_res) {
        if (!ls_in_bounds(off, CAB_FOLDER, size))
            return ls_error_set(err, LS_ETRUNCATED, "%s: folder %u at offset 0x%zx is past the end (0x%zx bytes)",
                                name, i, off, size);
        uint32_t data = ls_le32(d + off);
        unsigned type = ls_le16(d + off + 6) & 0xf;
        if (data >= size)
            return ls_error_set(err, LS_ECORRUPT,
                                "%s: folder %u (offset 0x%zx) says its data starts at 0x%x, past the end (0x%zx bytes)",
                                name, i, off, data, size);
        if (type > 3)
            return ls_error_set(err, LS_EUNSUPPORTED, "%s: folder %u (offset 0x%zx) uses compression type %u",
                                name, i, off, type);
    }
    if (files_off >= size)
        return ls_error_set(err, LS_ECORRUPT, "%s: file table offset 0x%x (at offset 0x10) is past the end (0x%zx bytes)",
                            name, files_off, size);
    if (nfile > CAB_MAX_FILES)
        return ls_error_set(err, LS_ECORRUPT, "%s: %u files", name, nfile);
    *nfiles = (uint16_t)nfile;
    return 0;
}

static const char *base_name(const char *p)
{
    const char *b = p;
    for (; *p; p++)
        if (*p == '\\' || *p == '/')
            b = p + 1;
    return b;
}

int ls_cab_extract(const void *data, size_t size, const char *name, const char *display, int out_fd,
                   uint64_t max_out, uint64_t *written, ls_error *err)
{
    if (!data || !display)
        return ls_error_set(err, LS_EINVAL, "ls_cab_extract: bad arguments");
    if (max_out == 0 || max_out > CAB_MAX_OUT)
        max_out = CAB_MAX_OUT;
    uint16_t nfiles;
    int rc = check_header(data, size, display, &nfiles, err);
    if (rc < 0)
        return rc;

    cab_sys cs = {{sys_open, sys_close, sys_read, sys_write, sys_seek, sys_tell, sys_message, sys_alloc,
                   sys_free, sys_copy, NULL}};
    int st;
    MSPACK_SYS_SELFTEST(st);
    if (st != MSPACK_ERR_OK)
        return ls_error_set(err, LS_EUNSUPPORTED, "libmspack self-test failed (%d): off_t size mismatch", st);
    /* One decompressor per call: libmspack objects must not be shared between threads. */
    struct mscab_decompressor *cabd = mspack_create_cab_decompressor(&cs.sys);
    if (!cabd)
        return ls_error_oom(err);
    cab_file in = {.data = data, .size = size, .fd = -1};
    struct mscabd_cabinet *cab = cabd->open(cabd, (const char *)(const void *)&in);
    if (!cab) {
        int code = cabd->last_error(cabd);
        mspack_destroy_cab_decompressor(cabd);
        return ls_error_set(err, code == MSPACK_ERR_NOMEMORY ? LS_ENOMEM : LS_ECORRUPT, "%s: cabinet: %s", display,
                            mspack_error_name(code));
    }
    struct mscabd_file *pick = NULL, *only = NULL;
    unsigned count = 0;
    for (struct mscabd_file *f = cab->files; f && count <= CAB_MAX_FILES; f = f->next, count++) {
        only = f;
        if (name && strcasecmp(base_name(f->filename), name) == 0 && !pick)
            pick = f;
    }
    if (!pick && count == 1)
        pick = only;
    if (!pick) {
        rc = ls_error_set(err, LS_ENOTFOUND, "%s: cabinet of %u files has no %s", display, count,
                          name ? name : "single file");
        goto out;
    }
    if ((uint64_t)pick->length > max_out) {
        rc = ls_error_set(err, LS_EUNSUPPORTED, "%s: %s claims %u bytes, more than the limit of %llu", display,
                          pick->filename, pick->length, (unsigned long long)max_out);
        goto out;
    }
    cab_file outf = {.fd = out_fd, .limit = pick->length};
    /* The output handle is a copy made in sys_open; read its counters back through tell(). */
    int code = cabd->extract(cabd, pick, (const char *)(const void *)&outf);
    if (code != MSPACK_ERR_OK) {
        rc = ls_error_set(err, code == MSPACK_ERR_NOMEMORY ? LS_ENOMEM : code == MSPACK_ERR_WRITE ? LS_EIO : LS_ECORRUPT,
                          "%s: extracting %s (%u bytes): %s", display, pick->filename, pick->length,
                          mspack_error_name(code));
        goto out;
    }
    if (written)
        *written = pick->length;
    rc = 0;
out:
    cabd->close(cabd, cab);
    mspack_destroy_cab_decompressor(cabd);
    return rc;
}

int ls_tmpfile(ls_error *err)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = P_tmpdir;
    int fd;
#ifdef O_TMPFILE
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
#endif
    char path[4096];
    if (snprintf(path, sizeof path, "%s/lalscan-XXXXXX", dir) >= (int)sizeof path)
        return ls_error_set(err, LS_EIO, "TMPDIR is too long");
    fd = mkstemp(path);
    if (fd < 0)
        return ls_error_set(err, LS_EIO, "%s: cannot create a temporary file: %s", dir, strerror(errno));
    unlink(path);
    return fd;
}
