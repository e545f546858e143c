/* gunzip.c - one pass of zlib inflate from a .gz file into an unlinked temporary file.
 * gzseek backwards restarts decompression, so random access needs the inflated bytes. */
#include "gunzip.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zlib.h>

enum { CHUNK = 1 << 18 };

static int open_tmpfile(const char *path, int *out, ls_error *err)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) {
        *out = fd;
        return 0;
    }
#endif
    char name[4096];
    if (snprintf(name, sizeof name, "%s/lalscan-gz-XXXXXX", dir) >= (int)sizeof name)
        return ls_error_set(err, LS_EIO, "%s: TMPDIR path too long", path);
    fd = mkstemp(name);
    if (fd < 0)
        return ls_error_set(err, LS_EIO, "%s: cannot create a temporary file in %s: %s", path, dir,
                            strerror(errno));
    unlink(name);
    *out = fd;
    return 0;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The gzip trailer's ISIZE (size mod 2^32) tells roughly how much room is needed. */
static int check_space(int in, int out, const char *path, ls_error *err)
{
    struct stat st;
    unsigned char t[4];
    struct statvfs vfs;
    if (fstat(in, &st) != 0 || st.st_size < 4 || pread(in, t, 4, st.st_size - 4) != 4)
        return 0;
    uint64_t isize = ls_le32(t);
    if (fstatvfs(out, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < isize)
        return ls_error_set(err, LS_EIO,
                            "%s: inflating needs at least %" PRIu64 " bytes of temporary space, "
                            "only %" PRIu64 " free (set TMPDIR)",
                            path, isize, (uint64_t)vfs.f_bavail * vfs.f_frsize);
    return 0;
}

int ls_gunzip_to_tmpfile(int in, const char *path, int *out_fd, uint64_t *out_size, ls_error *err)
{
    int out = -1, rc = open_tmpfile(path, &out, err);
    if (rc)
        return rc;
    if ((rc = check_space(in, out, path, err)) != 0) {
        close(out);
        return rc;
    }
    unsigned char *ibuf = malloc(CHUNK), *obuf = malloc(CHUNK);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (!ibuf || !obuf || inflateInit2(&zs, 15 + 16) != Z_OK) {
        free(ibuf);
        free(obuf);
        close(out);
        return ls_error_oom(err);
    }
    uint64_t total_in = 0, total_out = 0;
    int zr = Z_OK, eof = 0;
    rc = 0;
    while (!rc) {
        if (zs.avail_in == 0 && !eof) {
            ssize_t n = pread(in, ibuf, CHUNK, (off_t)total_in);
            if (n < 0) {
                rc = ls_error_set(err, LS_EIO, "%s: read error at offset 0x%" PRIx64 ": %s", path,
                                  total_in, strerror(errno));
                break;
            }
            if (n == 0)
                eof = 1;
            total_in += (uint64_t)n;
            zs.next_in = ibuf;
            zs.avail_in = (uInt)n;
        }
        if (zs.avail_in == 0 && eof) {
            if (zr != Z_STREAM_END)
                rc = ls_error_set(err, LS_ETRUNCATED,
                                  "%s: gzip stream ends early at compressed offset 0x%" PRIx64
                                  " (%" PRIu64 " bytes inflated)",
                                  path, total_in, total_out);
            break;
        }
        if (zr == Z_STREAM_END) {
            /* Another member follows (concatenated .gz files are one stream to gunzip). */
            if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
                inflateReset(&zs);
            } else {
                break; /* trailing garbage after the last member is ignored, like gunzip */
            }
        }
        zs.next_out = obuf;
        zs.avail_out = CHUNK;
        zr = inflate(&zs, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
            rc = ls_error_set(err, LS_ECORRUPT, "%s: corrupt gzip data near compressed offset 0x%" PRIx64
                                                ": %s",
                              path, total_in - zs.avail_in, zs.msg ? zs.msg : "inflate failed");
            break;
        }
        size_t have = CHUNK - zs.avail_out;
        if (have && write_all(out, obuf, have) != 0) {
            rc = ls_error_set(err, LS_EIO, "%s: cannot write the inflated copy: %s", path,
                              strerror(errno));
            break;
        }
        total_out += have;
    }
    inflateEnd(&zs);
    free(ibuf);
    free(obuf);
    if (rc) {
        close(out);
        return rc;
    }
    *out_fd = out;
    *out_size = total_out;
    return 0;
}
