/* test_pe_corrupt.c - the PE reader on broken images: truncations at many cut points, bad
 * e_lfanew, sections past the end, import tables without end, huge counts. Each must end in an
 * error that names an offset (or a tolerated note), never a crash or a hang. */
#include "check.h"
#include "lalscan/symbols.h"

#include <stdlib.h>

static uint8_t *slurp(const char *path, size_t *size)
{
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

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* Everything a caller might ask of an opened image; the answers do not matter, only that
 * asking is safe. */
static void exercise(ls_pe *pe)
{
    ls_error err = {0};
    ls_codeview cv;
    (void)ls_pe_codeview(pe, &cv, &err);
    const ls_pe_import *imp;
    size_t n;
    (void)ls_pe_imports(pe, &imp, &n, &err);
    for (size_t i = 0; i < n; i++)
        (void)ls_pe_import_at(pe, imp[i].iat_rva);
    unsigned ns;
    const ls_pe_section *s = ls_pe_sections(pe, &ns);
    uint8_t buf[64];
    for (unsigned i = 0; i < ns; i++) {
        uint64_t off;
        (void)ls_pe_rva_to_offset(pe, s[i].rva, &off, &err);
        (void)ls_pe_read(pe, s[i].rva, buf, sizeof buf, &err);
        (void)ls_pe_read(pe, s[i].rva + s[i].virtual_size - 8, buf, 16, &err);
    }
}

static int open_ok(const uint8_t *d, size_t n, ls_error *err)
{
    ls_pe *pe = NULL;
    int rc = ls_pe_open_mem(d, n, "cut.sys", &pe, err);
    if (rc == 0) {
        exercise(pe);
        ls_pe_free(pe);
    }
    return rc;
}

static void truncations(const char *path, const char *label)
{
    size_t size;
    uint8_t *d = slurp(path, &size);
    if (!d) {
        CHECK(0, "%s: read %s", label, path);
        return;
    }
    unsigned cuts = 0, errors = 0, silent = 0, bad_cv = 0;
    for (size_t cut = 0; cut <= size; cut += cut < 2048 ? 7 : 509) {
        /* a copy of exactly cut bytes, so ASan sees any read past it */
        uint8_t *c = malloc(cut ? cut : 1);
        memcpy(c, d, cut);
        ls_error err = {0};
        int rc = open_ok(c, cut, &err);
        cuts++;
        if (rc < 0) {
            errors++;
            if (!err.msg[0] || !strstr(err.msg, "cut.sys"))
                silent++;
        } else if (cut < size) {
            ls_pe *pe = NULL;
            ls_codeview cv;
            ls_pe_open_mem(c, cut, "cut.sys", &pe, &err);
            int r = ls_pe_codeview(pe, &cv, &err);
            if (r < 0 && !strstr(err.msg, "cut.sys"))
                bad_cv++;
            ls_pe_free(pe);
        }
        free(c);
    }
    CHECK(silent == 0 && bad_cv == 0, "%s: %u cut points, %u refused at open, all with a message naming the file",
          label, cuts, errors);
    free(d);
}

static void crafted(const char *path)
{
    size_t size;
    uint8_t *orig = slurp(path, &size);
    if (!orig) {
        CHECK(0, "read %s", path);
        return;
    }
    uint8_t *d = malloc(size);
    ls_error err = {0};
    uint32_t lfa = ls_le32(orig + 0x3c);
    uint32_t opt = lfa + 24;
    int plus = ls_le16(orig + opt) == 0x20b;
    uint32_t dirs = opt + (plus ? 112 : 96);
    uint32_t sect = opt + ls_le16(orig + lfa + 4 + 16);

    memcpy(d, orig, size);
    put32(d + 0x3c, 0xfffffff0u);
    int rc = open_ok(d, size, &err);
    CHECK(rc == LS_ECORRUPT && strstr(err.msg, "e_lfanew 0xfffffff0 (at offset 0x3c)"), "bad e_lfanew: %s", err.msg);

    memcpy(d, orig, size);
    put32(d + 0x3c, (uint32_t)size - 2);
    rc = open_ok(d, size, &err);
    CHECK(rc == LS_ECORRUPT && strstr(err.msg, "e_lfanew"), "e_lfanew at the end of the file: %s", err.msg);

    memcpy(d, orig, size);
    d[lfa] = 'X';
    rc = open_ok(d, size, &err);
    CHECK(rc == LS_ENOTMINE && strstr(err.msg, "no PE signature at offset"), "no PE signature: %s", err.msg);

    memcpy(d, orig, size);
    d[lfa + 4 + 2] = 0xff, d[lfa + 4 + 3] = 0xff;
    rc = open_ok(d, size, &err);
    CHECK(rc == LS_ECORRUPT && strstr(err.msg, "65535 sections"), "NumberOfSections 0xffff: %s", err.msg);

    memcpy(d, orig, size);
    d[lfa + 4 + 16] = 0xff, d[lfa + 4 + 17] = 0xff;
    rc = open_ok(d, size, &err);
    CHECK(rc < 0 && strstr(err.msg, "optional header"), "SizeOfOptionalHeader 0xffff: %s", err.msg);

    memcpy(d, orig, size);
    d[opt] = 0x99;
    rc = open_ok(d, size, &err);
    CHECK(rc == LS_ECORRUPT && strstr(err.msg, "optional header magic 0x"), "bad optional header magic: %s", err.msg);

    memcpy(d, orig, size);
    put32(d + dirs - 4, 0xffffffffu);
    rc = open_ok(d, size, &err);
    CHECK(rc == 0, "NumberOfRvaAndSizes 0xffffffff is clamped (%s)", rc ? err.msg : "");

    /* debug directory claiming 4 GiB: entries capped; codeview still found or cleanly absent */
    memcpy(d, orig, size);
    put32(d + dirs + 6 * 8 + 4, 0xffffffffu);
    ls_pe *pe = NULL;
    rc = ls_pe_open_mem(d, size, "cut.sys", &pe, &err);
    ls_codeview cv;
    CHECK(rc == 0 && ls_pe_codeview(pe, &cv, &err) == 0, "debug directory size 0xffffffff: CodeView still read");
    ls_pe_free(pe);

    /* every section's raw data past the end of the file */
    memcpy(d, orig, size);
    unsigned nsec = ls_le16(orig + lfa + 6);
    for (unsigned i = 0; i < nsec; i++)
        put32(d + sect + 40 * i + 20, 0x7ffff000u);
    pe = NULL;
    rc = ls_pe_open_mem(d, size, "cut.sys", &pe, &err);
    CHECK(rc == 0 && strstr(ls_pe_notes(pe), "past the end of the file"), "sections past EOF: opens with a note: %s",
          pe ? ls_pe_notes(pe) : err.msg);
    if (pe) {
        rc = ls_pe_codeview(pe, &cv, &err);
        CHECK(rc < 0 && strstr(err.msg, "offset"), "sections past EOF: CodeView read fails naming the offset: %s",
              err.msg);
        const ls_pe_import *imp;
        size_t n;
        rc = ls_pe_imports(pe, &imp, &n, &err);
        CHECK(rc == LS_ETRUNCATED && strstr(err.msg, "file offset 0x7ff"), "sections past EOF: imports error: %s",
              err.msg);
        uint64_t off;
        CHECK(ls_pe_rva_to_offset(pe, ls_pe_sections(pe, NULL)[0].rva, &off, &err) == LS_ETRUNCATED,
              "sections past EOF: rva_to_offset refuses: %s", err.msg);
        ls_pe_free(pe);
    }

    /* import descriptors that never end: every descriptor the same, forever */
    memcpy(d, orig, size);
    uint32_t irva = ls_le32(orig + dirs + 8);
    pe = NULL;
    ls_pe_open_mem(orig, size, "orig.sys", &pe, &err);
    uint64_t ioff = 0;
    if (pe && ls_pe_rva_to_offset(pe, irva, &ioff, &err) == 0) {
        /* the largest section filled with copies of descriptor 0, and the import directory
         * pointed at it: hundreds of DLLs of the same imports */
        unsigned ns;
        const ls_pe_section *s = ls_pe_sections(pe, &ns);
        const ls_pe_section *big = &s[0];
        for (unsigned i = 0; i < ns; i++)
            if (s[i].raw_size > big->raw_size)
                big = &s[i];
        for (uint64_t o = big->raw_offset; o + 20 <= (uint64_t)big->raw_offset + big->raw_size && o + 20 <= size; o += 20)
            memcpy(d + o, orig + ioff, 20);
        put32(d + dirs + 8, big->rva);
        ls_pe *bad = NULL;
        rc = ls_pe_open_mem(d, size, "loop.sys", &bad, &err);
        const ls_pe_import *imp;
        size_t n = 0;
        int irc = bad ? ls_pe_imports(bad, &imp, &n, &err) : rc;
        CHECK(rc == 0 && n > 1000 && n <= 65536, "import directory of %u descriptors: bounded, %zu imports (%s)",
              big->raw_size / 20, n, irc ? err.msg : "no error");
        ls_pe_free(bad);

        /* a lookup table that never ends: the same thunk over the whole section */
        memcpy(d, orig, size);
        uint32_t ilt0 = ls_le32(orig + ioff);
        uint64_t t0;
        if (ls_pe_rva_to_offset(pe, ilt0, &t0, &err) == 0) {
            for (uint64_t o = big->raw_offset; o + 8 <= (uint64_t)big->raw_offset + big->raw_size && o + 8 <= size;
                 o += plus ? 8 : 4)
                memcpy(d + o, orig + t0, plus ? 8 : 4);
            put32(d + ioff, big->rva);
            bad = NULL;
            rc = ls_pe_open_mem(d, size, "ilt.sys", &bad, &err);
            irc = bad ? ls_pe_imports(bad, &imp, &n, &err) : rc;
            CHECK(rc == 0 && n >= big->raw_size / (plus ? 8u : 4u) && n <= 65536,
                  "lookup table without end: bounded, %zu imports (%s)", n, irc ? err.msg : "no error");
            ls_pe_free(bad);
        }

        /* lookup table whose thunks point outside the image */
        memcpy(d, orig, size);
        uint32_t ilt = ls_le32(orig + ioff);
        uint64_t toff;
        if (ls_pe_rva_to_offset(pe, ilt, &toff, &err) == 0) {
            put32(d + toff, 0x7ffffff0u);
            if (plus)
                put32(d + toff + 4, 0);
            bad = NULL;
            rc = ls_pe_open_mem(d, size, "thunk.sys", &bad, &err);
            irc = bad ? ls_pe_imports(bad, &imp, &n, &err) : rc;
            CHECK(rc == 0 && irc == LS_ENODATA && strstr(err.msg, "outside the image"), "name RVA outside the image: %s",
                  err.msg);
            ls_pe_free(bad);
        }
    } else {
        CHECK(0, "import directory of %s", path);
    }
    ls_pe_free(pe);

    free(d);
    free(orig);
}

static int no_page(void *ctx, uint32_t rva, void *buf, size_t len, ls_error *err)
{
    (void)ctx, (void)buf, (void)len;
    return ls_error_set(err, LS_ENODATA, "page at RVA 0x%x not in dump", rva);
}

int main(void)
{
    const char *shared = getenv("SHARED"), *fix = getenv("FIX");
    if (!shared || !fix) {
        CHECK(0, "SHARED and FIX must be set (run through tests/run.sh)");
        return CHECK_DONE();
    }
    static const char *const rw[] = {
        "drv-kprocesshacker-2016-i386/kprocesshacker.sys", "drv-kprocesshacker-2016-amd64/kprocesshacker.sys",
        "drv-wfp-driverproject-x64/driver.sys", "um-msvc-seh-tests/arm64/xcpt4.exe",
    };
    char p[1024];
    for (size_t i = 0; i < sizeof rw / sizeof rw[0]; i++) {
        snprintf(p, sizeof p, "%s/realworld/%s", shared, rw[i]);
        truncations(p, rw[i]);
    }
    snprintf(p, sizeof p, "%s/drivers/bin/laldrv-x86-O2.sys", fix);
    truncations(p, "laldrv-x86-O2.sys");
    snprintf(p, sizeof p, "%s/realworld/drv-kprocesshacker-2016-amd64/kprocesshacker.sys", shared);
    crafted(p);
    snprintf(p, sizeof p, "%s/realworld/drv-kprocesshacker-2016-i386/kprocesshacker.sys", shared);
    crafted(p);

    ls_pe *pe = NULL;
    ls_error err = {0};
    int rc = ls_pe_open_reader(no_page, NULL, "gone.sys", &pe, &err);
    CHECK(rc == LS_ENODATA && strstr(err.msg, "gone.sys: headers at RVA 0 are not readable"),
          "loaded image without its header page: %s", err.msg);
    uint8_t tiny[10] = "MZ";
    CHECK(ls_pe_open_mem(tiny, sizeof tiny, "tiny", &pe, &err) == LS_ETRUNCATED, "10-byte file: %s", err.msg);
    CHECK(ls_pe_open_mem(NULL, 0, "none", &pe, &err) == LS_ETRUNCATED, "empty buffer: %s", err.msg);
    CHECK(ls_pe_open_file("/nonexistent/x.sys", &pe, &err) == LS_ENOTFOUND, "missing file: %s", err.msg);
    ls_pe_free(NULL);
    return CHECK_DONE();
}
