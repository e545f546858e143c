/* msf.c - the MSF 7.00 container under a PDB: map the file read-only, validate the superblock
 * and stream directory, and hand out whole streams as contiguous buffers on demand. */
#include "pdb_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const uint8_t msf7_magic[32] = "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0\0";
static const char small_msf_magic[] = "Microsoft C/C++ program database 2.00\r\n";
static const char msfz_magic[] = "Microsoft MSFZ Container\r\n";

#define SB_BLOCK_MAP 0x34

static const char *base_name(const char *path)
{
    const char *b = path;
    for (const char *c = path; *c; c++)
        if (*c == '/' || *c == '\\')
            b = c + 1;
    return b;
}

/* Checks a block number from the file and returns its file offset. */
static int block_offset(const ls_pdb *p, uint32_t blk, const char *what, uint64_t at,
                        uint64_t *off, ls_error *err)
{
    if (blk == 0 || blk >= p->nblocks || ((uint64_t)blk + 1) * p->bs > p->size)
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: %s: block 0x%x at offset 0x%llx is %s (0x%x blocks, file 0x%zx bytes)",
                            p->name, what, blk, (unsigned long long)at,
                            blk == 0 ? "the superblock" : "past the end of the file",
                            p->nblocks, p->size);
    *off = (uint64_t)blk * p->bs;
    return 0;
}

/* Marks a block as used; a second use means a loop or overlap in the directory. */
static int claim_block(const ls_pdb *p, uint8_t *used, uint32_t blk, const char *what, ls_error *err)
{
    if (used[blk / 8] & (1u << (blk % 8)))
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: %s: block 0x%x is already used by the directory or another stream",
                            p->name, what, blk);
    used[blk / 8] |= (uint8_t)(1u << (blk % 8));
    return 0;
}

static int read_directory(ls_pdb *p, uint32_t map0_words, uint8_t *used, ls_error *err)
{
    uint32_t bs = p->bs;
    uint64_t ndir = ((uint64_t)p->dirsize + bs - 1) / bs;
    uint64_t nmap = (ndir * 4 + bs - 1) / bs;
    if (ndir > p->nblocks)
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: superblock: directory size 0x%x needs 0x%llx blocks, more than the file's 0x%x",
                            p->name, p->dirsize, (unsigned long long)ndir, p->nblocks);
    if (nmap > map0_words)
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: superblock: directory needs %llu block-map blocks, more than fit in block 0",
                            p->name, (unsigned long long)nmap);
    p->dir = malloc(p->dirsize);
    if (!p->dir)
        return ls_error_oom(err);
    uint32_t per_map = bs / 4;
    for (uint64_t i = 0; i < ndir; i++) {
        uint64_t mi = i / per_map, mpos = (i % per_map) * 4;
        uint32_t mapblk = ls_le32(p->map + SB_BLOCK_MAP + mi * 4);
        uint64_t moff, doff;
        int rc = block_offset(p, mapblk, "directory block map", SB_BLOCK_MAP + mi * 4, &moff, err);
        if (!rc && mpos == 0)
            rc = claim_block(p, used, mapblk, "directory block map", err);
        if (rc)
            return rc;
        uint32_t dblk = ls_le32(p->map + moff + mpos);
        rc = block_offset(p, dblk, "stream directory", moff + mpos, &doff, err);
        if (!rc)
            rc = claim_block(p, used, dblk, "stream directory", err);
        if (rc)
            return rc;
        uint64_t at = i * bs;
        uint64_t n = p->dirsize - at < bs ? p->dirsize - at : bs;
        memcpy(p->dir + at, p->map + doff, n);
    }
    return 0;
}

static int parse_directory(ls_pdb *p, uint8_t *used, ls_error *err)
{
    if (p->dirsize < 4)
        return ls_error_set(err, LS_ECORRUPT, "%s: stream directory: size %u is too small",
                            p->name, p->dirsize);
    uint32_t n = ls_le32(p->dir);
    if ((uint64_t)n * 4 + 4 > p->dirsize)
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: stream directory: %u streams do not fit in a 0x%x-byte directory",
                            p->name, n, p->dirsize);
    p->streams = calloc(n ? n : 1, sizeof *p->streams);
    if (!p->streams)
        return ls_error_oom(err);
    p->nstreams = n;
    uint64_t word = 1 + (uint64_t)n;   /* first block-list word */
    uint64_t nwords = p->dirsize / 4;
    for (uint32_t s = 0; s < n; s++) {
        uint32_t size = ls_le32(p->dir + 4 + (uint64_t)s * 4);
        pdb_stream *st = &p->streams[s];
        if (size == 0xFFFFFFFFu) {
            st->nil = 1;
            continue;
        }
        if ((uint64_t)size > (uint64_t)p->nblocks * p->bs)
            return ls_error_set(err, LS_ECORRUPT,
                                "%s: stream directory: stream %u size 0x%x exceeds the file's 0x%x blocks",
                                p->name, s, size, p->nblocks);
        uint64_t nb = ((uint64_t)size + p->bs - 1) / p->bs;
        if (word + nb > nwords)
            return ls_error_set(err, LS_ECORRUPT,
                                "%s: stream directory: block list of stream %u runs past the directory end (0x%x bytes)",
                                p->name, s, p->dirsize);
        st->size = size;
        st->first = (uint32_t)word;
        for (uint64_t i = 0; i < nb; i++) {
            uint64_t off;
            uint32_t blk = ls_le32(p->dir + (word + i) * 4);
            char what[64];
            snprintf(what, sizeof what, "stream directory: stream %u", s);
            int rc = block_offset(p, blk, what, (word + i) * 4, &off, err);
            /* stream 0 (the previous directory) may share blocks with anything */
            if (!rc && s != 0)
                rc = claim_block(p, used, blk, what, err);
            if (rc)
                return rc;
        }
        word += nb;
    }
    return 0;
}

static int open_common(ls_pdb *p, ls_error *err)
{
    if (p->size >= sizeof small_msf_magic - 1 &&
        memcmp(p->map, small_msf_magic, sizeof small_msf_magic - 1) == 0)
        return ls_error_set(err, LS_EUNSUPPORTED,
                            "%s: a PDB 2.00 (small MSF, VC6 era) file; only PDB 7.0 is supported",
                            p->name);
    if (p->size >= sizeof msfz_magic - 1 && memcmp(p->map, msfz_magic, sizeof msfz_magic - 1) == 0)
        return ls_error_set(err, LS_EUNSUPPORTED,
                            "%s: an MSFZ (compressed PDB) container; not supported yet", p->name);
    if (p->size < sizeof msf7_magic || memcmp(p->map, msf7_magic, sizeof msf7_magic) != 0)
        return ls_error_set(err, LS_ENOTMINE, "%s: not a PDB 7.0 file (no MSF 7.00 magic at offset 0)",
                            p->name);
    if (p->size < SB_BLOCK_MAP + 4)
        return ls_error_set(err, LS_ETRUNCATED, "%s: superblock: file ends at 0x%zx", p->name,
                            p->size);
    p->bs = ls_le32(p->map + 0x20);
    p->nblocks = ls_le32(p->map + 0x28);
    p->dirsize = ls_le32(p->map + 0x2C);
    if (p->bs < 512 || p->bs > 65536 || (p->bs & (p->bs - 1)))
        return ls_error_set(err, LS_ECORRUPT,
                            "%s: superblock: block size %u at offset 0x20 is not a power of two in 512..65536",
                            p->name, p->bs);
    if (p->size < p->bs)
        return ls_error_set(err, LS_ETRUNCATED,
                            "%s: superblock: file (0x%zx bytes) is shorter than one 0x%x-byte block",
                            p->name, p->size, p->bs);
    if (p->nblocks == 0)
        return ls_error_set(err, LS_ECORRUPT, "%s: superblock: block count is 0", p->name);
    if ((uint64_t)p->nblocks * p->bs > p->size)
        return ls_error_set(err, LS_ETRUNCATED,
                            "%s: truncated: file is 0x%zx bytes but the superblock says 0x%x blocks of 0x%x",
                            p->name, p->size, p->nblocks, p->bs);
    if (p->dirsize == 0)
        return ls_error_set(err, LS_ECORRUPT, "%s: superblock: directory size is 0", p->name);
    /* one bit per block, bounded by the file size */
    uint8_t *used = calloc((size_t)p->nblocks / 8 + 1, 1);
    if (!used)
        return ls_error_oom(err);
    int rc = read_directory(p, (p->bs - SB_BLOCK_MAP) / 4, used, err);
    if (!rc)
        rc = parse_directory(p, used, err);
    free(used);
    return rc;
}

static int new_pdb(const char *display_name, ls_pdb **out, ls_error *err)
{
    ls_pdb *p = calloc(1, sizeof *p);
    if (!p)
        return ls_error_oom(err);
    p->name = strdup(display_name ? base_name(display_name) : "pdb");
    if (!p->name) {
        free(p);
        return ls_error_oom(err);
    }
    p->gsi_stream = p->psi_stream = p->symrec_stream = 0xFFFF;
    *out = p;
    return 0;
}

int ls_pdb_open_mem(const void *data, size_t len, const char *display_name, ls_pdb **out,
                    ls_error *err)
{
    ls_pdb *p;
    if (!data && len)
        return ls_error_set(err, LS_EINVAL, "ls_pdb_open_mem: no data");
    int rc = new_pdb(display_name, &p, err);
    if (rc)
        return rc;
    p->map = data ? data : (const uint8_t *)"";
    p->size = len;
    rc = open_common(p, err);
    if (rc) {
        ls_pdb_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int ls_pdb_open_fd(int fd, const char *display_name, ls_pdb **out, ls_error *err)
{
    struct stat st;
    const char *nm = display_name ? display_name : "pdb";
    if (fstat(fd, &st) != 0)
        return ls_error_set(err, LS_EIO, "%s: cannot stat: %s", nm, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return ls_error_set(err, LS_EIO, "%s: not a regular file", nm);
    if (st.st_size <= 0)
        return ls_error_set(err, LS_ENOTMINE, "%s: empty file, not a PDB", nm);
    if ((uint64_t)st.st_size > SIZE_MAX)
        return ls_error_set(err, LS_EUNSUPPORTED, "%s: too large to map", nm);
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED)
        return ls_error_set(err, LS_EIO, "%s: cannot map: %s", nm, strerror(errno));
    ls_pdb *p;
    int rc = new_pdb(nm, &p, err);
    if (rc) {
        munmap(m, (size_t)st.st_size);
        return rc;
    }
    p->map = m;
    p->size = (size_t)st.st_size;
    p->mapped = 1;
    rc = open_common(p, err);
    if (rc) {
        ls_pdb_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int ls_pdb_open(const char *path, ls_pdb **out, ls_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ls_error_set(err, LS_EIO, "%s: cannot open: %s", path, strerror(errno));
    int rc = ls_pdb_open_fd(fd, path, out, err);
    close(fd);
    return rc;
}

void ls_pdb_free(ls_pdb *p)
{
    if (!p)
        return;
    for (uint32_t s = 0; s < p->nstreams; s++)
        free(p->streams[s].owned);
    free(p->streams);
    free(p->dir);
    if (p->mods) {
        for (size_t i = 0; i < p->nmods; i++) {
            free(p->mods[i].procs);
            free(p->mods[i].lines);
            free(p->mods[i].lblocks);
            free(p->mods[i].inlinees);
        }
        free(p->mods);
    }
    free(p->secs);
    free(p->osecs);
    free(p->omap_to);
    free(p->omap_from);
    free(p->ranges);
    free(p->pubs);
    free(p->ipi.off);
    free(p->tpi.off);
    free(p->ipi.names);
    free(p->tpi.names);
    for (size_t i = 0; i < p->nstrs; i++)
        free(p->strs[i]);
    free(p->strs);
    if (p->mapped)
        munmap((void *)p->map, p->size);
    free(p->name);
    free(p);
}

uint32_t ls_msf_stream_count(const ls_pdb *p)
{
    return p ? p->nstreams : 0;
}

const char *ls_pdb_display_name(const ls_pdb *p)
{
    return p ? p->name : "pdb";
}

int ls_msf_stream_bytes(ls_pdb *p, uint32_t stream, const uint8_t **data, size_t *len,
                        ls_error *err)
{
    if (stream >= p->nstreams)
        return ls_error_set(err, LS_ENOTFOUND, "%s: stream %u does not exist (%u streams)",
                            p->name, stream, p->nstreams);
    pdb_stream *st = &p->streams[stream];
    if (st->nil)
        return ls_error_set(err, LS_ENOTFOUND, "%s: stream %u is nil", p->name, stream);
    if (!st->ready) {
        uint32_t bs = p->bs;
        uint32_t nb = (uint32_t)(((uint64_t)st->size + bs - 1) / bs);
        int adjacent = 1;
        for (uint32_t i = 1; i < nb; i++)
            if (ls_le32(p->dir + (uint64_t)(st->first + i) * 4) !=
                ls_le32(p->dir + (uint64_t)(st->first + i - 1) * 4) + 1)
                adjacent = 0;
        if (nb == 0) {
            st->data = (const uint8_t *)"";
        } else if (adjacent) {
            st->data = p->map + (uint64_t)ls_le32(p->dir + (uint64_t)st->first * 4) * bs;
        } else {
            uint8_t *buf = malloc(st->size);
            if (!buf)
                return ls_error_oom(err);
            for (uint32_t i = 0; i < nb; i++) {
                uint64_t blk = ls_le32(p->dir + (uint64_t)(st->first + i) * 4);
                uint64_t at = (uint64_t)i * bs;
                uint64_t n = st->size - at < bs ? st->size - at : bs;
                memcpy(buf + at, p->map + blk * bs, n);
            }
            st->owned = buf;
            st->data = buf;
        }
        st->ready = 1;
    }
    *data = st->data;
    *len = st->size;
    return 0;
}

const char *pdb_keep_string(ls_pdb *p, char *s)
{
    if (!s)
        return NULL;
    if (p->nstrs == p->capstrs) {
        size_t cap = p->capstrs ? p->capstrs * 2 : 64;
        char **n = realloc(p->strs, cap * sizeof *n);
        if (!n) {
            free(s);
            return NULL;
        }
        p->strs = n;
        p->capstrs = cap;
    }
    p->strs[p->nstrs++] = s;
    return s;
}

const char *pdb_rec_name(const uint8_t *rec, size_t len, size_t at)
{
    if (at >= len)
        return NULL;
    if (!memchr(rec + at, 0, len - at))
        return NULL;
    return (const char *)rec + at;
}
