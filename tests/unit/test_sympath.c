/* test_sympath.c - symbol path parsing and lookups in the committed stores (fixtures/stores) and
 * folders: plain, two-tier, file.ptr, MSZIP and LZX cabinets, names in any case. With arguments
 * it is a probe for tests/sympath.test.sh: "find-pdb|find-image SPEC IMAGE" copies the found file
 * to stdout and prints how it was found on stderr. */
#include "check.h"
#include "lalscan/symbols.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *fix;

static uint8_t *slurp_fd(int fd, size_t *size)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return NULL;
    uint8_t *b = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (b && got < (size_t)st.st_size) {
        ssize_t n = pread(fd, b + got, (size_t)st.st_size - got, (off_t)got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    *size = got;
    return b;
}

static uint8_t *slurp(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    uint8_t *b = slurp_fd(fd, size);
    close(fd);
    return b;
}

/* The found file's bytes equal those of the original. */
static int same_bytes(const ls_found_file *f, const char *orig)
{
    size_t a = 0, b = 0;
    uint8_t *x = slurp_fd(f->fd, &a), *y = slurp(orig, &b);
    int same = x && y && a == b && a == f->size && memcmp(x, y, a) == 0;
    free(x);
    free(y);
    return same;
}

static int codeview_of(const char *image, ls_codeview *cv, ls_pe_info *info)
{
    ls_pe *pe = NULL;
    ls_error err = {0};
    if (ls_pe_open_file(image, &pe, &err) < 0)
        return -1;
    int rc = ls_pe_codeview(pe, cv, &err);
    if (info)
        *info = *ls_pe_get_info(pe);
    ls_pe_free(pe);
    return rc;
}

static ls_sympath *path_of(const char *fmt, const char *a, const char *b)
{
    char spec[4096];
    snprintf(spec, sizeof spec, fmt, a, b);
    ls_sympath *sp = NULL;
    ls_error err = {0};
    if (ls_sympath_parse(spec, &sp, &err) < 0)
        printf("# parse %s: %s\n", spec, err.msg);
    return sp;
}

static void test_parse(void)
{
    ls_sympath *sp = NULL;
    ls_error err = {0};
    int rc = ls_sympath_parse(" srv*/a*https://msdl.example/download/symbols ; cache*/c;/plain;;"
                              "symsrv*symsrv.dll*/s*http://y;SRV**https://z;C:\\nope\\here;https://u",
                              &sp, &err);
    CHECK(rc == 0, "parse a mixed path (%s)", err.msg);
    if (rc < 0)
        return;
    CHECK_EQ_U64(ls_sympath_count(sp), 4, "four local elements");
    int st = -1;
    CHECK(ls_sympath_element(sp, 0, &st) && strcmp(ls_sympath_element(sp, 0, &st), "/a") == 0 && st == 1,
          "srv*/a*URL: /a is a store");
    CHECK(ls_sympath_element(sp, 1, &st) && strcmp(ls_sympath_element(sp, 1, &st), "/c") == 0 && st == 1,
          "cache*/c: a store");
    CHECK(ls_sympath_element(sp, 2, &st) && strcmp(ls_sympath_element(sp, 2, &st), "/plain") == 0 && st == 0,
          "/plain: a folder");
    CHECK(ls_sympath_element(sp, 3, &st) && strcmp(ls_sympath_element(sp, 3, &st), "/s") == 0 && st == 1,
          "symsrv*dll*/s: the dll is not a store, /s is");
    CHECK_EQ_U64(ls_sympath_skipped_count(sp), 6, "skipped: 4 URLs, an empty srv element, a Windows path");
    CHECK(strstr(ls_sympath_skipped(sp, 0), "https://msdl.example/download/symbols") &&
              strstr(ls_sympath_skipped(sp, 0), "offline"),
          "skipped URL is named: %s", ls_sympath_skipped(sp, 0));
    CHECK(ls_sympath_skipped(sp, 6) == NULL, "skipped list ends");
    ls_sympath_free(sp);
    ls_sympath_free(NULL);
    CHECK(ls_sympath_parse("", &sp, &err) == 0 && ls_sympath_count(sp) == 0, "empty path parses");
    ls_found_file f;
    ls_codeview cv = {.kind = LS_CV_RSDS, .age = 1};
    strcpy(cv.pdb_path, "x.pdb");
    CHECK(ls_sympath_find_pdb(sp, &cv, &f, &err) == LS_ENOTFOUND && strstr(err.msg, "no local folder"),
          "empty path: not found, says why: %s", err.msg);
    ls_sympath_free(sp);
}

typedef struct {
    const char *what, *spec, *image, *orig; /* orig under fixtures/drivers/bin */
    int pdb, how, flags;
} lookup;

static void test_lookup(const lookup *t)
{
    char store[1024], image[1024], orig[1024];
    snprintf(store, sizeof store, t->spec, fix, fix);
    snprintf(image, sizeof image, "%s/drivers/bin/%s", fix, t->image);
    snprintf(orig, sizeof orig, "%s/drivers/bin/%s", fix, t->orig);
    ls_codeview cv;
    ls_pe_info in;
    if (codeview_of(image, &cv, &in) < 0) {
        CHECK(0, "%s: fixture image %s opens", t->what, image);
        return;
    }
    ls_sympath *sp = NULL;
    ls_error err = {0};
    if (ls_sympath_parse(store, &sp, &err) < 0) {
        CHECK(0, "%s: parse: %s", t->what, err.msg);
        return;
    }
    ls_found_file f = {.fd = -1};
    int rc = t->pdb ? ls_sympath_find_pdb(sp, &cv, &f, &err)
                    : ls_sympath_find_image(sp, t->image, in.timestamp, in.size_of_image, &f, &err);
    CHECK(rc == 0, "%s: found (%s)", t->what, rc ? err.msg : f.path);
    if (rc == 0) {
        CHECK(f.how == t->how && f.flags == t->flags, "%s: how %d flags %d (want %d %d)", t->what, f.how, f.flags,
              t->how, t->flags);
        CHECK(same_bytes(&f, orig), "%s: bytes are those of %s", t->what, t->orig);
        CHECK(fcntl(f.fd, F_GETFL) >= 0 && (fcntl(f.fd, F_GETFL) & O_ACCMODE) == O_RDONLY, "%s: fd is read-only",
              t->what);
        CHECK(!(t->flags & LS_FOUND_COMPRESSED) || strstr(f.path, " (decompressed)"), "%s: display path %s",
              t->what, f.path);
        close(f.fd);
    }
    ls_sympath_free(sp);
}

static const lookup lookups[] = {
    {"store: plain PDB", "srv*%s/stores/store*https://example.invalid/symbols", "laldrv-x64-O2.sys",
     "laldrv-x64-O2.pdb", 1, LS_FOUND_STORE, 0},
    {"store: plain image", "srv*%s/stores/store", "laldrv-x64-O2.sys", "laldrv-x64-O2.sys", 0, LS_FOUND_STORE, 0},
    {"store: MSZIP .pd_", "srv*%s/stores/store", "laldrv-x86-O2.sys", "laldrv-x86-O2.pdb", 1, LS_FOUND_STORE,
     LS_FOUND_COMPRESSED},
    {"store: LZX .sy_", "srv*%s/stores/store", "laldrv-x86-O2.sys", "laldrv-x86-O2.sys", 0, LS_FOUND_STORE,
     LS_FOUND_COMPRESSED},
    {"store: file.ptr", "srv*%s/stores/store", "laldrv-x64-O0.sys", "laldrv-x64-O0.sys", 0, LS_FOUND_STORE,
     LS_FOUND_POINTER},
    {"store: names and key in other case", "srv*%s/stores/store", "laldrv-x64-O2-case.sys",
     "laldrv-x64-o2-case.pdb", 1, LS_FOUND_STORE, LS_FOUND_COMPRESSED},
    {"two-tier store: MSZIP .pd_", "srv*%s/stores/store*%s/stores/store2", "laldrv-x86-O0.sys",
     "laldrv-x86-O0.pdb", 1, LS_FOUND_TWO_TIER, LS_FOUND_COMPRESSED},
    {"two-tier store: image", "cache*%s/stores/store2", "laldrv-x64-O2-pg8k.sys", "laldrv-x64-O2-pg8k.sys", 0,
     LS_FOUND_TWO_TIER, 0},
    {"store given as a plain folder", "%s/stores/store", "laldrv-x64-O2.sys", "laldrv-x64-O2.pdb", 1,
     LS_FOUND_STORE, 0},
    {"folder: PDB by name", "%s/drivers/bin", "laldrv-x86-O0.sys", "laldrv-x86-O0.pdb", 1, LS_FOUND_FOLDER, 0},
    {"folder: PDB name in other case", "/nonexistent;%s/drivers/bin", "laldrv-x64-O2-case.sys",
     "laldrv-x64-o2-case.pdb", 1, LS_FOUND_FOLDER, 0},
    {"folder: image checked and found", "%s/drivers/bin", "laldrv-x86-O2.sys", "laldrv-x86-O2.sys", 0,
     LS_FOUND_FOLDER, 0},
};

static void test_not_found(void)
{
    char image[1024];
    snprintf(image, sizeof image, "%s/drivers/bin/laldrv-x86-O0.sys", fix);
    ls_codeview cv;
    ls_pe_info in;
    if (codeview_of(image, &cv, &in) < 0)
        return;
    ls_sympath *sp = path_of("srv*%s/stores/store*https://example.invalid/s;%s/stores", fix, fix);
    ls_found_file f = {.fd = -1};
    ls_error err = {0};
    int rc = ls_sympath_find_image(sp, "laldrv-x86-O0.sys", in.timestamp, in.size_of_image, &f, &err);
    CHECK(rc == LS_ENOTFOUND, "file.ptr with MSG: not found");
    CHECK(strstr(err.msg, "withheld by the fixture") && strstr(err.msg, "https://example.invalid/s") &&
              strstr(err.msg, "5E0000005000"),
          "message names the file.ptr message, the key and the skipped URL: %s", err.msg);
    rc = ls_sympath_find_image(sp, "laldrv-x86-O2.sys", in.timestamp + 1, in.size_of_image, &f, &err);
    CHECK(rc == LS_ENOTFOUND && strstr(err.msg, "5E0000015000"), "wrong time stamp: not found: %s", err.msg);
    ls_sympath_free(sp);

    /* by-name folder candidate whose identity is wrong */
    sp = path_of("%s/drivers/bin", fix, "");
    rc = ls_sympath_find_image(sp, "laldrv-x86-O2.sys", 0x12345678, 0x5000, &f, &err);
    CHECK(rc == LS_ENOTFOUND && strstr(err.msg, "wanted 0x12345678"), "folder image with another time stamp is refused: %s",
          err.msg);
    ls_sympath_free(sp);
}

static int refuse_all(void *ctx, int fd, const char *path, ls_error *err)
{
    (void)fd;
    ++*(int *)ctx;
    return ls_error_set(err, LS_EMISMATCH, "%s: GUID differs", path);
}

static void test_check_callback(void)
{
    char image[1024];
    snprintf(image, sizeof image, "%s/drivers/bin/laldrv-x64-O2.sys", fix);
    ls_codeview cv;
    if (codeview_of(image, &cv, NULL) < 0)
        return;
    ls_sympath *sp = path_of("%s/drivers/bin;srv*%s/stores/store", fix, fix);
    int calls = 0;
    ls_sympath_set_pdb_check(sp, refuse_all, &calls);
    ls_found_file f = {.fd = -1};
    ls_error err = {0};
    int rc = ls_sympath_find_pdb(sp, &cv, &f, &err);
    CHECK(rc == 0 && f.how == LS_FOUND_STORE && calls == 1,
          "a refused folder candidate is passed over for the store (%d calls)", calls);
    if (rc == 0)
        close(f.fd);
    ls_sympath_free(sp);
}

/* symbols/<ext>/ and <ext>/ below a plain folder, built in a temporary directory */
static void test_folder_layouts(void)
{
    char tmpl[1024];
    const char *td = getenv("TMPDIR");
    snprintf(tmpl, sizeof tmpl, "%s/lalscan-sympath-XXXXXX", td && *td ? td : P_tmpdir);
    char *dir = mkdtemp(tmpl);
    if (!dir) {
        CHECK(0, "mkdtemp");
        return;
    }
    char p[1024], cmd[3000];
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s/symbols/SYS %s/pdb && cp %s/drivers/bin/laldrv-x64-O2.pdb %s/symbols/SYS/LALDRV-X64-O2.PDB",
             dir, dir, fix, dir);
    int ok = system(cmd) == 0;
    CHECK(ok, "temporary folder tree");
    snprintf(p, sizeof p, "%s/drivers/bin/laldrv-x64-O2.sys", fix);
    ls_codeview cv;
    if (ok && codeview_of(p, &cv, NULL) == 0) {
        ls_sympath *sp = path_of("%s", dir, "");
        ls_found_file f = {.fd = -1};
        ls_error err = {0};
        int rc = ls_sympath_find_pdb(sp, &cv, &f, &err);
        snprintf(p, sizeof p, "%s/drivers/bin/laldrv-x64-O2.pdb", fix);
        CHECK(rc == 0 && strstr(f.path, "symbols/SYS/LALDRV-X64-O2.PDB") && same_bytes(&f, p),
              "folder/symbols/sys/ in other case (%s)", rc ? err.msg : f.path);
        if (rc == 0)
            close(f.fd);
        ls_sympath_free(sp);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0, "cleanup");
}

static void test_default(void)
{
    ls_sympath *sp = NULL;
    ls_error err = {0};
    setenv("_NT_ALT_SYMBOL_PATH", "/alt", 1);
    setenv("_NT_SYMBOL_PATH", "srv*/cache*https://example.invalid", 1);
    int rc = ls_sympath_default(NULL, &sp, &err);
    int st = -1;
    CHECK(rc == 0 && ls_sympath_count(sp) == 2 && strcmp(ls_sympath_element(sp, 0, &st), "/alt") == 0 &&
              strcmp(ls_sympath_element(sp, 1, &st), "/cache") == 0 && st == 1 && ls_sympath_skipped_count(sp) == 1,
          "default path: _NT_ALT_SYMBOL_PATH then _NT_SYMBOL_PATH");
    CHECK(ls_sympath_add_folder(sp, "/img", &err) == 0 && ls_sympath_count(sp) == 3 &&
              strcmp(ls_sympath_element(sp, 2, &st), "/img") == 0 && st == 0,
          "image folder appended last");
    ls_sympath_free(sp);
    rc = ls_sympath_default("/only", &sp, &err);
    CHECK(rc == 0 && ls_sympath_count(sp) == 1, "an explicit path replaces the environment");
    ls_sympath_free(sp);
    unsetenv("_NT_ALT_SYMBOL_PATH");
    unsetenv("_NT_SYMBOL_PATH");
    rc = ls_sympath_default(NULL, &sp, &err);
    CHECK(rc == 0 && ls_sympath_count(sp) == 0, "no environment: empty path");
    ls_sympath_free(sp);
}

/* Probe mode for the shell test. */
static int probe(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    ls_codeview cv;
    ls_pe_info in;
    if (codeview_of(argv[3], &cv, &in) < 0) {
        fprintf(stderr, "cannot read %s\n", argv[3]);
        return 2;
    }
    ls_sympath *sp = NULL;
    ls_error err = {0};
    if (ls_sympath_parse(argv[2], &sp, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    const char *base = strrchr(argv[3], '/') ? strrchr(argv[3], '/') + 1 : argv[3];
    ls_found_file f = {.fd = -1};
    int rc = strcmp(argv[1], "find-pdb") == 0
                 ? ls_sympath_find_pdb(sp, &cv, &f, &err)
                 : ls_sympath_find_image(sp, base, in.timestamp, in.size_of_image, &f, &err);
    ls_sympath_free(sp);
    if (rc < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    fprintf(stderr, "how=%d flags=%d size=%llu path=%s\n", f.how, f.flags, (unsigned long long)f.size, f.path);
    size_t n;
    uint8_t *b = slurp_fd(f.fd, &n);
    close(f.fd);
    if (!b || fwrite(b, 1, n, stdout) != n)
        return 2;
    free(b);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return probe(argc, argv);
    fix = getenv("FIX");
    if (!fix) {
        CHECK(0, "FIX is not set (run through tests/run.sh)");
        return CHECK_DONE();
    }
    test_parse();
    for (size_t i = 0; i < sizeof lookups / sizeof lookups[0]; i++)
        test_lookup(&lookups[i]);
    test_not_found();
    test_check_callback();
    test_folder_layouts();
    test_default();
    return CHECK_DONE();
}
