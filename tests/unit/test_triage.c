/* test_triage.c - the triage layer as a library call: SHA-256 against FIPS 180 examples,
 * recognition by content, and a batch whose results arrive in path order at any -j. */
#include "check.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "lalscan/triage.h"

static void hex32(const uint8_t d[32], char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_sha256(void)
{
    static const struct { const char *in; const char *want; } v[] = {
        { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    };
    char h[65];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t d[32];
        ls_sha256_mem(v[i].in, strlen(v[i].in), d);
        hex32(d, h);
        CHECK_STR(h, v[i].want, "sha256 of a %zu-byte message", strlen(v[i].in));
    }
    /* a million 'a's crosses every block-boundary case of the streaming file path */
    char path[4096];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/test_triage_XXXXXX", dir && *dir ? dir : P_tmpdir);
    int fd = mkstemp(path);
    char *a = malloc(1000000);
    if (fd < 0 || !a) {
        CHECK(0, "temporary file for the million-a vector");
        free(a);
        return;
    }
    memset(a, 'a', 1000000);
    CHECK(write(fd, a, 1000000) == 1000000, "write the million-a file");
    close(fd);
    CHECK(ls_sha256_file(path, h, NULL) == 0, "sha256 of a file");
    CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "sha256 of 10^6 'a'");
    int agree = 1;
    for (size_t n = 55; n <= 129 && agree; n++) {
        uint8_t d1[32];
        ls_sha256_mem(a, n, d1);
        /* the same bytes fed through the file path must agree at every padding length */
        fd = open(path, O_WRONLY | O_TRUNC);
        if (fd < 0 || write(fd, a, n) != (ssize_t)n) {
            CHECK(0, "rewrite the file");
            break;
        }
        close(fd);
        char hf[65], hm[65];
        ls_sha256_file(path, hf, NULL);
        hex32(d1, hm);
        if (strcmp(hf, hm)) {
            CHECK_STR(hf, hm, "file and memory digests agree at %zu bytes", n);
            agree = 0;
        }
    }
    if (agree)
        CHECK(1, "file and memory digests agree at every length from 55 to 129 bytes");
    CHECK(ls_sha256_file("/nonexistent/x", h, NULL) == LS_EIO, "missing file: LS_EIO");
    unlink(path);
    free(a);
}

static void test_sniff(void)
{
    ls_error err;
    CHECK(ls_batch_sniff("fixtures/dumps/x64-triage.dmp", &err) == 1, "a PAGEDU64 dump is a dump");
    CHECK(ls_batch_sniff("fixtures/dumps/x86-full.dmp", &err) == 1, "a PAGEDUMP dump is a dump");
    CHECK(ls_batch_sniff("fixtures/dumps/x64-bitmap-kernel.dmp.gz", &err) == 1, "a gzip'd dump is a dump");
    CHECK(ls_batch_sniff("fixtures/dumps/bad-x64-signature.dmp", &err) == 1,
          "a damaged signature is still a dump (reported as bad, not skipped)");
    CHECK(ls_batch_sniff("fixtures/drivers/bin/laldrv-x64-O2.pdb", &err) == 0, "a PDB is not a dump");
    CHECK(ls_batch_sniff("fixtures/drivers/bin/laldrv-x64-O2.sys", &err) == 0, "a driver is not a dump");
    CHECK(ls_batch_sniff("/nonexistent/x.dmp", &err) < 0, "a missing file: an error");
}

typedef struct seen {
    char paths[16][512];
    int n, in_order, errors;
} seen;

static int collect(void *ctx, const ls_batch_result *r)
{
    seen *s = ctx;
    if (s->n && strcmp(s->paths[s->n - 1], r->path) >= 0)
        s->in_order = 0;
    if (s->n < 16)
        snprintf(s->paths[s->n++], sizeof s->paths[0], "%s", r->path);
    s->errors += r->status != 0;
    if (r->status == 0 && !r->report_json)
        s->in_order = 0;
    return 0;
}

static void test_batch(unsigned jobs)
{
    static const char *inputs[] = {
        "fixtures/dumps/verifier-win7-x64.dmp", "fixtures/dumps/x64-triage.dmp",
        "fixtures/dumps/bad-x64-signature.dmp", "fixtures/dumps/verifier-win10-x64.dmp",
        "fixtures/dumps/x64-triage.dmp", /* the same path twice counts once */
        "/nonexistent/dir/x.dmp",
    };
    seen s = { .in_order = 1 };
    ls_batch_options o = { .jobs = jobs, .want_reports = 1, .on_result = collect, .ctx = &s };
    o.analysis.symbol_path = "fixtures/drivers/bin";
    ls_batch *b = NULL;
    ls_error err;
    CHECK(ls_batch_new(&o, &b, &err) == 0, "-j %u: new", jobs);
    for (size_t i = 0; b && i < sizeof inputs / sizeof inputs[0]; i++)
        ls_batch_add(b, inputs[i], &err);
    CHECK(b && ls_batch_run(b, &err) == 0, "-j %u: run", jobs);
    if (!b)
        return;
    ls_batch_counts c;
    ls_batch_get_counts(b, &c);
    CHECK(s.n == 5 && s.in_order, "-j %u: five results in path order, reports rendered", jobs);
    CHECK(c.files == 5 && c.dumps == 5 && c.analyzed == 5 && c.errors == 2 && c.found == 2,
          "-j %u: counts (files %zu dumps %zu analyzed %zu errors %zu found %zu)", jobs, c.files, c.dumps,
          c.analyzed, c.errors, c.found);
    size_t nb = 0, ne = 0;
    const ls_batch_bucket *bk = ls_batch_buckets(b, &nb);
    const ls_batch_error *er = ls_batch_errors(b, &ne);
    CHECK(nb == 3 && ne == 2, "-j %u: three buckets, two errors", jobs);
    int lal = 0;
    for (size_t i = 0; i < nb; i++)
        lal += bk[i].count == 1 && !strcmp(bk[i].driver, "laldrv.sys") && bk[i].top_site[0] &&
               !strcmp(bk[i].bugcheck, "0xc4/0x62");
    CHECK(lal == 2, "-j %u: two laldrv.sys 0xc4/0x62 buckets with a top site", jobs);
    if (ne == 2)
        CHECK(!strcmp(er[0].path, "/nonexistent/dir/x.dmp") && strstr(er[1].message, "bad-x64-signature"),
              "-j %u: errors in path order with their messages", jobs);
    ls_buf t = { 0 }, j = { 0 };
    CHECK(ls_batch_text(b, 0, &t) == 0 && t.data && strstr(t.data, "3 buckets, 5 dumps"),
          "-j %u: text table header", jobs);
    CHECK(ls_batch_summary_json(b, 0, &j) == 0 && j.data && strstr(j.data, "\"schema\":\"lalscan.triage/1\""),
          "-j %u: summary JSON", jobs);
    ls_buf_free(&t);
    ls_buf_free(&j);
    ls_batch_free(b);
}

int main(void)
{
    test_sha256();
    test_sniff();
    test_batch(1);
    test_batch(3);
    ls_batch_free(NULL);
    return CHECK_DONE();
}
