/* test_analysis.c - the analysis as a library call (no process): the seed lookaside case on
 * Server 2003 SP1 x86 and the inlined case on Windows 10 x64, checked field by field. */
#include <string.h>

#include "check.h"
#include "lalscan/report.h"

static ls_analysis *analyze(const char *path)
{
    ls_analysis_options o;
    memset(&o, 0, sizeof o);
    o.symbol_path = "fixtures/drivers/bin";
    ls_analysis *a = NULL;
    ls_error err;
    int rc = ls_analyze_dump(path, &o, &a, &err);
    CHECK(rc == 0, "%s analyzed%s%s", path, rc ? ": " : "", rc ? err.msg : "");
    return a;
}

static const ls_lookaside *list_named(const ls_analysis *a, const char *name)
{
    size_t n;
    const ls_lookaside *l = ls_analysis_lookasides(a, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(l[i].name, name) == 0)
            return &l[i];
    return NULL;
}

static int has_caller(const ls_lookaside *l, const char *function, unsigned line)
{
    for (size_t i = 0; l && i < l->ncallers; i++)
        if (strcmp(l->callers[i].where.symbol, function) == 0 && l->callers[i].where.line == line)
            return 1;
    return 0;
}

static int has_diagnosis(const ls_analysis *a, const char *id)
{
    size_t n;
    const ls_diagnosis *d = ls_analysis_diagnoses(a, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(d[i].id, id) == 0)
            return 1;
    return 0;
}

static void seed_case(void)
{
    ls_analysis *a = analyze("fixtures/dumps/verifier-2003sp1-x86.dmp");
    if (!a)
        return;
    const ls_vf_driver *vf = ls_analysis_verifier(a);
    CHECK(vf && vf->nallocs == 5 && vf->complete, "seed: 5 outstanding allocations, list complete");
    CHECK(vf && strcmp(vf->layout->id, "mi-pages-x86") == 0, "seed: Server 2003 SP1 x86 layout chosen");
    CHECK_STR(ls_analysis_driver(a), "laldrv.sys", "seed: driver named from P2");
    const ls_lookaside *l = list_named(a, "g_ContextLookaside");
    CHECK(l && l->live == 0 && l->blocks == 5 && l->total_allocates - l->total_frees == 5,
          "seed: g_ContextLookaside, deleted, 5 blocks, counters say 5 held");
    CHECK(l && !l->helper_inlined && strcmp(l->helper, "ExAllocateFromNPagedLookasideList") == 0,
          "seed: helper is an out-of-line copy");
    CHECK(has_caller(l, "CtxCreate", 9) && has_caller(l, "CtxClone", 23) && has_caller(l, "QueueDeferredWork", 20),
          "seed: the callers of both helper copies that use this list");
    CHECK(l && !has_caller(l, "WorkAllocateBuffer", 9), "seed: a caller of the other list is left out");
    CHECK(has_diagnosis(a, "lookaside-outstanding-at-delete"), "seed: lookaside diagnosis");
    CHECK_STR(ls_analysis_bucket(a), "lalscan.bucket/1:0xC4_62/laldrv.sys/lookaside:g_ContextLookaside",
              "seed: bucket names the list");
    CHECK(ls_analysis_found(a) == 1, "seed: a leak is a finding");
    ls_analysis_free(a);
}

static void inlined_case(void)
{
    ls_analysis *a = analyze("fixtures/dumps/verifier-win10-x64.dmp");
    if (!a)
        return;
    const ls_lookaside *l = list_named(a, "g_ContextLookaside");
    CHECK(l && l->helper_inlined && l->blocks == 3, "win10: 3 blocks from g_ContextLookaside, helper inlined");
    CHECK(has_caller(l, "CtxCreate", 9) && has_caller(l, "QueueDeferredWork", 20), "win10: inline sites named");
    CHECK(has_diagnosis(a, "allocation-wrapper"), "win10: PoolAllocateName looked through to DriverEntry");
    size_t n;
    const ls_site *s = ls_analysis_sites(a, &n);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i].wraps && s[i].ncallers && strcmp(s[i].callers[0].where.symbol, "DriverEntry") == 0)
            found = 1;
    CHECK(found, "win10: a wrapper site's caller is DriverEntry");
    ls_buf text = { 0 }, json = { 0 };
    ls_error err;
    CHECK(ls_report_analysis_text(a, &text) == 0 && strstr(text.data, "Your code takes blocks from this list"),
          "win10: text report renders");
    CHECK(ls_report_analysis_json(a, &json, &err) == 0 && strstr(json.data, "\"lookaside\":{\"list\":"),
          "win10: JSON report renders");
    ls_buf_free(&text);
    ls_buf_free(&json);
    ls_analysis_free(a);
}

int main(void)
{
    seed_case();
    inlined_case();
    ls_analysis *a = NULL;
    ls_error err;
    CHECK(ls_analyze_dump("fixtures/dumps/bad-x64-signature.dmp", NULL, &a, &err) != 0 && a == NULL,
          "a file that is not a dump fails and leaves the out-parameter alone");
    return CHECK_DONE();
}
