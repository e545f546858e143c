/* source.c - input files as read-only byte ranges: mmap for plain files, one-time inflate
 * to an unlinked temporary file for gzip, caller buffers for fuzzing. */
#include "lalscan/source.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gunzip.h"

struct ls_source {
    const uint8_t *data;
    uint64_t size;
    uint64_t file_size;
    int mapped;
    int wrapper;
    atomic_uint_fast64_t bytes_read;
    char path[];
};

static ls_source *source_new(const char *path)
{
    size_t n = strlen(path) + 1;
    ls_source *s = calloc(1, sizeof *s + n);
    if (s)
        memcpy(s->path, path, n);
    return s;
}

static int map_fd(ls_source *s, int fd, uint64_t size, ls_error *err)
{
    if (size == 0) {
        s->data = (const uint8_t *)"";
        s->size = 0;
        return 0;
    }
    void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        return ls_error_set(err, LS_EIO, "%s: cannot map %" PRIu64 " bytes: %s", s->path, size,
                            strerror(errno));
    madvise(p, size, MADV_RANDOM);
    s->data = p;
    s->size = size;
    s->mapped = 1;
    return 0;
}

int ls_source_open(const char *path, ls_source **out, ls_error *err)
{
    if (!path || !out)
        return ls_error_set(err, LS_EINVAL, "ls_source_open: no path");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ls_error_set(err, LS_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ls_error_set(err, LS_EIO, "%s: not a regular file", path);
    }
    ls_source *s = source_new(path);
    if (!s) {
        close(fd);
        return ls_error_oom(err);
    }
    s->file_size = (uint64_t)st.st_size;

    unsigned char magic[2] = { 0, 0 };
    ssize_t got = pread(fd, magic, 2, 0);
    int rc;
    if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        int tmp = -1;
        uint64_t size = 0;
        rc = ls_gunzip_to_tmpfile(fd, path, &tmp, &size, err);
        if (rc == 0) {
            s->wrapper = LS_WRAP_GZIP;
            rc = map_fd(s, tmp, size, err);
            close(tmp);
        }
    } else {
        rc = map_fd(s, fd, (uint64_t)st.st_size, err);
    }
    close(fd);
    if (rc) {
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int ls_source_open_mem(const void *data, uint64_t size, const char *name, ls_source **out,
                       ls_error *err)
{
    if (!out || (!data && size))
        return ls_error_set(err, LS_EINVAL, "ls_source_open_mem: no data");
    ls_source *s = source_new(name ? name : "(memory)");
    if (!s)
        return ls_error_oom(err);
    s->data = data ? data : (const uint8_t *)"";
    s->size = size;
    s->file_size = size;
    *out = s;
    return 0;
}

void ls_source_free(ls_source *s)
{
    if (!s)
        return;
    if (s->mapped)
        munmap((void *)s->data, s->size);
    free(s);
}

const uint8_t *ls_source_data(const ls_source *s) { return s ? s->data : NULL; }
uint64_t ls_source_size(const ls_source *s) { return s ? s->size : 0; }
uint64_t ls_source_file_size(const ls_source *s) { return s ? s->file_size : 0; }
const char *ls_source_path(const ls_source *s) { return s ? s->path : ""; }
int ls_source_wrapper(const ls_source *s) { return s ? s->wrapper : 0; }

uint64_t ls_source_bytes_read(const ls_source *s)
{
    return s ? atomic_load(&((ls_source *)s)->bytes_read) : 0;
}

const uint8_t *ls_source_at(const ls_source *s, uint64_t off, uint64_t len)
{
    if (!s || !ls_in_bounds(off, len, s->size))
        return NULL;
    atomic_fetch_add(&((ls_source *)s)->bytes_read, len);
    return s->data + off;
}

