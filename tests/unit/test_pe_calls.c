/* test_pe_calls.c - the call finder on the fixture drivers (rows of fixtures/drivers/README.md)
 * and on real drivers (expected values checked against llvm-objdump -d), in file and loaded layout. */
#include "check.h"
#include "lalscan/symbols.h"

#include <stdlib.h>

static const char *fix_dir, *shared_dir;

typedef struct {
    uint32_t call, ret;
    int kind;
} row;

static ls_pe *open_image(const char *dir, const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    ls_pe *pe = NULL;
    ls_error err = {0};
    int rc = ls_pe_open_file(path, &pe, &err);
    CHECK(rc == 0, "%s opens (%s)", rel, rc ? err.msg : "");
    return rc == 0 ? pe : NULL;
}

static ls_pdb *open_pdb(const char *dir, const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    ls_pdb *p = NULL;
    ls_error err = {0};
    int rc = ls_pdb_open(path, &p, &err);
    CHECK(rc == 0, "%s opens (%s)", rel, rc ? err.msg : "");
    return rc == 0 ? p : NULL;
}

/* The calls found equal rows[0..nrows) exactly (both are sorted by call RVA). */
static void check_rows(const char *what, const ls_pe_call *c, size_t n, const row *rows, size_t nrows)
{
    int same = n == nrows;
    for (size_t i = 0; same && i < n; i++)
        same = c[i].call_rva == rows[i].call && c[i].return_rva == rows[i].ret && c[i].kind == rows[i].kind;
    CHECK(same, "%s: %zu calls, as expected", what, nrows);
    if (!same)
        for (size_t i = 0; i < n; i++)
            printf("#   got 0x%x -> 0x%x %s via 0x%x\n", c[i].call_rva, c[i].return_rva, ls_pe_call_kind_name(c[i].kind),
                   c[i].via_rva);
}

static int has_return(const ls_pe_call *c, size_t n, uint32_t ret)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].return_rva == ret)
            return 1;
    return 0;
}

static uint32_t import_slot(const ls_pe *pe, const char *name)
{
    const ls_pe_import *imp;
    size_t n;
    if (ls_pe_imports(pe, &imp, &n, NULL) < 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (imp[i].name && strcmp(imp[i].name, name) == 0)
            return imp[i].iat_rva;
    return 0;
}

/* ---- fixture drivers ---- */

typedef struct {
    const char *image, *pdb;
    uint32_t helpers[2];          /* the helper's copies: context.c, work.c (-O0 only) */
    row helper_calls[2][2];       /* README rows "ExAllocateFromNPagedLookasideList" per copy */
    const char *callers[2][2];    /* the function each call is in */
    uint32_t refill_ret[2];       /* README rows "indirect *%rax": not findable */
    row pool_calls[2];            /* all calls through the ExAllocatePoolWithTag slot */
    row pool2_call;               /* the README row for ExAllocatePool2 (0: not through its slot) */
    uint32_t list_allocate[2];    /* -O2: g_ContextLookaside.L.Allocate, g_BufferLookaside's */
    row list_calls[4];            /* README "indirect via g_*Lookaside" rows, in address order */
} fixture;

static const fixture fixtures[] = {
    {"laldrv-x64-O0.sys", "laldrv-x64-O0.pdb", {0x1280, 0x14a0},
     {{{0x11ff, 0x1204, LS_CALL_DIRECT}, {0x1310, 0x1315, LS_CALL_DIRECT}},
      {{0x146b, 0x1470, LS_CALL_DIRECT}, {0x152f, 0x1534, LS_CALL_DIRECT}}},
     {{"CtxCreate", "CtxClone"}, {"WorkAllocateBuffer", "QueueDeferredWork"}},
     {0x12e7, 0x1507},
     /* PoolAllocateName, and lld's jmp thunk for the import (nothing calls it) */
     {{0x166d, 0x1673, LS_CALL_IMPORT}, {0x18c0, 0x18c6, LS_CALL_TAIL}},
     {0x16c4, 0x16ca, LS_CALL_IMPORT}, {0, 0}, {{0}}},
    {"laldrv-x86-O0.sys", "laldrv-x86-O0.pdb", {0x1270, 0x1460},
     {{{0x1202, 0x1207, LS_CALL_DIRECT}, {0x1302, 0x1307, LS_CALL_DIRECT}},
      {{0x142f, 0x1434, LS_CALL_DIRECT}, {0x14f2, 0x14f7, LS_CALL_DIRECT}}},
     {{"CtxCreate", "CtxClone"}, {"WorkAllocateBuffer", "QueueDeferredWork"}},
     {0x12d3, 0x14c3},
     {{0x1612, 0x1618, LS_CALL_IMPORT}, {0x17f3, 0x17f9, LS_CALL_TAIL}},
     {0, 0, 0} /* x86-O0 calls ExAllocatePool2 through a register (README: call *%eax) */, {0, 0}, {{0}}},
    {"laldrv-x64-O2.sys", "laldrv-x64-O2.pdb", {0, 0}, {{{0}}}, {{0}}, {0, 0},
     {{0x1477, 0x147d, LS_CALL_IMPORT}, {0x1570, 0x1576, LS_CALL_TAIL}},
     {0x14b0, 0x14b7, LS_CALL_TAIL} /* rex.w jmp: the REX byte starts it */,
     {0x3030, 0x30b0},
     {{0x11c4, 0x11ca, LS_CALL_IMPORT}, {0x1256, 0x125c, LS_CALL_IMPORT}, {0x13ee, 0x13f4, LS_CALL_IMPORT},
      {0x1349, 0x134f, LS_CALL_IMPORT}}},
    {"laldrv-x86-O2.sys", "laldrv-x86-O2.pdb", {0, 0}, {{{0}}}, {{0}}, {0, 0},
     {{0x1403, 0x1409, LS_CALL_IMPORT}, {0x151c, 0x1522, LS_CALL_TAIL}},
     {0x142e, 0x1434, LS_CALL_IMPORT},
     {0x3028, 0x3078},
     {{0x11a1, 0x11a7, LS_CALL_IMPORT}, {0x1215, 0x121b, LS_CALL_IMPORT}, {0x137f, 0x1385, LS_CALL_IMPORT},
      {0x12ea, 0x12f0, LS_CALL_IMPORT}}},
};

static void check_fixture_helper(const fixture *f, ls_pe *pe, ls_pdb *pdb)
{
    ls_error err = {0};
    uint32_t rva = 0, size = 0;
    int rc = ls_pdb_find_function(pdb, "ExAllocateFromNPagedLookasideList", &rva, &size, &err);
    if (!f->helpers[0]) {
        /* -O2: the helper exists only as inline sites; no call can reach it */
        CHECK(rc == LS_ENOTFOUND, "%s: the inlined helper has no procedure (%s)", f->image, rc ? err.msg : "found");
        return;
    }
    CHECK(rc == 0 && (rva == f->helpers[0] || rva == f->helpers[1]),
          "%s: PDB names the helper at 0x%x, one of its two copies (%s)", f->image, rva, rc ? err.msg : "");
    ls_pe_call *all[2] = {NULL, NULL};
    size_t nall[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        ls_pdb_location loc;
        rc = ls_pdb_symbolize(pdb, f->helpers[k], &loc, &err);
        CHECK(rc == 0 && loc.symbol && strcmp(loc.symbol, "ExAllocateFromNPagedLookasideList") == 0 &&
                  loc.symbol_rva == f->helpers[k] && !loc.from_public,
              "%s: helper copy %d at 0x%x is a procedure of that name", f->image, k, f->helpers[k]);
        ls_pe_scan_stats st;
        rc = ls_pe_find_calls(pe, f->helpers[k], &all[k], &nall[k], &st, &err);
        CHECK(rc == 0 && st.unscanned == 0 && !st.capped && st.sections == 1 && st.scanned > 0,
              "%s: calls to helper copy %d: scan of %u section(s), 0x%llx bytes (%s)", f->image, k, st.sections,
              (unsigned long long)st.scanned, rc ? err.msg : "");
        char what[128];
        snprintf(what, sizeof what, "%s: calls to the %s copy of the helper", f->image, k ? "work.c" : "context.c");
        check_rows(what, all[k], nall[k], f->helper_calls[k], 2);
        /* what lalscan will print: the function holding each call (looked up at return - 1) */
        for (size_t i = 0; i < nall[k] && i < 2; i++) {
            rc = ls_pdb_symbolize(pdb, all[k][i].return_rva - 1, &loc, &err);
            CHECK(rc == 0 && loc.symbol && strcmp(loc.symbol, f->callers[k][i]) == 0,
                  "%s: call at 0x%x is in %s", f->image, all[k][i].call_rva, f->callers[k][i]);
        }
        for (int j = 0; j < 2; j++)
            CHECK(!has_return(all[k], nall[k], f->refill_ret[j]),
                  "%s: the refill through L.Allocate (return 0x%x, call through a register) is not found",
                  f->image, f->refill_ret[j]);
    }
    free(all[0]);
    free(all[1]);
}

static void check_fixture_imports(const fixture *f, ls_pe *pe)
{
    ls_error err = {0};
    uint32_t slot = import_slot(pe, "ExAllocatePoolWithTag");
    const ls_pe_import *imp = ls_pe_import_at(pe, slot);
    CHECK(slot && imp && strcmp(imp->dll, "ntoskrnl.exe") == 0, "%s: ExAllocatePoolWithTag slot 0x%x", f->image,
          slot);
    ls_pe_call *c = NULL;
    size_t n = 0;
    int rc = ls_pe_find_import_calls(pe, slot, &c, &n, NULL, &err);
    CHECK(rc == 0, "%s: calls through the ExAllocatePoolWithTag slot (%s)", f->image, rc ? err.msg : "");
    char what[128];
    snprintf(what, sizeof what, "%s: ExAllocatePoolWithTag: PoolAllocateName's call and the import thunk", f->image);
    check_rows(what, c, n, f->pool_calls, 2);
    for (int j = 0; j < 2 && f->refill_ret[j]; j++)
        CHECK(!has_return(c, n, f->refill_ret[j]),
              "%s: the lookaside refill (return 0x%x) is an indirect call through a register, not found through the slot",
              f->image, f->refill_ret[j]);
    free(c);

    uint32_t slot2 = import_slot(pe, "ExAllocatePool2");
    c = NULL;
    rc = ls_pe_find_import_calls(pe, slot2, &c, &n, NULL, &err);
    CHECK(rc == 0, "%s: calls through the ExAllocatePool2 slot 0x%x (%s)", f->image, slot2, rc ? err.msg : "");
    if (f->pool2_call.call) {
        int found = 0;
        for (size_t i = 0; i < n; i++)
            found |= c[i].call_rva == f->pool2_call.call && c[i].return_rva == f->pool2_call.ret &&
                     c[i].kind == f->pool2_call.kind;
        CHECK(found, "%s: ExAllocatePool2 %s at 0x%x, return 0x%x", f->image, ls_pe_call_kind_name(f->pool2_call.kind),
              f->pool2_call.call, f->pool2_call.ret);
    } else {
        /* only the thunk: PoolAllocateStats loads the import into a register first */
        CHECK(n == 1 && c[0].kind == LS_CALL_TAIL, "%s: ExAllocatePool2 is reached only through a register", f->image);
    }
    free(c);

    /* -O2: the refill calls are "call [list+Allocate]": the list's field works as a slot */
    if (f->list_allocate[0]) {
        ls_pe_call *a = NULL, *b = NULL;
        size_t na = 0, nb = 0;
        rc = ls_pe_find_import_calls(pe, f->list_allocate[0], &a, &na, NULL, &err);
        rc |= ls_pe_find_import_calls(pe, f->list_allocate[1], &b, &nb, NULL, &err);
        snprintf(what, sizeof what, "%s: refills through g_ContextLookaside.L.Allocate", f->image);
        check_rows(what, a, na, f->list_calls, 3);
        snprintf(what, sizeof what, "%s: refills through g_BufferLookaside.L.Allocate", f->image);
        check_rows(what, b, nb, f->list_calls + 3, 1);
        CHECK(rc == 0, "%s: list scans succeed", f->image);
        free(a);
        free(b);
    }
}

static void check_fixtures(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/drivers/bin", fix_dir);
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
        const fixture *f = &fixtures[i];
        ls_pe *pe = open_image(dir, f->image);
        ls_pdb *pdb = open_pdb(dir, f->pdb);
        if (pe && pdb) {
            check_fixture_helper(f, pe, pdb);
            check_fixture_imports(f, pe);
        }
        ls_pdb_free(pdb);
        ls_pe_free(pe);
    }
}

/* ---- real drivers ---- */

/* kprocesshacker (WDK 7.1): calls of KphValidateKey and of the ExAllocatePoolWithTag import,
 * from llvm-objdump -d (addresses minus ImageBase 0x10000). */
static const row kph64_validate[] = {
    {0x6559, 0x655e, LS_CALL_DIRECT}, {0x66a1, 0x66a6, LS_CALL_DIRECT}, {0x6868, 0x686d, LS_CALL_DIRECT},
    {0x6d74, 0x6d79, LS_CALL_DIRECT}, {0x831c, 0x8321, LS_CALL_DIRECT},
};
static const row kph32_validate[] = {
    {0x5359, 0x535e, LS_CALL_DIRECT}, {0x544c, 0x5451, LS_CALL_DIRECT}, {0x55f6, 0x55fb, LS_CALL_DIRECT},
    {0x5aa5, 0x5aaa, LS_CALL_DIRECT}, {0x6c9f, 0x6ca4, LS_CALL_DIRECT},
};
static const row kph64_pool[] = {
    {0x10a9, 0x10af, LS_CALL_IMPORT}, {0x515b, 0x5161, LS_CALL_IMPORT}, {0x536b, 0x5371, LS_CALL_IMPORT},
    {0x6ffc, 0x7002, LS_CALL_IMPORT}, {0x7383, 0x7389, LS_CALL_IMPORT}, {0x74c1, 0x74c7, LS_CALL_IMPORT},
    {0x761b, 0x7621, LS_CALL_IMPORT}, {0x7642, 0x7648, LS_CALL_IMPORT}, {0x7773, 0x7779, LS_CALL_IMPORT},
    {0x7ab4, 0x7aba, LS_CALL_IMPORT}, {0x7c13, 0x7c19, LS_CALL_IMPORT}, {0x7f9f, 0x7fa5, LS_CALL_IMPORT},
    {0x7fc9, 0x7fcf, LS_CALL_IMPORT},
};
static const row kph32_pool[] = {
    {0x108b, 0x1091, LS_CALL_IMPORT}, {0x40b2, 0x40b8, LS_CALL_IMPORT}, {0x43ef, 0x43f5, LS_CALL_IMPORT},
    {0x5e77, 0x5e7d, LS_CALL_IMPORT}, {0x6065, 0x606b, LS_CALL_IMPORT}, {0x6150, 0x6156, LS_CALL_IMPORT},
    {0x6195, 0x619b, LS_CALL_IMPORT}, {0x6683, 0x6689, LS_CALL_IMPORT}, {0x6a96, 0x6a9c, LS_CALL_IMPORT},
};
/* i386: memcpy is imported (slot 0x2138) and called through a jmp thunk at 0x1700 */
static const row kph32_memcpy[] = {
    {0x11ec, 0x11f1, LS_CALL_THUNK}, {0x1223, 0x1228, LS_CALL_THUNK}, {0x1700, 0x1706, LS_CALL_TAIL},
    {0x40d1, 0x40d6, LS_CALL_THUNK}, {0x40ea, 0x40ef, LS_CALL_THUNK}, {0x4827, 0x482c, LS_CALL_THUNK},
    {0x4c5a, 0x4c5f, LS_CALL_THUNK}, {0x4d43, 0x4d48, LS_CALL_THUNK}, {0x5817, 0x581c, LS_CALL_THUNK},
    {0x5f5d, 0x5f62, LS_CALL_THUNK}, {0x5fb3, 0x5fb8, LS_CALL_THUNK}, {0x66a5, 0x66aa, LS_CALL_THUNK},
    {0x6ab3, 0x6ab8, LS_CALL_THUNK}, {0x6b2c, 0x6b31, LS_CALL_THUNK}, {0x6d8b, 0x6d90, LS_CALL_THUNK},
};

/* A check backed by the PDB: the candidate lies inside a procedure. */
static int in_procedure(void *ctx, uint32_t rva)
{
    ls_pdb_location loc;
    return ls_pdb_symbolize(ctx, rva, &loc, NULL) == 0 && loc.symbol && !loc.from_public;
}

static int refuse_all(void *ctx, uint32_t rva)
{
    (void)rva;
    ++*(size_t *)ctx;
    return 0;
}

static void check_kph(const char *arch, const row *validate, size_t nvalidate, const row *pool, size_t npool)
{
    char dir[1024], name[64];
    snprintf(dir, sizeof dir, "%s/realworld/drv-kprocesshacker-2016-%s", shared_dir, arch);
    ls_pe *pe = open_image(dir, "kprocesshacker.sys");
    ls_pdb *pdb = open_pdb(dir, "kprocesshacker.pdb");
    ls_error err = {0};
    if (pe && pdb) {
        uint32_t rva = 0, size;
        int rc = ls_pdb_find_function(pdb, "KphValidateKey", &rva, &size, &err);
        CHECK(rc == 0, "kph %s: KphValidateKey at 0x%x (%s)", arch, rva, rc ? err.msg : "");
        ls_pe_call *c = NULL;
        size_t n = 0;
        rc = ls_pe_find_calls(pe, rva, &c, &n, NULL, &err);
        snprintf(name, sizeof name, "kph %s: calls to KphValidateKey", arch);
        check_rows(name, c, n, validate, nvalidate);
        free(c);
        c = NULL;
        rc = ls_pe_find_calls_checked(pe, rva, in_procedure, pdb, &c, &n, NULL, &err);
        snprintf(name, sizeof name, "kph %s: calls to KphValidateKey, each checked inside a procedure", arch);
        check_rows(name, c, n, validate, nvalidate);
        free(c);
        c = NULL;
        size_t asked = 0;
        ls_pe_scan_stats st;
        rc = ls_pe_find_calls_checked(pe, rva, refuse_all, &asked, &c, &n, &st, &err);
        CHECK(rc == 0 && n == 0 && c == NULL && st.rejected == nvalidate && asked == nvalidate,
              "kph %s: a check refusing every candidate leaves none (%zu asked)", arch, asked);
        free(c);

        uint32_t slot = import_slot(pe, "ExAllocatePoolWithTag");
        c = NULL;
        rc = ls_pe_find_import_calls(pe, slot, &c, &n, NULL, &err);
        snprintf(name, sizeof name, "kph %s: calls through ExAllocatePoolWithTag's slot 0x%x", arch, slot);
        check_rows(name, c, n, pool, npool);
        free(c);
    }
    if (pe && strcmp(arch, "i386") == 0) {
        ls_pe_call *c = NULL;
        size_t n = 0;
        int rc = ls_pe_find_import_calls(pe, 0x2138, &c, &n, NULL, &err);
        check_rows("kph i386: memcpy through its thunk", c, n, kph32_memcpy, sizeof kph32_memcpy / sizeof *kph32_memcpy);
        int via = rc == 0 && n > 0;
        for (size_t i = 0; via && i < n; i++)
            via = c[i].kind == LS_CALL_THUNK ? c[i].via_rva == 0x1700 : c[i].via_rva == 0;
        CHECK(via, "kph i386: thunk calls name the thunk at 0x1700");
        free(c);
        /* the thunk itself as a function: its callers are direct calls */
        c = NULL;
        rc = ls_pe_find_calls(pe, 0x1700, &c, &n, NULL, &err);
        CHECK(rc == 0 && n == 14 && c[0].kind == LS_CALL_DIRECT && c[0].call_rva == 0x11ec,
              "kph i386: 14 direct calls to the memcpy thunk");
        free(c);
        /* cap: the first three, and say so */
        ls_pe_call_query q = {.target_rva = 0x2138, .through_slot = 1, .max_calls = 3};
        ls_pe_scan_stats st;
        c = NULL;
        rc = ls_pe_scan_calls(pe, &q, &c, &n, &st, &err);
        CHECK(rc == 0 && n == 3 && st.capped, "kph i386: capped at 3 calls, flagged");
        free(c);
        /* the x86 operand is an absolute VA: with another base nothing matches the slot */
        q = (ls_pe_call_query){.target_rva = 0x215c, .through_slot = 1, .image_base = 0x20000};
        c = NULL;
        rc = ls_pe_scan_calls(pe, &q, &c, &n, &st, &err);
        CHECK(rc == 0 && n == 0, "kph i386: a base of 0x20000 moves every absolute operand off the slot");
        /* taken as loaded 0x1000 lower, the same operands point 0x1000 higher */
        q.image_base = 0x10000 - 0x1000;
        q.target_rva = 0x215c + 0x1000;
        c = NULL;
        rc = ls_pe_scan_calls(pe, &q, &c, &n, &st, &err);
        CHECK(rc == 0 && n == npool, "kph i386: operands are taken relative to the given base (%zu calls)", n);
        free(c);
    }
    if (pe && strcmp(arch, "amd64") == 0) {
        /* 0x15ae9: mov rcx,[rsp+48h] ends in 0x48 right before FF 15: not a REX prefix */
        ls_pe_call *c = NULL;
        size_t n = 0;
        int rc = ls_pe_find_import_calls(pe, 0x2120, &c, &n, NULL, &err);
        int found = 0;
        for (size_t i = 0; rc == 0 && i < n; i++)
            found |= c[i].call_rva == 0x5aee && c[i].return_rva == 0x5af4;
        CHECK(found, "kph amd64: call [slot] after an instruction ending in 0x48 starts at the FF");
        free(c);
    }
    ls_pdb_free(pdb);
    ls_pe_free(pe);
}

/* systeminformer.sys (VS 2022): "rex.w call [rip+x]; nop5" import calls. */
static void check_systeminformer(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/realworld/drv-systeminformer-amd64", shared_dir);
    ls_pe *pe = open_image(dir, "systeminformer.sys");
    if (!pe)
        return;
    ls_error err = {0};
    ls_pe_call *c = NULL;
    size_t n = 0;
    ls_pe_scan_stats st;
    int rc = ls_pe_find_import_calls(pe, 0xb1f8, &c, &n, &st, &err);
    static const row pool[] = {{0x1023, 0x102a, LS_CALL_IMPORT}, {0x25023, 0x2502a, LS_CALL_IMPORT}};
    check_rows("systeminformer: ExAllocatePoolWithTag (rex.w call + nop5)", c, n, pool, 2);
    CHECK(rc == 0 && st.sections == 3 && st.scanned == 0x9384 + 0x1f5a2 + 0x2368 && st.unscanned == 0,
          "systeminformer: .text, PAGE and INIT scanned whole (0x%llx bytes)", (unsigned long long)st.scanned);
    free(c);
    ls_pe_free(pe);
}

/* driver.sys (debug build): DbgPrint is called through lld/link's "jmp [slot]" thunk at 0x3458
 * (90 calls in llvm-objdump -d), ExAllocatePool2 directly (two sites). */
static void check_wfp(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/realworld/drv-wfp-driverproject-x64", shared_dir);
    ls_pe *pe = open_image(dir, "driver.sys");
    if (!pe)
        return;
    ls_error err = {0};
    ls_pe_call *c = NULL;
    size_t n = 0;
    int rc = ls_pe_find_import_calls(pe, import_slot(pe, "DbgPrint"), &c, &n, NULL, &err);
    size_t thunked = 0, tails = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        thunked += c[i].kind == LS_CALL_THUNK && c[i].via_rva == 0x3458;
        tails += c[i].kind == LS_CALL_TAIL && c[i].call_rva == 0x3458 && c[i].return_rva == 0x345e;
    }
    CHECK(rc == 0 && n == 91 && thunked == 90 && tails == 1, "driver.sys: DbgPrint: 90 calls through the thunk at 0x3458, and the thunk");
    CHECK(n == 91 && c[0].call_rva == 0x1028 && c[0].return_rva == 0x102d && c[90].call_rva == 0x3458,
          "driver.sys: first thunk call at 0x1028");
    free(c);
    c = NULL;
    rc = ls_pe_find_import_calls(pe, import_slot(pe, "ExAllocatePool2"), &c, &n, NULL, &err);
    static const row pool2[] = {{0x23e8, 0x23ee, LS_CALL_IMPORT}, {0x2d9a, 0x2da0, LS_CALL_IMPORT}};
    check_rows("driver.sys: ExAllocatePool2 call sites", c, n, pool2, 2);
    free(c);
    ls_pe_free(pe);
}

/* ---- loaded layout ---- */

typedef struct {
    uint8_t *img;
    uint32_t size;
    uint32_t missing_page;
    size_t reads;
} loaded;

static int read_loaded(void *ctx, uint32_t rva, void *buf, size_t len, ls_error *err)
{
    loaded *l = ctx;
    l->reads++;
    if (!ls_in_bounds(rva, len, l->size))
        return ls_error_set(err, LS_ENODATA, "RVA 0x%x outside", rva);
    if (l->missing_page && rva < l->missing_page + 4096u && rva + len > l->missing_page)
        return ls_error_set(err, LS_ENODATA, "page at RVA 0x%x not in dump", l->missing_page);
    memcpy(buf, l->img + rva, len);
    return 0;
}

static int load_image(ls_pe *file, loaded *l)
{
    l->size = ls_pe_get_info(file)->size_of_image;
    l->img = calloc(1, l->size);
    if (!l->img || ls_pe_read(file, 0, l->img, 0x400, NULL) < 0)
        return -1;
    unsigned n;
    const ls_pe_section *s = ls_pe_sections(file, &n);
    for (unsigned i = 0; i < n; i++) {
        uint32_t len = s[i].virtual_size ? s[i].virtual_size : s[i].raw_size;
        if (s[i].rva + (uint64_t)len > l->size || ls_pe_read(file, s[i].rva, l->img + s[i].rva, len, NULL) < 0)
            return -1;
    }
    return 0;
}

static void check_loaded(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/realworld/drv-kprocesshacker-2016-amd64", shared_dir);
    ls_pe *file = open_image(dir, "kprocesshacker.sys");
    loaded l = {0};
    if (!file || load_image(file, &l) < 0) {
        CHECK(0, "kph amd64 laid out as loaded");
        free(l.img);
        ls_pe_free(file);
        return;
    }
    ls_error err = {0};
    ls_pe *pe = NULL;
    int rc = ls_pe_open_reader(read_loaded, &l, "kph-loaded", &pe, &err);
    CHECK(rc == 0, "kph amd64 opens as loaded (%s)", rc ? err.msg : "");
    if (pe) {
        ls_pe_call *c = NULL;
        size_t n = 0;
        ls_pe_scan_stats st, fst;
        rc = ls_pe_find_calls(pe, 0x7dd8, &c, &n, &st, &err);
        check_rows("kph amd64 loaded: calls to KphValidateKey", c, n, kph64_validate, 5);
        free(c);
        c = NULL;
        rc = ls_pe_find_calls(file, 0x7dd8, &c, &n, &fst, &err);
        CHECK(st.unscanned == 0 && st.sections == fst.sections, "kph amd64 loaded: same sections, nothing missing");
        free(c);

        /* the page holding four of the five calls is not in the dump */
        l.missing_page = 0x6000;
        c = NULL;
        rc = ls_pe_find_calls(pe, 0x7dd8, &c, &n, &st, &err);
        CHECK(rc == 0 && n == 1 && c[0].call_rva == 0x831c, "kph amd64 loaded, page 0x6000 missing: the call on page 0x8000 is found");
        CHECK(st.unscanned == 0x1000 && st.first_unscanned_rva == 0x6000,
              "kph amd64 loaded, page 0x6000 missing: 0x%llx bytes unscanned at 0x%x",
              (unsigned long long)st.unscanned, st.first_unscanned_rva);
        free(c);
        l.missing_page = 0;
        ls_pe_free(pe);
    }
    free(l.img);
    ls_pe_free(file);

    /* x86 as loaded (not relocated here, so the header's base is right): thunk calls */
    snprintf(dir, sizeof dir, "%s/realworld/drv-kprocesshacker-2016-i386", shared_dir);
    file = open_image(dir, "kprocesshacker.sys");
    memset(&l, 0, sizeof l);
    pe = NULL;
    if (file && load_image(file, &l) == 0 && ls_pe_open_reader(read_loaded, &l, "kph32-loaded", &pe, &err) == 0) {
        ls_pe_call *c = NULL;
        size_t n = 0;
        rc = ls_pe_find_import_calls(pe, 0x2138, &c, &n, NULL, &err);
        check_rows("kph i386 loaded: memcpy through its thunk", c, n, kph32_memcpy,
                   sizeof kph32_memcpy / sizeof *kph32_memcpy);
        free(c);
    } else {
        CHECK(0, "kph i386 opens as loaded (%s)", err.msg);
    }
    ls_pe_free(pe);
    free(l.img);
    ls_pe_free(file);
}

/* ---- bad arguments, other machines, corrupt and truncated images ---- */

static void check_errors(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/drivers/bin", fix_dir);
    ls_pe *pe = open_image(dir, "laldrv-x64-O0.sys");
    ls_error err = {0};
    ls_pe_call *c = (ls_pe_call *)&err;
    size_t n = 77;
    if (pe) {
        CHECK(ls_pe_find_calls(pe, 0, &c, &n, NULL, &err) == LS_EINVAL && n == 77, "RVA 0 refused: %s", err.msg);
        CHECK(ls_pe_find_calls(pe, 0x100000, &c, &n, NULL, &err) == LS_EINVAL, "RVA past SizeOfImage refused: %s",
              err.msg);
        CHECK(ls_pe_find_calls(pe, 0x1280, NULL, &n, NULL, &err) == LS_EINVAL, "no output refused");
        CHECK(ls_pe_find_calls(NULL, 0x1280, &c, &n, NULL, &err) == LS_EINVAL, "no image refused");
        CHECK(ls_pe_find_calls(pe, 0x1234, &c, &n, NULL, &err) == 0 && n == 0 && c == NULL,
              "no calls: empty result, NULL list");
    }
    ls_pe_free(pe);
    snprintf(dir, sizeof dir, "%s/realworld/um-msvc-seh-tests/arm64", shared_dir);
    pe = open_image(dir, "xcpt4.exe");
    if (pe)
        CHECK(ls_pe_find_calls(pe, 0x1000, &c, &n, NULL, &err) == LS_EUNSUPPORTED, "ARM64 refused: %s", err.msg);
    ls_pe_free(pe);
    CHECK_STR(ls_pe_call_kind_name(LS_CALL_THUNK), "thunk", "kind name");
    CHECK_STR(ls_pe_call_kind_name(99), "?", "unknown kind name");
}

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = sz > 0 ? malloc((size_t)sz) : NULL;
    if (b && fread(b, 1, (size_t)sz, f) != (size_t)sz) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *size = (size_t)sz;
    return b;
}

static void scan_all(ls_pe *pe, size_t *found, int *ok)
{
    static const uint32_t targets[][2] = {{0x1280, 0}, {0x14a0, 0}, {0x20f8, 1}, {0x1000, 0}, {0x2110, 1}};
    for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
        ls_pe_call_query q = {.target_rva = targets[t][0], .through_slot = (int)targets[t][1]};
        ls_pe_call *c = NULL;
        size_t n = 0;
        ls_pe_scan_stats st;
        ls_error err;
        int rc = ls_pe_scan_calls(pe, &q, &c, &n, &st, &err);
        if (rc == 0) {
            *found += n;
            for (size_t i = 0; i < n; i++)
                if (c[i].return_rva <= c[i].call_rva || c[i].return_rva - c[i].call_rva > 7)
                    *ok = 0;
        } else if (rc != LS_EINVAL && rc != LS_ENODATA && rc != LS_EUNSUPPORTED) {
            *ok = 0;
        }
        free(c);
    }
}

static void check_corrupt(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/drivers/bin/laldrv-x64-O0.sys", fix_dir);
    size_t size = 0;
    uint8_t *img = slurp(path, &size);
    CHECK(img != NULL, "laldrv-x64-O0.sys read");
    if (!img)
        return;
    /* every truncation: the scan never crashes; a cut inside .text reports the rest missing */
    int ok = 1, reported = 1;
    size_t opened = 0, found = 0;
    for (size_t len = 0; len <= size; len += 0x10) {
        ls_pe *pe = NULL;
        if (ls_pe_open_mem(img, len, "cut.sys", &pe, NULL) < 0)
            continue;
        opened++;
        scan_all(pe, &found, &ok);
        ls_pe_call *c = NULL;
        size_t n = 0;
        ls_pe_scan_stats st = {0};
        int rc = ls_pe_find_calls(pe, 0x1280, &c, &n, &st, NULL);
        /* .text: file offset 0x400, 0x926 bytes (llvm-objdump -h) */
        if (len > 0x400 && len < 0x400 + 0x926 && (rc != 0 || st.unscanned != 0x400 + 0x926 - len))
            reported = 0;
        if (len <= 0x400 && rc != LS_ENODATA && rc != 0)
            reported = 0;
        free(c);
        ls_pe_free(pe);
    }
    CHECK(ok, "truncations: %zu opened, scans end cleanly (%zu calls found in all)", opened, found);
    CHECK(reported, "truncations inside .text: the missing tail is counted as unscanned");

    /* byte flips in the headers and section table, seeded */
    uint8_t *copy = malloc(size);
    uint32_t seed = 12345;
    ok = 1;
    opened = found = 0;
    for (int iter = 0; copy && iter < 3000; iter++) {
        memcpy(copy, img, size);
        for (int k = 0; k < 4; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % 0x400;
            seed = seed * 1103515245u + 12345u;
            copy[at] = (uint8_t)(seed >> 16);
        }
        ls_pe *pe = NULL;
        if (ls_pe_open_mem(copy, size, "flip.sys", &pe, NULL) < 0)
            continue;
        opened++;
        scan_all(pe, &found, &ok);
        ls_pe_free(pe);
    }
    CHECK(ok, "header byte flips: %zu images opened, scans end cleanly", opened);
    free(copy);
    free(img);
}

int main(void)
{
    fix_dir = getenv("FIX");
    shared_dir = getenv("SHARED");
    if (!fix_dir || !shared_dir) {
        CHECK(0, "FIX and SHARED must be set (tests/run.sh sets them)");
        return CHECK_DONE();
    }
    check_fixtures();
    check_kph("amd64", kph64_validate, 5, kph64_pool, sizeof kph64_pool / sizeof *kph64_pool);
    check_kph("i386", kph32_validate, 5, kph32_pool, sizeof kph32_pool / sizeof *kph32_pool);
    check_systeminformer();
    check_wfp();
    check_loaded();
    check_errors();
    check_corrupt();
    return CHECK_DONE();
}
