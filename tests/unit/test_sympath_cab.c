/* test_sympath_cab.c - CAB extraction (libmspack behind our own header checks) on the committed
 * MSZIP and LZX store files, and on corrupt copies of them: bad header, offsets past the end,
 * broken MSZIP blocks, truncations and byte flips. Errors must be clear; nothing may crash. */
#include "check.h"
#include "lalscan/symbols.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static const char *fix;

static uint8_t *slurp(const char *rel, size_t *size)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", fix, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return b;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static const char *MSZIP = "stores/store/laldrv-x86-O2.pdb/8AA56BCDF2AED17B4C4C44205044422E1/laldrv-x86-O2.pd_";
static const char *LZX = "stores/store/laldrv-x86-O2.sys/5E0000005000/laldrv-x86-O2.sy_";

static void good(const char *cab, const char *orig_rel, const char *name, const char *what)
{
    size_t n, m;
    uint8_t *c = slurp(cab, &n), *o = slurp(orig_rel, &m);
    if (!c || !o) {
        CHECK(0, "%s: fixture files present (%s)", what, cab);
        free(c), free(o);
        return;
    }
    ls_error err = {0};
    int fd = ls_tmpfile(&err);
    CHECK(fd >= 0, "%s: anonymous temp file (%s)", what, fd < 0 ? err.msg : "");
    uint64_t w = 0;
    int rc = ls_cab_extract(c, n, name, "t.cab", fd, 0, &w, &err);
    CHECK(rc == 0 && w == m, "%s: extracted %llu bytes (%s)", what, (unsigned long long)w, rc ? err.msg : "");
    uint8_t *back = malloc(m);
    CHECK(back && pread(fd, back, m, 0) == (ssize_t)m && memcmp(back, o, m) == 0, "%s: bytes equal the original",
          what);
    free(back);
    close(fd);
    rc = ls_cab_extract(c, n, name, "t.cab", -1, m - 1, &w, &err);
    CHECK(rc == LS_EUNSUPPORTED && strstr(err.msg, "more than the limit"), "%s: output limit: %s", what, err.msg);
    free(c), free(o);
}

/* expect: a changed copy must fail with code and message part */
static void bad(const uint8_t *c, size_t n, void (*edit)(uint8_t *d, size_t n), int code, const char *part,
                const char *what)
{
    uint8_t *d = malloc(n);
    memcpy(d, c, n);
    edit(d, n);
    ls_error err = {0};
    int rc = ls_cab_extract(d, n, NULL, "bad.cab", -1, 0, NULL, &err);
    CHECK(rc == code && strstr(err.msg, part), "%s: %s", what, err.msg);
    free(d);
}

static void e_sig(uint8_t *d, size_t n) { (void)n, d[0] = 'X'; }
static void e_version(uint8_t *d, size_t n) { (void)n, d[25] = 2; }
static void e_cabsize(uint8_t *d, size_t n) { put32(d + 8, (uint32_t)n + 1); }
static void e_folder(uint8_t *d, size_t n) { put32(d + 36, (uint32_t)n + 0x100); }
static void e_files(uint8_t *d, size_t n) { put32(d + 16, (uint32_t)n); }
static void e_span(uint8_t *d, size_t n) { (void)n, put16(d + 30, 2); }
static void e_type(uint8_t *d, size_t n) { (void)n, put16(d + 36 + 6, 5); }
static void e_nfiles(uint8_t *d, size_t n) { (void)n, put16(d + 28, 0); }
/* first CFDATA: "CK" signature broken */
static void e_ck(uint8_t *d, size_t n) { (void)n, d[ls_le32(d + 36) + 8] = 'X'; }
/* first CFDATA: checksum off, deflate data garbled */
static void e_deflate(uint8_t *d, size_t n)
{
    (void)n;
    uint32_t at = ls_le32(d + 36);
    put32(d + at, 0);
    for (unsigned i = 10; i < 200; i++)
        d[at + 8 + i] ^= 0x5a;
}
static void e_checksum(uint8_t *d, size_t n) { (void)n, d[ls_le32(d + 36) + 40] ^= 1; }
/* first CFDATA claims more compressed bytes than the cabinet holds */
static void e_cbdata(uint8_t *d, size_t n) { (void)n, put16(d + ls_le32(d + 36) + 4, 0xffff), put32(d + ls_le32(d + 36), 0); }

static void corrupt(const char *rel, const char *label)
{
    size_t n;
    uint8_t *c = slurp(rel, &n);
    if (!c) {
        CHECK(0, "%s present", rel);
        return;
    }
    /* truncations at many points, each into an exact-size buffer */
    unsigned errors = 0, cuts = 0, silent = 0;
    for (size_t cut = 0; cut < n; cut += cut < 512 ? 3 : 211) {
        uint8_t *d = malloc(cut ? cut : 1);
        memcpy(d, c, cut);
        ls_error err = {0};
        int rc = ls_cab_extract(d, cut, NULL, "cut.cab", -1, 0, NULL, &err);
        cuts++;
        errors += rc < 0;
        silent += rc < 0 && !strstr(err.msg, "cut.cab");
        free(d);
    }
    CHECK(errors == cuts && silent == 0, "%s: %u truncations, all refused with a message naming the file", label,
          cuts);
    /* byte flips (deterministic), output discarded and capped */
    uint32_t x = 12345;
    unsigned crashes_would_show = 0, failures = 0;
    uint8_t *d = malloc(n);
    for (unsigned it = 0; it < 400; it++) {
        memcpy(d, c, n);
        for (int k = 0; k < 4; k++) {
            x = x * 1103515245u + 12345u;
            size_t at = (x >> 8) % (it % 2 ? n : (n < 200 ? n : 200));
            d[at] ^= (uint8_t)(x >> 3) | 1;
        }
        ls_error err = {0};
        int rc = ls_cab_extract(d, n, NULL, "flip.cab", -1, 1 << 24, NULL, &err);
        failures += rc < 0;
        crashes_would_show += rc < 0 && !err.msg[0];
    }
    free(d);
    CHECK(crashes_would_show == 0, "%s: 400 flipped copies: %u refused, each with a message", label, failures);
    free(c);
}

int main(void)
{
    fix = getenv("FIX");
    if (!fix) {
        CHECK(0, "FIX is not set (run through tests/run.sh)");
        return CHECK_DONE();
    }
    good(MSZIP, "drivers/bin/laldrv-x86-O2.pdb", "laldrv-x86-O2.pdb", "MSZIP .pd_");
    good(LZX, "drivers/bin/laldrv-x86-O2.sys", "LALDRV-X86-O2.SYS", "LZX .sy_");

    size_t n;
    uint8_t *c = slurp(MSZIP, &n);
    if (c) {
        ls_error err = {0};
        CHECK(ls_cab_extract(c, n, "other.pdb", "t.cab", -1, 0, NULL, &err) == 0,
              "a one-file cabinet gives its file whatever the name asked");
        bad(c, n, e_sig, LS_ENOTMINE, "no MSCF signature at offset 0", "bad signature");
        bad(c, n, e_version, LS_EUNSUPPORTED, "version 2.3 at offset 0x18", "bad version");
        bad(c, n, e_cabsize, LS_ETRUNCATED, "header at offset 0x8 says the cabinet is", "cabinet size past the end");
        bad(c, n, e_folder, LS_ECORRUPT, "folder 0 (offset 0x24) says its data starts at", "folder data past the end");
        bad(c, n, e_files, LS_ECORRUPT, "file table offset", "file table past the end");
        bad(c, n, e_span, LS_EUNSUPPORTED, "spans several files", "cabinet set");
        bad(c, n, e_type, LS_EUNSUPPORTED, "compression type 5", "unknown compression");
        bad(c, n, e_nfiles, LS_ECORRUPT, "0 files", "no files");
        bad(c, n, e_ck, LS_ECORRUPT, "extracting laldrv-x86-O2.pdb", "MSZIP block without CK");
        bad(c, n, e_deflate, LS_ECORRUPT, "extracting laldrv-x86-O2.pdb", "MSZIP block with bad deflate data");
        bad(c, n, e_checksum, LS_ECORRUPT, "bad checksum", "CFDATA checksum mismatch");
        bad(c, n, e_cbdata, LS_ECORRUPT, "extracting", "CFDATA longer than the cabinet");
        free(c);
    }
    corrupt(MSZIP, "MSZIP");
    corrupt(LZX, "LZX");
    return CHECK_DONE();
}
