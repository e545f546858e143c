/* test_pdb.c - the PDB reader on the real PDBs in $SHARED/realworld: identity, functions, lines
 * and inline frames at known addresses (expected values cross-checked with llvm-pdbutil and
 * llvm-symbolizer 14 when written), name lookups, image matching, and open-time refusals. */
#include "check.h"
#include "lalscan/symbols.h"
#include "../../src/symbols/pdb_internal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static char path_buf[4096];

static const char *shared_path(const char *rel)
{
    const char *s = getenv("SHARED");
    snprintf(path_buf, sizeof path_buf, "%s/realworld/%s", s && *s ? s : "../shared", rel);
    return path_buf;
}

static ls_pdb *open_pdb(const char *rel)
{
    ls_pdb *p = NULL;
    ls_error err = {0};
    int rc = ls_pdb_open(shared_path(rel), &p, &err);
    CHECK(rc == 0, "open %s", rel);
    if (rc)
        printf("#   %s\n", err.msg);
    return rc ? NULL : p;
}

struct ident_case {
    const char *pdb, *guid;
    uint32_t sig, age, bs, nblocks, nstreams;
    uint16_t machine;
    int ipi;
};

static const struct ident_case idents[] = {
    {"drv-kprocesshacker-2016-i386/kprocesshacker.pdb", "3B3CBA51-F638-4C3C-82AF-40A915606028",
     1460182374, 2, 1024, 355, 44, 0x14C, 0},
    {"drv-kprocesshacker-2016-amd64/kprocesshacker.pdb", "7F458D92-CC6E-4B9B-9D2A-87403D20D4C1",
     1460182378, 2, 1024, 307, 40, 0x8664, 0},
    {"drv-systeminformer-amd64/systeminformer.pdb", "95435CEC-4AB1-04C5-E86B-FBEA4416C4A3",
     1336679436, 1, 4096, 497, 97, 0x8664, 1},
    {"drv-wfp-driverproject-x64/driver.pdb", "535435EA-1BEF-4A3D-925B-193823865E8C", 1735998017,
     122, 4096, 99, 137, 0x8664, 1},
    {"um-msvc-seh-tests/x86/xcpt4.pdb", "45F3D6F7-BD6A-4EE2-B56A-5C6BFE3AE378", 1649560934, 1,
     4096, 179, 77, 0x14C, 1},
    {"um-msvc-seh-tests/x64/xcpt4.pdb", "C8C2329E-0E99-49E6-8B6F-132BECA69E7E", 1649560931, 1,
     4096, 209, 80, 0x8664, 1},
    {"um-msvc-seh-tests/arm64/xcpt4.pdb", "5526BC1B-D120-496B-9462-C93F96D33044", 1649560929, 1,
     4096, 199, 77, 0xAA64, 1},
};

static void test_idents(void)
{
    for (size_t i = 0; i < sizeof idents / sizeof idents[0]; i++) {
        const struct ident_case *c = &idents[i];
        ls_pdb *p = open_pdb(c->pdb);
        if (!p)
            continue;
        ls_pdb_ident id;
        ls_error err = {0};
        CHECK(ls_pdb_get_ident(p, &id, &err) == 0, "%s: ident", c->pdb);
        char g[37];
        ls_pdb_guid_string(g, id.guid);
        CHECK_STR(g, c->guid, "%s: GUID", c->pdb);
        CHECK_EQ_U64(id.signature, c->sig, "%s: signature", c->pdb);
        CHECK_EQ_U64(id.info_age, c->age, "%s: info age", c->pdb);
        CHECK_EQ_U64(id.dbi_age, c->age, "%s: DBI age", c->pdb);
        CHECK_EQ_U64(id.block_size, c->bs, "%s: block size", c->pdb);
        CHECK_EQ_U64(id.nblocks, c->nblocks, "%s: blocks", c->pdb);
        CHECK_EQ_U64(id.nstreams, c->nstreams, "%s: streams", c->pdb);
        CHECK_EQ_U64(id.machine, c->machine, "%s: machine", c->pdb);
        CHECK_EQ_U64(id.has_ipi, c->ipi, "%s: IPI feature", c->pdb);

        /* matching against the image's CodeView record */
        ls_codeview cv;
        memset(&cv, 0, sizeof cv);
        cv.kind = LS_CV_RSDS;
        memcpy(cv.guid, id.guid, 16);
        cv.age = c->age;
        CHECK(ls_pdb_match(p, &cv, &err) == 0, "%s: matches its own GUID/age", c->pdb);
        cv.age = c->age + 1;
        CHECK(ls_pdb_match(p, &cv, &err) == LS_EMISMATCH && strstr(err.msg, c->guid),
              "%s: other age is a mismatch naming the GUID", c->pdb);
        cv.age = c->age;
        cv.guid[15] ^= 1;
        CHECK(ls_pdb_match(p, &cv, &err) == LS_EMISMATCH && strstr(err.msg, "GUIDs differ"),
              "%s: other GUID is a mismatch", c->pdb);
        ls_pdb_free(p);
    }
}

struct frame_exp {
    const char *symbol, *file;
    uint32_t line;
};
struct sym_case {
    const char *pdb;
    uint32_t rva;
    const char *symbol;
    uint32_t disp;
    int from_public;
    unsigned nframes;
    struct frame_exp f[3];
};

#define KPH86 "drv-kprocesshacker-2016-i386/kprocesshacker.pdb"
#define KPH64 "drv-kprocesshacker-2016-amd64/kprocesshacker.pdb"
#define SI "drv-systeminformer-amd64/systeminformer.pdb"
#define WFP "drv-wfp-driverproject-x64/driver.pdb"
#define KPH_SRC "d:\\projects\\processhacker2\\kprocesshacker\\"
#define SI_SRC "C:\\Users\\aione\\source\\repos\\systeminformer\\KSystemInformer\\"
#define WDM_H "C:\\Program Files (x86)\\Windows Kits\\10\\Include\\10.0.26100.0\\km\\wdm.h"
#define VOLACC "onecore\\internal\\sdk\\inc\\volatile_accessors.h"

static const struct sym_case syms[] = {
    {KPH86, 0x1050, "KphDispatchCreate", 0x4a, 0, 1, {{"KphDispatchCreate", KPH_SRC "main.c", 154}}},
    {KPH86, 0x1400, "KphDispatchDeviceControl", 0x2ac, 0, 1,
     {{"KphDispatchDeviceControl", KPH_SRC "devctrl.c", 263}}},
    {KPH86, 0x5000, "KpiQueryInformationObject", 0x5ac, 0, 1,
     {{"KpiQueryInformationObject", KPH_SRC "object.c", 970}}},
    /* assembler procedure whose record carries the linkage name __SEH_prolog4 */
    {KPH86, 0x170e, "_SEH_prolog4", 0x2, 0, 1,
     {{"_SEH_prolog4", "d:\\5359\\minkernel\\crts\\crtw32\\misc\\i386\\sehprolg4.asm", 75}}},
    /* two lines at one address: the address itself gets the first, code after it the last */
    {KPH86, 0x4006, "DriverUnload", 0, 0, 1, {{"DriverUnload", KPH_SRC "main.c", 110}}},
    {KPH86, 0x4007, "DriverUnload", 1, 0, 1, {{"DriverUnload", KPH_SRC "main.c", 113}}},
    {KPH64, 0x1050, "KphDispatchCreate", 0x48, 0, 1, {{"KphDispatchCreate", KPH_SRC "main.c", 136}}},
    {KPH64, 0x6000, "KpiQueryInformationObject", 0x684, 0, 1,
     {{"KpiQueryInformationObject", KPH_SRC "object.c", 775}}},
    /* assembler module: public name, lines from the module (code before its first line entry) */
    {KPH64, 0x1942, "KphpGetCopyExceptionInfo", 0x3a, 1, 1,
     {{"KphpGetCopyExceptionInfo",
       "e:\\5359.public.amd64fre\\internal\\minwin\\priv_sdk\\inc\\gs\\amd64\\crt_amdsecgs.asm", 72}}},
    /* inline chains (innermost first) */
    {SI, 0x43d5e, "RtlReadULong64FromUser", 0x2a, 0, 3,
     {{"ReadNoFence64", VOLACC, 215}, {"ReadULong64NoFence", VOLACC, 934},
      {"RtlReadULong64FromUser", "minkernel\\ntos\\rtl\\umaccess\\uma.c", 507}}},
    {SI, 0x1040, "KphAllocateNPaged", 0x40, 0, 2,
     {{"ExAllocatePoolZero", WDM_H, 25620}, {"KphAllocateNPaged", SI_SRC "alloc.c", 55}}},
    {SI, 0x11d1, "KphpFreeNPagedLookasideObject", 1, 0, 2,
     {{"KphFree", SI_SRC "alloc.c", 73}, {"KphpFreeNPagedLookasideObject", SI_SRC "alloc.c", 256}}},
    /* a range whose length is implied by the next one (llvm-symbolizer drops this frame) */
    {SI, 0x1019, "KphAllocateNPaged", 0x19, 0, 2,
     {{"ExAllocatePoolZero", WDM_H, 25613}, {"KphAllocateNPaged", SI_SRC "alloc.c", 55}}},
    /* cross-scope inlinees (llvm-symbolizer drops both inline frames) */
    {SI, 0x2b9b, "KphCaptureStackInMessage", 0x4f, 0, 3,
     {{"RtlUShortMult", "C:\\Program Files (x86)\\Windows Kits\\10\\Include\\10.0.26100.0\\km\\ntintsafe.h", 7585},
      {"KphMsgDynAddStackTrace", "C:\\Users\\aione\\source\\repos\\systeminformer\\kphlib\\kphmsgdyn.c", 411},
      {"KphCaptureStackInMessage", SI_SRC "comms.c", 720}}},
    {WFP, 0x1100, "IOCTLDriverBlockIp", 0x90, 0, 1,
     {{"IOCTLDriverBlockIp", "F:\\driver\\driver\\deviceiocontrol.c", 58}}},
    {WFP, 0x2000, "CopyIpArrayToArray", 0xb0, 0, 1,
     {{"CopyIpArrayToArray", "F:\\driver\\driver\\filtering.c", 557}}},
    {"um-msvc-seh-tests/x64/xcpt4.pdb", 0x1800, "PgFilter", 0, 0, 1,
     {{"PgFilter", "C:\\Users\\gustavo\\source\\windows_seh_tests\\src\\xcpt4\\xcpt4pg.c", 27}}},
    {"um-msvc-seh-tests/arm64/xcpt4.pdb", 0x1800, "ExTests", 8, 0, 1,
     {{"ExTests", "C:\\Users\\gustavo\\source\\windows_seh_tests\\src\\xcpt4\\xcpt4ex.c", 455}}},
    {"um-msvc-seh-tests/x86/xcpt4.pdb", 0x1800, "Test85", 0x170, 0, 1,
     {{"Test85", "C:\\Users\\gustavo\\source\\windows_seh_tests\\src\\xcpt4\\xcpt4ex.c", 218}}},
};

static void test_symbolize(void)
{
    ls_pdb *p = NULL;
    const char *cur = NULL;
    for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
        const struct sym_case *c = &syms[i];
        if (!cur || strcmp(cur, c->pdb) != 0) {
            ls_pdb_free(p);
            p = open_pdb(c->pdb);
            cur = c->pdb;
        }
        if (!p)
            continue;
        ls_pdb_location loc;
        ls_error err = {0};
        int rc = ls_pdb_symbolize(p, c->rva, &loc, &err);
        CHECK(rc == 0, "%s 0x%x: symbolized", c->pdb, c->rva);
        if (rc) {
            printf("#   %s\n", err.msg);
            continue;
        }
        CHECK_STR(loc.symbol, c->symbol, "%s 0x%x: function", c->pdb, c->rva);
        CHECK_EQ_U64(loc.displacement, c->disp, "%s 0x%x: displacement", c->pdb, c->rva);
        CHECK_EQ_U64(loc.from_public, c->from_public, "%s 0x%x: from publics", c->pdb, c->rva);
        CHECK_EQ_U64(loc.nframes, c->nframes, "%s 0x%x: frame count", c->pdb, c->rva);
        for (unsigned k = 0; k < c->nframes && k < loc.nframes; k++) {
            CHECK_STR(loc.frames[k].symbol, c->f[k].symbol, "%s 0x%x: frame %u symbol", c->pdb, c->rva, k);
            CHECK_STR(loc.frames[k].file, c->f[k].file, "%s 0x%x: frame %u file", c->pdb, c->rva, k);
            CHECK_EQ_U64(loc.frames[k].line, c->f[k].line, "%s 0x%x: frame %u line", c->pdb, c->rva, k);
        }
    }
    ls_pdb_free(p);
}

static void test_names(void)
{
    ls_error err = {0};
    uint32_t rva, size, ti;
    ls_pdb *p = open_pdb(KPH64);
    if (p) {
        CHECK(ls_pdb_find_function(p, "KphDispatchCreate", &rva, &size, &err) == 0 &&
              rva == 0x1008 && size == 0x13e, "kph64: KphDispatchCreate at 0x1008 size 0x13e");
        CHECK(ls_pdb_find_function(p, "DriverEntry", &rva, &size, &err) == 0 && rva == 0x5008,
              "kph64: DriverEntry at 0x5008");
        CHECK(ls_pdb_find_data(p, "KphDeviceObject", &rva, &ti, &err) == 0 && rva == 0x32d0 &&
              ti == 0x1014, "kph64: global KphDeviceObject at 0x32d0 type 0x1014");
        CHECK(ls_pdb_find_function(p, "NoSuchFunction", &rva, &size, &err) == LS_ENOTFOUND,
              "kph64: unknown function is LS_ENOTFOUND");
        ls_pdb_free(p);
    }
    p = open_pdb(KPH86);
    if (p) {
        CHECK(ls_pdb_find_function(p, "KphDispatchCreate", &rva, &size, &err) == 0 &&
              rva == 0x1006 && size == 0x108, "kph86: KphDispatchCreate at 0x1006 size 0x108");
        CHECK(ls_pdb_find_data(p, "KphDeviceObject", &rva, &ti, &err) == 0 && rva == 0x31c8,
              "kph86: KphDeviceObject at 0x31c8");
        ls_pdb_free(p);
    }
    p = open_pdb(SI);
    if (p) {
        CHECK(ls_pdb_find_data(p, "KphpRandomPoolTag", &rva, &ti, &err) == 0 && rva == 0x24004 &&
              ti == 0x22, "si: file-static KphpRandomPoolTag at 0x24004 (ULONG)");
        ls_pdb_inline_site *s = NULL;
        size_t n = 0;
        int rc = ls_pdb_inline_sites(p, "ExAllocatePoolZero", &s, &n, &err);
        CHECK(rc == 0 && n == 2, "si: ExAllocatePoolZero expanded twice");
        if (rc == 0 && n == 2) {
            CHECK_STR(s[0].caller, "KphAllocateNPaged", "si: first expansion's caller");
            CHECK_EQ_U64(s[0].caller_rva, 0x1000, "si: caller start");
            CHECK_EQ_U64(s[0].rva, 0x1018, "si: expansion start");
            CHECK_STR(s[0].file, SI_SRC "alloc.c", "si: call site file");
            CHECK_EQ_U64(s[0].line, 55, "si: call site line");
            CHECK_STR(s[1].caller, "KphAllocatePaged", "si: second expansion's caller");
            CHECK_EQ_U64(s[1].line, 362, "si: second call site line");
        }
        free(s);
        rc = ls_pdb_inline_sites(p, "RtlUShortMult", &s, &n, &err);
        CHECK(rc == 0 && n == 1 && strcmp(s[0].caller, "KphMsgDynAddStackTrace") == 0 &&
              strcmp(s[0].function, "KphCaptureStackInMessage") == 0 && s[0].line == 411,
              "si: cross-scope inlinee inside another inline: caller and containing function");
        free(s);
        rc = ls_pdb_inline_sites(p, "ExAllocateFromNPagedLookasideList", &s, &n, &err);
        CHECK(rc == 0 && n == 1 && s && strcmp(s[0].caller, "KphAllocateFromNPagedLookaside") == 0 &&
              s[0].line == 147, "si: the lookaside helper is inlined once, alloc.c:147");
        free(s);
        ls_pdb_free(p);
    }
}

static void test_open_paths(void)
{
    ls_error err = {0};
    ls_pdb *p = NULL;
    int fd = open(shared_path(WFP), O_RDONLY);
    CHECK(fd >= 0, "open WFP PDB file");
    if (fd >= 0) {
        CHECK(ls_pdb_open_fd(fd, "store/driver.pdb", &p, &err) == 0, "open from an fd");
        close(fd);
        ls_pdb_location loc;
        CHECK(p && ls_pdb_symbolize(p, 0x1500, &loc, &err) == 0 &&
              strcmp(loc.symbol, "IOCTLDriverUnblockPort") == 0, "fd-opened PDB symbolizes after close");
        ls_pdb_free(p);
    }
    static const char small[] = "Microsoft C/C++ program database 2.00\r\n\x1a" "JG\0\0 padding....";
    CHECK(ls_pdb_open_mem(small, sizeof small, "old.pdb", &p, &err) == LS_EUNSUPPORTED &&
          strstr(err.msg, "2.00"), "PDB 2.00 refused with a clear message: %s", err.msg);
    static const char msfz[] = "Microsoft MSFZ Container\r\n\x1a" "ALD\0\0 padding........";
    CHECK(ls_pdb_open_mem(msfz, sizeof msfz, "new.pdz", &p, &err) == LS_EUNSUPPORTED &&
          strstr(err.msg, "MSFZ"), "MSFZ refused with a clear message: %s", err.msg);
    static const char junk[64] = "MZ not a pdb";
    CHECK(ls_pdb_open_mem(junk, sizeof junk, "x.pdb", &p, &err) == LS_ENOTMINE, "junk is not a PDB");
    CHECK(ls_pdb_open_mem(junk, 0, "x.pdb", &p, &err) == LS_ENOTMINE, "empty is not a PDB");
    CHECK(ls_pdb_open("/nonexistent/x.pdb", &p, &err) == LS_EIO, "missing file is LS_EIO");
    ls_pdb_free(NULL);
}

static void test_undecorate(void)
{
    char b[64];
    ls_pdb_undecorate("_DriverEntry@8", 0x14C, b, sizeof b);
    CHECK_STR(b, "DriverEntry", "x86 stdcall");
    ls_pdb_undecorate("@KfAcquireSpinLock@4", 0x14C, b, sizeof b);
    CHECK_STR(b, "KfAcquireSpinLock", "x86 fastcall");
    ls_pdb_undecorate("_memcpy", 0x14C, b, sizeof b);
    CHECK_STR(b, "memcpy", "x86 cdecl");
    ls_pdb_undecorate("?Foo@@YAXXZ", 0x14C, b, sizeof b);
    CHECK_STR(b, "?Foo@@YAXXZ", "C++ names kept");
    ls_pdb_undecorate("__security_check_cookie", 0x8664, b, sizeof b);
    CHECK_STR(b, "__security_check_cookie", "x64 names kept");
    ls_pdb_undecorate("_f@x", 0x14C, b, sizeof b);
    CHECK_STR(b, "f@x", "non-numeric suffix kept");
    ls_pdb_undecorate("_LongName@12", 0x14C, b, 5);
    CHECK_STR(b, "Long", "truncated to the buffer");
}

/* Stream bytes: a stream assembled from non-adjacent 1 KiB blocks must be the stream the
 * directory describes: the TPI header and its chain of records end exactly at its size. */
static void test_streams(void)
{
    ls_pdb *p = open_pdb(KPH86);
    if (!p)
        return;
    ls_error err = {0};
    const uint8_t *d, *d2;
    size_t n, n2;
    int rc = ls_msf_stream_bytes(p, LS_PDB_STREAM_TPI, &d, &n, &err);
    CHECK(rc == 0 && n > 56 && ls_le32(d) == 20040203 && ls_le32(d + 4) == 56, "TPI header read");
    if (rc == 0 && n > 56) {
        size_t at = 56, end = 56 + (size_t)ls_le32(d + 16), recs = 0;
        while (at + 4 <= end && at + 4 <= n) {
            at += (size_t)ls_le16(d + at) + 2;
            recs++;
        }
        CHECK(at == end && end <= n, "TPI record chain ends at the record size (%zu records)", recs);
        CHECK_EQ_U64(recs, ls_le32(d + 12) - ls_le32(d + 8), "TPI record count matches the header");
        CHECK(ls_msf_stream_bytes(p, LS_PDB_STREAM_TPI, &d2, &n2, &err) == 0 && d2 == d && n2 == n,
              "stream buffer is cached");
    }
    CHECK(ls_msf_stream_bytes(p, 100000, &d, &n, &err) == LS_ENOTFOUND, "stream past the directory");
    uint32_t s;
    CHECK(ls_pdb_named_stream(p, "/names", &s, &err) == 0 && s < ls_msf_stream_count(p),
          "/names is a named stream (%u)", s);
    CHECK(ls_pdb_ipi_stream(p, &s, &err) == LS_ENOTFOUND, "WDK 7.1 PDB has no IPI stream");
    ls_pdb_location loc;
    int same = 1;
    for (int i = 0; i < 2000; i++)
        if (ls_pdb_symbolize(p, 0x1050, &loc, &err) != 0 || strcmp(loc.symbol, "KphDispatchCreate"))
            same = 0;
    CHECK(same, "2000 repeated lookups agree");
    ls_pdb_free(p);
}

/* A directory so large that its block list needs two block-map blocks (spec 1.1: LLVM
 * refuses such files; the superblock array must be read). Built in memory with 512-byte blocks. */
static void put32(uint8_t *b, size_t off, uint32_t v)
{
    b[off] = (uint8_t)v;
    b[off + 1] = (uint8_t)(v >> 8);
    b[off + 2] = (uint8_t)(v >> 16);
    b[off + 3] = (uint8_t)(v >> 24);
}

static void test_multi_block_map(void)
{
    enum { BS = 512, NS = 17000, INFO_BLK = 3, DIR0 = 4 };
    uint32_t dirsize = 4 + 4 * NS + 4;
    uint32_t ndir = (dirsize + BS - 1) / BS;          /* 133 */
    uint32_t map0 = DIR0 + ndir, nblocks = map0 + 2;  /* two block-map blocks */
    uint8_t *f = calloc(nblocks, BS);
    if (!f)
        return;
    memcpy(f, "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0\0", 32);
    put32(f, 0x20, BS);
    put32(f, 0x24, 1);
    put32(f, 0x28, nblocks);
    put32(f, 0x2C, dirsize);
    put32(f, 0x34, map0);
    put32(f, 0x38, map0 + 1);
    for (uint32_t i = 0; i < ndir; i++)
        put32(f, (size_t)map0 * BS + i * 4, DIR0 + i);
    uint8_t *dir = calloc(1, (size_t)ndir * BS);
    if (!dir) {
        free(f);
        return;
    }
    put32(dir, 0, NS);
    uint32_t info_len = 0x1C + 4 + 8 + 4 + 4 + 4 + 4;
    put32(dir, 4 + 4 * 1, info_len);            /* stream 1 = info; others empty */
    put32(dir, 4 + 4 * 2, 0xFFFFFFFFu);         /* stream 2 nil */
    put32(dir, 4 + 4 * NS, INFO_BLK);
    memcpy(f + (size_t)DIR0 * BS, dir, dirsize);
    uint8_t *info = f + (size_t)INFO_BLK * BS;
    put32(info, 0, 20000404);
    put32(info, 4, 0x12345678);
    put32(info, 8, 5);
    for (int i = 0; i < 16; i++)
        info[12 + i] = (uint8_t)(0xA0 + i);
    put32(info, 0x1C + 4 + 8 + 4 + 4 + 4, 20140508); /* after empty map and niv: VC140 */
    ls_pdb *p = NULL;
    ls_error err = {0};
    int rc = ls_pdb_open_mem(f, (size_t)nblocks * BS, "big-dir.pdb", &p, &err);
    CHECK(rc == 0, "directory with two block-map blocks opens");
    if (rc)
        printf("#   %s\n", err.msg);
    if (p) {
        ls_pdb_ident id;
        CHECK_EQ_U64(ls_msf_stream_count(p), NS, "all %u streams listed", (unsigned)NS);
        CHECK(ls_pdb_get_ident(p, &id, &err) == 0 && id.info_age == 5 && id.guid[0] == 0xA0 &&
              id.has_ipi == 1 && id.dbi_age == 0, "info stream read through the big directory");
        const uint8_t *d;
        size_t n;
        CHECK(ls_msf_stream_bytes(p, 2, &d, &n, &err) == LS_ENOTFOUND, "nil stream is LS_ENOTFOUND");
        ls_pdb_location loc;
        CHECK(ls_pdb_symbolize(p, 0x1000, &loc, &err) != 0 && loc.symbol == NULL,
              "no DBI: symbolize fails cleanly");
        ls_pdb_free(p);
    }
    /* the same file with the second map block past the end */
    put32(f, 0x38, nblocks + 9);
    CHECK(ls_pdb_open_mem(f, (size_t)nblocks * BS, "big-dir.pdb", &p, &err) == LS_ECORRUPT &&
          strstr(err.msg, "block map"), "second block-map block past the end: %s", err.msg);
    free(dir);
    free(f);
}

/* OMAP (spec 3.8): no OMAP PDB is available, so the tables are installed by hand on a real
 * PDB to check the lookups: last entry with from <= x, "to" 0 = no counterpart. */
static void test_omap(void)
{
    ls_pdb *p = open_pdb(KPH64);
    if (!p)
        return;
    ls_pdb_ident id;
    ls_error err = {0};
    ls_pdb_get_ident(p, &id, &err);
    static const pdb_omap to[] = {{0x1000, 0x1000}, {0x1100, 0x1200}, {0x1200, 0}, {0x1300, 0x1100}};
    static const pdb_omap from[] = {{0x1000, 0x1000}, {0x1100, 0x1300}, {0x1200, 0x1100}, {0x1300, 0}};
    p->omap_to = malloc(sizeof to);
    p->omap_from = malloc(sizeof from);
    p->osecs = malloc(p->nsecs * sizeof *p->osecs);
    if (!p->omap_to || !p->omap_from || !p->osecs) {
        ls_pdb_free(p);
        return;
    }
    memcpy(p->omap_to, to, sizeof to);
    memcpy(p->omap_from, from, sizeof from);
    memcpy(p->osecs, p->secs, p->nsecs * sizeof *p->osecs);
    p->nomap_to = p->nomap_from = 4;
    p->nosecs = p->nsecs;
    uint32_t x = 0;
    CHECK(pdb_rva_to_internal(p, 0x1150, &x) == 0 && x == 0x1250, "OMAP to-source: 0x1150 -> 0x1250");
    CHECK(pdb_rva_to_internal(p, 0x1250, &x) != 0, "OMAP to-source: a removed range has no counterpart");
    CHECK(pdb_rva_to_internal(p, 0x0fff, &x) != 0, "OMAP to-source: below the table");
    CHECK_EQ_U64(pdb_internal_to_rva(p, 0x1210), 0x1110, "OMAP from-source: 0x1210 -> 0x1110");
    CHECK_EQ_U64(pdb_internal_to_rva(p, 0x1101), 0x1301, "OMAP from-source: 0x1101 -> 0x1301");
    ls_pdb_location loc;
    CHECK(ls_pdb_symbolize(p, 0x1250, &loc, &err) == LS_ENOTFOUND && strstr(err.msg, "OMAP"),
          "an RVA without OMAP counterpart is not found: %s", err.msg);
    ls_pdb_free(p);
}

/* Every named global record is found again through the GSI/PSI hash tables (spec 4.5). */
struct rec_list {
    const uint8_t **recs;
    size_t n, cap;
};
static int collect(void *ctx, uint16_t kind, const uint8_t *rec, size_t len)
{
    struct rec_list *l = ctx;
    (void)len;
    if (kind != S_PUB32 && kind != S_PROCREF && kind != S_LPROCREF && kind != S_GDATA32 &&
        kind != S_LDATA32 && kind != S_UDT && kind != S_DATAREF)
        return 0;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 256;
        const uint8_t **v = realloc(l->recs, nc * sizeof *v);
        if (!v)
            return 1;
        l->recs = v;
        l->cap = nc;
    }
    l->recs[l->n++] = rec;
    return 0;
}
struct find_one {
    const uint8_t *want;
    int hits, found;
};
static int find_cb(void *ctx, uint16_t kind, const uint8_t *rec, size_t len)
{
    struct find_one *f = ctx;
    (void)kind;
    (void)len;
    f->hits++;
    if (rec == f->want)
        f->found = 1;
    return 0;
}

static void test_hash_lookup(void)
{
    for (size_t i = 0; i < sizeof idents / sizeof idents[0]; i++) {
        ls_pdb *p = open_pdb(idents[i].pdb);
        if (!p)
            continue;
        struct rec_list l = {0};
        ls_error err = {0};
        ls_pdb_globals_each(p, 0, NULL, collect, &l, &err);
        size_t missing = 0;
        const char *first_missing = NULL;
        for (size_t k = 0; k < l.n; k++) {
            uint16_t kind = ls_le16(l.recs[k] + 2);
            size_t at = kind == S_UDT ? 0x08 : 0x0E;
            const char *name = (const char *)l.recs[k] + at;
            struct find_one f = {l.recs[k], 0, 0};
            ls_pdb_globals_each(p, kind, name, find_cb, &f, &err);
            if (!f.found) {
                missing++;
                if (!first_missing)
                    first_missing = name;
            }
        }
        CHECK(l.n > 100 && missing == 0, "%s: %zu named globals all found by hash (%zu missing, e.g. %s)",
              idents[i].pdb, l.n, missing, first_missing ? first_missing : "-");
        free(l.recs);
        ls_pdb_free(p);
    }
}

int main(void)
{
    test_idents();
    test_symbolize();
    test_names();
    test_open_paths();
    test_undecorate();
    test_streams();
    test_multi_block_map();
    test_omap();
    test_hash_lookup();
    return CHECK_DONE();
}
