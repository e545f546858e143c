/* test_bugcheck.c - bug check decoding: every table row reachable through ls_bugcheck_decode,
 * table sanity (no overlapping subcodes, name and sentence rules), and a sample checked by hand
 * against the rows of verifier.md §1.2, §1.4 and §1.5. */
#include "check.h"
#include "lalscan/verifier.h"
#include "../../src/verifier/bugcheck_table.h"

#include <ctype.h>

enum { V = LS_PARAM_VALUE, A = LS_PARAM_ADDRESS, DN = LS_PARAM_DRIVER_NAME, VE = LS_PARAM_VERIFIER_ENTRY,
       N = LS_PARAM_COUNT, B = LS_PARAM_BYTES, PT = LS_PARAM_POOL_TYPE, IQ = LS_PARAM_IRQL,
       CA = LS_PARAM_CODE_ADDRESS, R = LS_PARAM_RESERVED };

static void decode1(uint32_t code, int slot, uint64_t value, ls_bugcheck_info *out)
{
    uint64_t p[4] = { 0x1111, 0x2222, 0x3333, 0x4444 };
    if (slot >= 0)
        p[slot] = value;
    ls_bugcheck_decode(code, p, out);
}

/* lalscan's name rule: [a-z0-9] words joined by single hyphens. */
static int good_name(const char *s)
{
    if (!s || !*s || *s == '-')
        return 0;
    for (const char *c = s; *c; c++) {
        if (*c == '-' && (c[1] == '-' || c[1] == '\0'))
            return 0;
        if (*c != '-' && !islower((unsigned char)*c) && !isdigit((unsigned char)*c))
            return 0;
    }
    return 1;
}

static int good_sentence(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 10 && s[n - 1] == '.' && isupper((unsigned char)s[0]);
}

static void test_rows_reachable(void)
{
    for (const struct ls_bc_check *c = ls_bc_checks; c->name; c++) {
        int rows = 0, bad = 0;
        for (const struct ls_bc_row *r = c->rows; r && r->name; r++, rows++) {
            uint64_t ends[2] = { r->lo, r->hi };
            for (int e = 0; e < 2; e++) {
                ls_bugcheck_info bi;
                decode1(c->code, c->selector, ends[e], &bi);
                if (!bi.has_subcode || bi.subcode != ends[e] || bi.subcode_name != r->name ||
                    bi.description != r->description || !bi.name[0]) {
                    printf("#   0x%X subcode 0x%" PRIx64 " (%s) does not decode to its row\n", c->code,
                           ends[e], r->name);
                    bad++;
                }
            }
        }
        if (c->selector >= 0)
            CHECK(bad == 0 && rows > 0, "0x%X: all %d subcode rows reachable", c->code, rows);
        else {
            ls_bugcheck_info bi;
            decode1(c->code, -1, 0, &bi);
            CHECK(!bi.has_subcode && bi.subcode_name == NULL && bi.description == c->description &&
                      bi.param_meaning[0] == c->p[0].meaning && bi.param_meaning[3] == c->p[3].meaning,
                  "0x%X: fixed-shape check decodes to its row", c->code);
        }
    }
}

/* Parameter meanings fill one column of the text report. */
#define MEANING_MAX 34

static void check_row_params(const struct ls_bc_check *c, const struct ls_bc_row *r, int *bad)
{
    for (int i = 0; i < 4; i++) {
        const struct ls_bc_param *p = &r->p[i];
        if (!p->meaning || !p->meaning[0] || p->kind < LS_PARAM_VALUE || p->kind > LS_PARAM_RESERVED) {
            printf("#   0x%X/%s: P%d meaning or kind missing\n", c->code, r->name, i + 1);
            (*bad)++;
        } else if (strlen(p->meaning) > MEANING_MAX) {
            printf("#   0x%X/%s: P%d meaning longer than %d characters\n", c->code, r->name, i + 1, MEANING_MAX);
            (*bad)++;
        }
        int is_sel = i == c->selector;
        if (is_sel != (p->meaning && strcmp(p->meaning, "subcode") == 0)) {
            printf("#   0x%X/%s: P%d should%s be the subcode\n", c->code, r->name, i + 1, is_sel ? "" : " not");
            (*bad)++;
        }
    }
}

static void test_table_sanity(void)
{
    int checks = 0, dup_codes = 0, name_mismatch = 0;
    for (const struct ls_bc_check *c = ls_bc_checks; c->name; c++, checks++) {
        for (const struct ls_bc_check *d = c + 1; d->name; d++)
            if (d->code == c->code) {
                printf("#   check 0x%X listed twice\n", c->code);
                dup_codes++;
            }
        char nt[96];
        ls_bugcheck_name(c->code, nt, sizeof nt);
        if (nt[0] && strcmp(nt, c->name) != 0) {
            printf("#   0x%X: nt says %s, the decode table says %s\n", c->code, nt, c->name);
            name_mismatch++;
        }
        int overlap = 0, names = 0, sentences = 0, params = 0, shared = 0, rows = 0;
        if (c->selector < 0) {
            struct ls_bc_row fake = { 0, 0, "fixed", c->description, { c->p[0], c->p[1], c->p[2], c->p[3] }, 0 };
            sentences += !good_sentence(c->description);
            check_row_params(c, &fake, &params);
            CHECK(c->rows == NULL && sentences == 0 && params == 0,
                  "0x%X: fixed shape has a sentence and four parameter meanings", c->code);
            continue;
        }
        for (const struct ls_bc_row *r = c->rows; r->name; r++, rows++) {
            if (r->lo > r->hi)
                overlap++;
            for (const struct ls_bc_row *q = r + 1; q->name; q++) {
                if (q->lo <= r->hi && r->lo <= q->hi) {
                    printf("#   0x%X: subcodes 0x%" PRIx64 " and 0x%" PRIx64 " overlap\n", c->code, r->lo, q->lo);
                    overlap++;
                }
                if (strcmp(q->name, r->name) == 0 && strcmp(q->description, r->description) != 0) {
                    printf("#   0x%X: name %s used for two meanings\n", c->code, r->name);
                    shared++;
                }
            }
            if (!good_name(r->name)) {
                printf("#   0x%X: bad name \"%s\"\n", c->code, r->name);
                names++;
            }
            if (!good_sentence(r->description)) {
                printf("#   0x%X/%s: description is not one sentence ending with a period\n", c->code, r->name);
                sentences++;
            }
            check_row_params(c, r, &params);
        }
        CHECK(overlap == 0, "0x%X: %d rows, no duplicate or overlapping P%d values", c->code, rows, c->selector + 1);
        CHECK(names == 0, "0x%X: subcode names are lower-case words joined by hyphens", c->code);
        CHECK(shared == 0, "0x%X: a shared name always means the same thing", c->code);
        CHECK(sentences == 0, "0x%X: every description is a sentence ending with a period", c->code);
        CHECK(params == 0, "0x%X: every row says briefly what P1..P4 hold; only the selector is the subcode", c->code);
    }
    CHECK(checks >= 15 && dup_codes == 0, "%d checks in the decode table, none twice", checks);
    CHECK(name_mismatch == 0, "decode table names agree with nt's bug check names");
}

static void test_pool_leak_0x62(void)
{
    uint64_t p[4] = { 0x62, 0xfffffa8003a5c0a0ull, 0xfffffa8003a5c000ull, 4 };
    ls_bugcheck_info bi;
    ls_bugcheck_decode(0xC4, p, &bi);
    CHECK_STR(bi.name, "DRIVER_VERIFIER_DETECTED_VIOLATION", "0xC4 name");
    CHECK(bi.has_subcode && bi.subcode == 0x62, "0xC4/0x62 has its subcode");
    CHECK_STR(bi.subcode_name, "pool-leak-at-unload", "0xC4/0x62 subcode name");
    CHECK(bi.description && strstr(bi.description, "unloaded"), "0xC4/0x62 description");
    CHECK(bi.param_kind[0] == V && bi.param_kind[1] == DN && bi.param_kind[2] == VE && bi.param_kind[3] == N,
          "0xC4/0x62: P2 driver name, P3 Verifier entry, P4 count");
    CHECK(bi.classes == (LS_BC_VERIFIER | LS_BC_POOL | LS_BC_LEAK_AT_UNLOAD), "0xC4/0x62 classes");

    ls_bugcheck_decode(0x100000C4, p, &bi);
    CHECK_STR(bi.name, "DRIVER_VERIFIER_DETECTED_VIOLATION_M", "0x100000C4 is the _M variant");
    CHECK(bi.code == 0x100000C4 && bi.has_subcode && bi.param_kind[1] == DN, "_M variant decodes like 0xC4");
    CHECK_STR(bi.subcode_name, "pool-leak-at-unload", "_M variant subcode name");
}

static void test_pool_leak_0x60(void)
{
    uint64_t p[4] = { 0x60, 0x100, 0x2000, 3 };
    ls_bugcheck_info bi;
    ls_bugcheck_decode(0xC4, p, &bi);
    CHECK_STR(bi.subcode_name, "pool-leak-at-unload-bytes", "0xC4/0x60 subcode name");
    CHECK(bi.param_kind[1] == B && bi.param_kind[2] == B && bi.param_kind[3] == N,
          "0xC4/0x60: P2 paged bytes, P3 nonpaged bytes, P4 count");
    CHECK(bi.param_meaning[1] && strncmp(bi.param_meaning[1], "paged ", 6) == 0 && bi.param_meaning[2] &&
              strncmp(bi.param_meaning[2], "nonpaged ", 9) == 0,
          "0xC4/0x60: P2 is paged, P3 nonpaged");
    CHECK(bi.classes & LS_BC_LEAK_AT_UNLOAD, "0xC4/0x60 is a leak at unload");
    p[0] = 0x61;
    ls_bugcheck_decode(0xC4, p, &bi);
    CHECK(bi.param_kind[1] == B && bi.param_kind[2] == B && bi.param_kind[3] == N && (bi.classes & LS_BC_LEAK_AT_UNLOAD),
          "0xC4/0x61 has the shape of 0x60");
}

static void test_unknown(void)
{
    uint64_t p[4] = { 0x9999, 1, 2, 3 };
    ls_bugcheck_info bi;
    ls_bugcheck_decode(0xC4, p, &bi);
    CHECK(!bi.has_subcode && bi.subcode == 0x9999 && bi.subcode_name == NULL && bi.description == NULL,
          "0xC4/0x9999: unknown subcode, no name, no description");
    CHECK(bi.param_meaning[1] == NULL && bi.param_meaning[2] == NULL && bi.param_meaning[3] == NULL &&
              bi.param_kind[1] == V && bi.param_kind[3] == V,
          "0xC4/0x9999: P2..P4 shown raw");
    CHECK_STR(bi.name, "DRIVER_VERIFIER_DETECTED_VIOLATION", "0xC4/0x9999 keeps the check's name");
    CHECK(bi.classes == LS_BC_VERIFIER, "0xC4/0x9999 keeps the check's classes only");

    p[0] = 0x20001; /* between DDI rules: unknown, not rounded to a neighbour */
    ls_bugcheck_decode(0xC4, p, &bi);
    CHECK(!bi.has_subcode && bi.subcode_name == NULL, "0xC4/0x20001 (gap between rules) is unknown");

    ls_bugcheck_decode(0x12345, p, &bi);
    CHECK(bi.name[0] == '\0' && !bi.has_subcode && !bi.description && !bi.subcode_name && !bi.classes &&
              !bi.param_meaning[0] && !bi.param_meaning[3],
          "unknown code 0x12345: nothing decoded");

    ls_bugcheck_decode(0x0A, p, &bi);
    CHECK(strcmp(bi.name, "IRQL_NOT_LESS_OR_EQUAL") == 0 && !bi.description && !bi.param_meaning[0],
          "0xA: named but not decoded");

    ls_bugcheck_decode(0xC4, NULL, &bi);
    CHECK(!bi.has_subcode && !bi.description && bi.name[0], "0xC4 without parameters: name only");

    p[0] = 3; /* 0xC7 kinds 3-5 are not in the spec */
    ls_bugcheck_decode(0xC7, p, &bi);
    CHECK(!bi.has_subcode && !bi.subcode_name, "0xC7/3 is not guessed");
}

static void test_related(void)
{
    ls_bugcheck_info bi;
    uint64_t p[4] = { 0xfffff80000001000ull, 0x10, 0x20, 0x24 };
    ls_bugcheck_decode(0xC1, p, &bi);
    CHECK(bi.has_subcode && bi.subcode == 0x24, "0xC1 takes its subcode from P4");
    CHECK_STR(bi.subcode_name, "special-pool-overrun", "0xC1/0x24 name");
    CHECK(bi.param_kind[0] == A && bi.param_kind[1] == A && bi.classes == LS_BC_POOL, "0xC1/0x24 P1, P2 addresses, pool");

    uint64_t q[4] = { 0xdead, 1, 0, 0xfffff80000002000ull };
    ls_bugcheck_decode(0xD0, q, &bi);
    CHECK_STR(bi.name, "DRIVER_CORRUPTED_MMPOOL", "0xD0 named from the spec where nt has no name");
    ls_bugcheck_decode(0xC5, q, &bi);
    CHECK(!bi.has_subcode && bi.param_kind[1] == IQ && bi.param_kind[3] == CA && (bi.classes & LS_BC_POOL),
          "0xC5: P2 IRQL, P4 code address, pool");
    ls_bugcheck_decode(0x100000D6, q, &bi);
    CHECK(strcmp(bi.name, "DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION_M") == 0 && bi.param_kind[2] == CA,
          "0x100000D6 decodes like 0xD6");
}

/* Expected values written from verifier.md, not from the tables. */
static const struct sample {
    uint32_t code;
    uint64_t sub;
    const char *name;
    int kind[4];
    unsigned classes; /* must all be present */
} samples[] = {
    { 0xC4, 0x00, "zero-byte-allocation", { V, IQ, PT, B }, LS_BC_VERIFIER | LS_BC_POOL },
    { 0xC4, 0x11, "paged-free-above-apc", { V, IQ, PT, A }, LS_BC_POOL },
    { 0xC4, 0x13, "double-free", { V, R, A, V }, LS_BC_POOL },
    { 0xC4, 0x14, "double-free", { V, R, A, V }, LS_BC_POOL },
    { 0xC4, 0x15, "freed-pool-active-timer", { V, A, PT, A }, LS_BC_POOL },
    { 0xC4, 0x31, "lower-irql-to-higher-level", { V, IQ, IQ, V }, 0 },
    { 0xC4, 0x51, "pool-overrun-at-free", { V, A, A, B }, LS_BC_POOL },
    { 0xC4, 0x54, "pool-overrun-bad-trailer-index", { V, A, R, V }, LS_BC_POOL },
    { 0xC4, 0x60, "pool-leak-at-unload-bytes", { V, B, B, N }, LS_BC_LEAK_AT_UNLOAD },
    { 0xC4, 0x61, "pool-alloc-during-unload", { V, B, B, N }, LS_BC_LEAK_AT_UNLOAD },
    { 0xC4, 0x62, "pool-leak-at-unload", { V, DN, VE, N }, LS_BC_LEAK_AT_UNLOAD | LS_BC_POOL },
    { 0xC4, 0x105, "irp-freed-as-pool", { V, A, V, V }, LS_BC_POOL },
    { 0xC4, 0x13F, "free-size-mismatch", { V, A, B, A }, LS_BC_POOL },
    { 0xC4, 0xCA, "lookaside-initialized-twice", { V, A, R, R }, LS_BC_LOOKASIDE },
    { 0xC4, 0xCB, "lookaside-delete-uninitialized", { V, A, R, R }, LS_BC_LOOKASIDE },
    { 0xC4, 0xCC, "freed-pool-active-lookaside", { V, A, A, B }, LS_BC_LOOKASIDE | LS_BC_POOL },
    { 0xC4, 0xCD, "lookaside-entry-too-small", { V, A, B, B }, LS_BC_LOOKASIDE },
    { 0xC4, 0xDA, "unload-wmi-callback-registered", { V, CA, CA, R }, 0 },
    { 0xC4, 0xDD, "unload-etw-registered", { V, CA, CA, V }, 0 },
    { 0xC4, 0x2000, "executable-pool-requested", { V, CA, PT, V }, LS_BC_POOL },
    { 0xC4, 0xA007, "vm-switch-violation", { V, A, A, A }, 0 },
    { 0xC4, 0x20002, "ddi-irql-apc-lte", { V, A, A, R }, 0 },
    { 0xC4, 0x2001D, "ddi-irql-return", { V, A, V, V }, 0 },
    { 0xC4, 0x9400C, "ddi-wlan-timed-scan", { V, A, V, V }, 0 },
    { 0xC4, 0x93101, "ddi-wlan-assert", { V, A, R, R }, 0 },
    { 0xC1, 0x30, "special-pool-alloc-bad-irql", { IQ, PT, B, V }, LS_BC_POOL },
    { 0xC2, 0x0A, "free-wrong-tag", { V, A, V, V }, LS_BC_POOL },
    { 0xC2, 0x9B, "zero-tag", { V, PT, B, CA }, LS_BC_POOL },
    { 0xC2, 0x41286, "free-paged-mid-allocation", { V, R, R, V }, LS_BC_POOL },
    { 0x19, 0x21, "overrun-found-at-free", { V, A, B, V }, LS_BC_POOL },
    { 0x19, 0x24, "freed-header-modified", { V, R, R, R }, LS_BC_POOL },
    { 0xC7, 2, "dpc-routine-in-freed-memory", { V, CA, A, A }, 0 },
    { 0xC9, 0x05, "dispatch-changed-irql", { V, A, IQ, IQ }, LS_BC_VERIFIER },
    { 0xC9, 0x2A0, "wdm-driver-error", { V, CA, A, R }, LS_BC_VERIFIER },
};

static void test_spec_samples(void)
{
    int n = 0;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++, n++) {
        const struct sample *s = &samples[i];
        uint64_t p[4] = { s->sub, 0, 0, 0 };
        if (s->code == 0xC1) {
            p[0] = 0;
            p[3] = s->sub;
        }
        ls_bugcheck_info bi;
        ls_bugcheck_decode(s->code, p, &bi);
        int kinds_ok = 1;
        for (int k = 0; k < 4; k++)
            kinds_ok &= bi.param_kind[k] == s->kind[k];
        CHECK(bi.has_subcode && bi.subcode_name && strcmp(bi.subcode_name, s->name) == 0 && kinds_ok &&
                  (bi.classes & s->classes) == s->classes,
              "spec: 0x%X/0x%" PRIx64 " is %s with the parameter kinds of the spec", s->code, s->sub, s->name);
        if (!kinds_ok)
            printf("#   kinds %d %d %d %d, want %d %d %d %d\n", bi.param_kind[0], bi.param_kind[1], bi.param_kind[2],
                   bi.param_kind[3], s->kind[0], s->kind[1], s->kind[2], s->kind[3]);
    }
    CHECK(n >= 15, "%d spec samples", n);
}

/* Every 0xC4 parameter-1 value that verifier.md §1.2 and §1.4 list (ranges of the spec expanded,
 * except the DDI-rule span whose ends only are listed): each must decode. */
static const uint64_t spec_c4_values[] = {
    0x0, 0x1, 0x2, 0x3, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35,
    0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x40, 0x41, 0x42, 0x51, 0x52, 0x53, 0x54,
    0x59, 0x60, 0x61, 0x62, 0x6F, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x7B,
    0x7C, 0x7D, 0x7E, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x85, 0x89, 0x90, 0x91, 0xA0, 0xA1, 0xA2, 0xB0, 0xB1,
    0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xCA, 0xCB, 0xCC,
    0xCD, 0xD0, 0xD1, 0xD2, 0xD5, 0xD6, 0xD7, 0xDA, 0xDB, 0xDC, 0xDD, 0xDF, 0xE0, 0xE1, 0xE2, 0xE3, 0xE4,
    0xE5, 0xE6, 0xEA, 0xEB, 0xF0, 0xF5, 0xF6, 0xF7, 0xFA, 0xFB, 0xFC, 0x105, 0x10A, 0x10B, 0x110, 0x111,
    0x115, 0x11A, 0x11B, 0x120, 0x121, 0x122, 0x123, 0x130, 0x131, 0x135, 0x13A, 0x13B, 0x13C, 0x13D, 0x13E,
    0x13F, 0x140, 0x141, 0x1000, 0x1001, 0x1002, 0x1003, 0x1004, 0x1005, 0x1007, 0x1008, 0x1009, 0x100A,
    0x100B, 0x1010, 0x1011, 0x1012, 0x1013, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0xA001, 0xA002,
    0xA003, 0xA004, 0xA005, 0xA006, 0xA007, 0xA008, 0xA009, 0xA00A, 0xA00B, 0xA00C, 0xA00D, 0xA00E, 0x20002,
    0x20003, 0x20004, 0x20005, 0x20006, 0x20007, 0x20008, 0x20009, 0x2000A, 0x2000B, 0x2000C, 0x2000D,
    0x2000E, 0x2000F, 0x20010, 0x20011, 0x20015, 0x20016, 0x20019, 0x2001A, 0x2001B, 0x2001C, 0x2001D,
    0x2001E, 0x2001F, 0x20022, 0x20023, 0x20024, 0x20025, 0x40003, 0x40006, 0x40007, 0x40009, 0x4000A,
    0x4000E, 0x4100B, 0x4100F, 0x43006, 0x81001, 0x81002, 0x81003, 0x81004, 0x81005, 0x81006, 0x81007,
    0x81008, 0x81009, 0x8100A, 0x8100B, 0x8100C, 0x82001, 0x82002, 0x82003, 0x82004, 0x82005, 0x91001,
    0x91002, 0x9100E, 0x92003, 0x9200D, 0x9200F, 0x92010, 0x92011, 0x92012, 0x93004, 0x93005, 0x93006,
    0x93101, 0x94007, 0x94008, 0x94009, 0x9400B, 0x9400C,
};

static void test_spec_c4_complete(void)
{
    int missing = 0;
    size_t n = sizeof spec_c4_values / sizeof spec_c4_values[0];
    for (size_t i = 0; i < n; i++) {
        ls_bugcheck_info bi;
        decode1(0xC4, 0, spec_c4_values[i], &bi);
        if (!bi.has_subcode || !bi.subcode_name) {
            printf("#   0xC4/0x%" PRIx64 " from the spec does not decode\n", spec_c4_values[i]);
            missing++;
        }
    }
    CHECK(missing == 0 && n >= 200, "all %zu 0xC4 subcodes of the spec decode", n);
}

int main(void)
{
    test_rows_reachable();
    test_table_sanity();
    test_pool_leak_0x62();
    test_pool_leak_0x60();
    test_unknown();
    test_related();
    test_spec_samples();
    test_spec_c4_complete();
    return CHECK_DONE();
}
