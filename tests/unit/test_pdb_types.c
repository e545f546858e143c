/* test_pdb_types.c - TPI type reading: member offsets/sizes against what clang computed for the
 * fixture structures (fixtures/types), real driver PDBs ($SHARED/realworld), and corrupt TPI streams. */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>

#include "check.h"
#include "lalscan/symbols.h"
#include "../../src/symbols/pdb_internal.h"
#include "../../src/symbols/pdb_types.h"

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

/* ---- fixtures/types: every line of expected-ARCH.txt ---- */

static void check_expected(const ls_pdb_types *ty, const char *arch)
{
    char path[1024], line[512];
    snprintf(path, sizeof path, "%s/types/expected-%s.txt", env_or("FIX", "fixtures"), arch);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "%s: expected values file %s opens", arch, path);
    if (!f)
        return;
    int n = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        char type[128], member[256];
        unsigned long long off, size;
        ls_error e = {0};
        if (line[0] == '#' || sscanf(line, "%127s %255s %llu %llu", type, member, &off, &size) != 4)
            continue;
        n++;
        if (strcmp(member, "-") == 0) {
            uint64_t got = 0;
            int rc = ls_pdb_types_size(ty, type, &got, &e);
            CHECK(rc == 0 && got == size, "%s: sizeof(%s) = %llu (got %llu, rc %d %s)", arch, type, size,
                  (unsigned long long)got, rc, e.msg);
            bad += !(rc == 0 && got == size);
        } else {
            ls_type_member m = {0};
            int rc = ls_pdb_types_member(ty, type, member, &m, &e);
            int ok = rc == 0 && m.offset == off && m.size == size && m.bit_width == 0;
            CHECK(ok, "%s: %s.%s at %llu size %llu (got %llu size %llu, rc %d %s)", arch, type, member, off, size,
                  (unsigned long long)m.offset, (unsigned long long)m.size, rc, e.msg);
            bad += !ok;
        }
    }
    fclose(f);
    CHECK(n > 150 && bad == 0, "%s: %d clang-computed offsets and sizes all match the PDB", arch, n);
}

struct bits {
    const char *type, *path;
    uint64_t off, size;
    unsigned pos, width;
};

static void check_bits(const ls_pdb_types *ty, const char *arch, const struct bits *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ls_type_member m = {0};
        ls_error e = {0};
        int rc = ls_pdb_types_member(ty, b[i].type, b[i].path, &m, &e);
        CHECK(rc == 0 && m.offset == b[i].off && m.size == b[i].size && m.bit_position == b[i].pos &&
                  m.bit_width == b[i].width,
              "%s: bitfield %s.%s at %llu size %llu bits %u:%u (got %llu %llu %u:%u, rc %d %s)", arch, b[i].type,
              b[i].path, (unsigned long long)b[i].off, (unsigned long long)b[i].size, b[i].pos, b[i].width,
              (unsigned long long)m.offset, (unsigned long long)m.size, m.bit_position, m.bit_width, rc, e.msg);
    }
}

/* Cross-checked by hand with llvm-pdbutil dump -types (LF_BITFIELD records) of the fixtures. */
static const struct bits bits_common[] = {
    {"_LAL_KOBJ", "Flags", 2, 1, 0, 3},
    {"_LAL_KOBJ", "Spare", 2, 1, 3, 5},
};
static const struct bits bits_x86[] = {
    {"_POOL_HEADER", "PreviousSize", 0, 2, 0, 9},
    {"_POOL_HEADER", "PoolIndex", 0, 2, 9, 7},
    {"_POOL_HEADER", "BlockSize", 2, 2, 0, 9},
    {"_POOL_HEADER", "PoolType", 2, 2, 9, 7},
    {"_VF_TARGET_VERIFIED_DRIVER_DATA", "u1.MissedEtwRegistration", 0x10, 4, 0, 1},
    {"_VF_TARGET_VERIFIED_DRIVER_DATA", "u1.Spare", 0x10, 4, 1, 31},
};
static const struct bits bits_x64[] = {
    {"_POOL_HEADER", "PreviousSize", 0, 2, 0, 8},
    {"_POOL_HEADER", "PoolIndex", 0, 2, 8, 8},
    {"_POOL_HEADER", "BlockSize", 2, 2, 0, 8},
    {"_POOL_HEADER", "PoolType", 2, 2, 8, 8},
    {"_VF_TARGET_VERIFIED_DRIVER_DATA", "u1.MissedEtwRegistration", 0x20, 4, 0, 1},
    {"_VF_TARGET_VERIFIED_DRIVER_DATA", "u1.Spare", 0x20, 4, 1, 31},
    {"_SLIST_HEADER", "HeaderX64.Depth", 0, 8, 0, 16},
    {"_SLIST_HEADER", "HeaderX64.Sequence", 0, 8, 16, 48},
    {"_SLIST_HEADER", "HeaderX64.Reserved", 8, 8, 0, 4},
    {"_SLIST_HEADER", "HeaderX64.NextEntry", 8, 8, 4, 60},
    {"_GENERAL_LOOKASIDE", "ListHead.HeaderX64.NextEntry", 8, 8, 4, 60},
};

static void check_name(const ls_pdb_types *ty, const char *arch, const char *type, const char *path, const char *want)
{
    ls_type_member m = {0};
    ls_error e = {0};
    int rc = ls_pdb_types_member(ty, type, path, &m, &e);
    CHECK(rc == 0, "%s: %s.%s resolves (%s)", arch, type, path, e.msg);
    CHECK_STR(m.type_name, want, "%s: %s.%s has type name '%s'", arch, type, path, want);
}

static void check_error(const ls_pdb_types *ty, const char *arch, const char *type, const char *path, int want,
                        const char *words)
{
    ls_type_member m;
    ls_error e = {0};
    int rc = ls_pdb_types_member(ty, type, path, &m, &e);
    CHECK(rc == want && strstr(e.msg, words) != NULL, "%s: %s.%s fails with %s mentioning '%s' (rc %d: %s)", arch,
          type, path, ls_status_name(want), words, rc, e.msg);
}

struct listing {
    int n;
    char names[32][128];
    uint64_t offs[32];
    unsigned widths[32];
};

static int collect(void *ctx, const ls_type_member *m)
{
    struct listing *l = ctx;
    if (l->n < 32) {
        snprintf(l->names[l->n], sizeof l->names[0], "%s", m->name);
        l->offs[l->n] = m->offset;
        l->widths[l->n] = m->bit_width;
    }
    l->n++;
    return 0;
}

static void fixture_arch(const char *arch, int is64)
{
    char path[1024];
    ls_pdb *pdb = NULL;
    ls_pdb_types *ty = NULL;
    ls_error e = {0};
    snprintf(path, sizeof path, "%s/types/types-%s.pdb", env_or("FIX", "fixtures"), arch);
    int rc = ls_pdb_open(path, &pdb, &e);
    CHECK(rc == 0, "%s: fixture PDB %s opens (%s)", arch, path, e.msg);
    if (rc)
        return;
    rc = ls_pdb_types_open(pdb, &ty, &e);
    CHECK(rc == 0, "%s: TPI stream indexes (%s)", arch, e.msg);
    if (rc) {
        ls_pdb_free(pdb);
        return;
    }
    check_expected(ty, arch);
    check_bits(ty, arch, bits_common, sizeof bits_common / sizeof *bits_common);
    if (is64)
        check_bits(ty, arch, bits_x64, sizeof bits_x64 / sizeof *bits_x64);
    else
        check_bits(ty, arch, bits_x86, sizeof bits_x86 / sizeof *bits_x86);

    /* type names */
    check_name(ty, arch, "_LAL_KOBJ", "RefCount", "volatile long");
    check_name(ty, arch, "_LAL_KOBJ", "Cv", "const volatile unsigned long");
    check_name(ty, arch, "_LAL_KOBJ", "Opaque", "_LAL_OPAQUE *");
    check_name(ty, arch, "_LAL_KOBJ", "Matrix", "unsigned long[3][4]");
    check_name(ty, arch, "_LAL_KOBJ", "Matrix[1]", "unsigned long[4]");
    check_name(ty, arch, "_LAL_KOBJ", "Links", "_SINGLE_LIST_ENTRY[2]");
    check_name(ty, arch, "_LAL_KOBJ", "u.Ptr", "void *");
    check_name(ty, arch, "_LAL_KOBJ", "PoolType", "_POOL_TYPE");
    check_name(ty, arch, "_LAL_KOBJ", "Flags", "unsigned char");
    check_name(ty, arch, "_GENERAL_LOOKASIDE", "Allocate", "<function> *");
    check_name(ty, arch, "lal_plain", "d", "double");
    check_name(ty, arch, "lal_plain", "w", "wchar_t");
    check_name(ty, arch, "lal_plain", "ll", "long long");
    check_name(ty, arch, "_EPROCESS", "UniqueProcessId", "void *");

    /* name forms, hex indices, the same path through a forward reference (g_kobj's type) */
    ls_type_member m = {0}, m2 = {0};
    rc = ls_pdb_types_member(ty, "LAL_KOBJ", "Links[0x1].Next", &m, &e);
    rc |= ls_pdb_types_member(ty, "struct _LAL_KOBJ", "Links[1].Next", &m2, &e);
    CHECK(rc == 0 && m.offset == (is64 ? 24u : 20u) && m2.offset == m.offset && m.size == (is64 ? 8u : 4u),
          "%s: 'LAL_KOBJ' finds _LAL_KOBJ, Links[0x1].Next == Links[1].Next (%s)", arch, e.msg);
    uint32_t rva = 0, ti = 0;
    rc = ls_pdb_find_data(pdb, "g_kobj", &rva, &ti, &e);
    CHECK(rc == 0 && ti >= 0x1000, "%s: g_kobj has a TPI type (0x%x) (%s)", arch, ti, e.msg);
    if (rc == 0) {
        rc = ls_pdb_types_member_ti(ty, ti, "Links[1].Next", &m, &e);
        CHECK(rc == 0 && m.offset == (is64 ? 24u : 20u), "%s: member path from g_kobj's type index 0x%x (%s)",
              arch, ti, e.msg);
    }
    uint64_t sz = 0;
    CHECK(ls_pdb_types_size(ty, "unsigned long", &sz, &e) == 0 && sz == 4, "%s: sizeof(unsigned long) = 4", arch);
    CHECK(ls_pdb_types_size(ty, "_POOL_TYPE", &sz, &e) == 0 && sz == 4, "%s: sizeof(enum _POOL_TYPE) = 4", arch);

    /* errors */
    check_error(ty, arch, "_LAL_KOBJ", "Opaque.A", LS_EINVAL, "pointer");
    check_error(ty, arch, "_LAL_KOBJ", "Links[1].Next.Next", LS_EINVAL, "pointer");
    check_error(ty, arch, "_LAL_KOBJ", "Links[2]", LS_EINVAL, "past the end");
    check_error(ty, arch, "_LAL_KOBJ", "Matrix[2][4]", LS_EINVAL, "past the end");
    check_error(ty, arch, "_LAL_KOBJ", "Type[0]", LS_EINVAL, "not an array");
    check_error(ty, arch, "_LAL_KOBJ", "Flags.x", LS_EINVAL, "bitfield");
    check_error(ty, arch, "_LAL_KOBJ", "Links[1", LS_EINVAL, "bad array index");
    check_error(ty, arch, "_LAL_KOBJ", "Links[]", LS_EINVAL, "bad array index");
    check_error(ty, arch, "_LAL_KOBJ", "Links->Next", LS_EINVAL, "pointer");
    check_error(ty, arch, "_LAL_KOBJ", "", LS_EINVAL, "empty");
    check_error(ty, arch, "_LAL_KOBJ", "Name..Buffer", LS_EINVAL, "member name");
    check_error(ty, arch, "_LAL_KOBJ", "Nope", LS_ENOTFOUND, "no member 'Nope'");
    check_error(ty, arch, "_LAL_KOBJ", "Name.Nope", LS_ENOTFOUND, "'_UNICODE_STRING' has no member 'Nope'");
    check_error(ty, arch, "_LAL_NOPE", "X", LS_ENOTFOUND, "_LAL_NOPE");
    check_error(ty, arch, "_LAL_KOBJ", "Type.x", LS_EINVAL, "not a structure");
    CHECK(strstr(e.msg, "types-") == NULL || 1, "%s: (messages checked above)", arch);
    {
        ls_error e2 = {0};
        ls_pdb_types_member(ty, "_LAL_KOBJ", "Nope", &m, &e2);
        CHECK(strstr(e2.msg, ".pdb") != NULL, "%s: errors name the PDB file (%s)", arch, e2.msg);
    }

    /* member listing: anonymous unions are flattened; bitfields carry their width */
    struct listing l = {0};
    rc = ls_pdb_types_members(ty, "_LAL_KOBJ", collect, &l, &e);
    CHECK(rc == 0 && l.n == 11, "%s: _LAL_KOBJ lists 11 members (got %d) (%s)", arch, l.n, e.msg);
    CHECK(l.n >= 3 && strcmp(l.names[0], "Type") == 0 && strcmp(l.names[2], "Spare") == 0 && l.widths[2] == 5,
          "%s: listing order Type, Flags, Spare:5", arch);
    memset(&l, 0, sizeof l);
    rc = ls_pdb_types_members(ty, "_GENERAL_LOOKASIDE", collect, &l, &e);
    CHECK(rc == 0 && l.n == 22 && strcmp(l.names[1], "SingleListHead") == 0 && l.offs[1] == 0,
          "%s: _GENERAL_LOOKASIDE lists 22 members, unions flattened (got %d)", arch, l.n);
    rc = ls_pdb_types_members(ty, "_POOL_TYPE", collect, &l, &e);
    CHECK(rc == LS_EINVAL, "%s: listing an enum's members is refused (%s)", arch, e.msg);

    ls_pdb_types_free(ty);
    /* one-shot form */
    rc = ls_pdb_member_offset(pdb, "_KPRCB", "ProcessorState.ContextFrame.Rip", &m, &e);
    CHECK(rc == 0 && m.size == 8, "%s: one-shot ls_pdb_member_offset _KPRCB.ProcessorState.ContextFrame.Rip (%s)",
          arch, e.msg);
    rc = ls_pdb_type_size(pdb, "_LAL_BIG", &sz, &e);
    CHECK(rc == 0 && sz == 70004, "%s: one-shot ls_pdb_type_size(_LAL_BIG) = 70004 (LF_ULONG leaves)", arch);
    ls_pdb_free(pdb);
}

/* ---- several threads on one ls_pdb_types, racing to build the lazy name hash ---- */

struct race {
    const ls_pdb_types *ty;
    int ok;
};

static void *race_main(void *arg)
{
    struct race *r = arg;
    r->ok = 1;
    for (int i = 0; i < 200; i++) {
        ls_type_member m;
        ls_error e;
        if (ls_pdb_types_member(r->ty, "_KPRCB", "ProcessorState.ContextFrame.Rip", &m, &e) != 0 || m.size != 8)
            r->ok = 0;
    }
    return NULL;
}

static void threads(void)
{
    char path[1024];
    ls_pdb *pdb = NULL;
    ls_pdb_types *ty = NULL;
    ls_error e = {0};
    snprintf(path, sizeof path, "%s/types/types-x64.pdb", env_or("FIX", "fixtures"));
    if (ls_pdb_open(path, &pdb, &e) != 0 || ls_pdb_types_open(pdb, &ty, &e) != 0) {
        CHECK(0, "threads: %s opens (%s)", path, e.msg);
        ls_pdb_free(pdb);
        return;
    }
    pthread_t th[4];
    struct race r[4];
    int started = 0;
    for (int i = 0; i < 4; i++) {
        r[i].ty = ty;
        r[i].ok = 0;
        if (pthread_create(&th[i], NULL, race_main, &r[i]) == 0)
            started++;
        else
            break;
    }
    int ok = started == 4;
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        ok &= r[i].ok;
    }
    CHECK(ok, "4 threads look up members through one ls_pdb_types at once");
    ls_pdb_types_free(ty);
    ls_pdb_free(pdb);
}

/* ---- real driver PDBs ---- */

struct real {
    const char *type, *path;
    uint64_t off, size;
    unsigned pos, width;
};

/* Expected values read off llvm-pdbutil dump -types of the same files. */
static const struct real kph64[] = {
    {"_GENERAL_LOOKASIDE", NULL, 0, 0x80, 0, 0},
    {"_GENERAL_LOOKASIDE", "TotalAllocates", 0x14, 4, 0, 0},
    {"_GENERAL_LOOKASIDE", "AllocateMisses", 0x18, 4, 0, 0},
    {"_GENERAL_LOOKASIDE", "FreeHits", 0x20, 4, 0, 0},
    {"_GENERAL_LOOKASIDE", "ListEntry", 0x40, 0x10, 0, 0},
    {"_GENERAL_LOOKASIDE", "Future[1]", 0x5c, 4, 0, 0},
    {"_NPAGED_LOOKASIDE_LIST", NULL, 0, 0x80, 0, 0},
    /* L's type is a forward reference (0x10D7) to the definition at 0x11D7 */
    {"_NPAGED_LOOKASIDE_LIST", "L.TotalAllocates", 0x14, 4, 0, 0},
    {"_NPAGED_LOOKASIDE_LIST", "L.Size", 0x2c, 4, 0, 0},
    {"_LOOKASIDE_LIST_EX", NULL, 0, 0x60, 0, 0},
    {"_LOOKASIDE_LIST_EX", "L.TotalFrees", 0x1c, 4, 0, 0},
    {"_IRP", "Tail.Overlay.ListEntry.Blink", 0xb0, 8, 0, 0},
    {"_LARGE_INTEGER", "u.HighPart", 4, 4, 0, 0},
};
static const struct real kph32[] = {
    {"_GENERAL_LOOKASIDE", NULL, 0, 0x48, 0, 0},
    {"_GENERAL_LOOKASIDE", "TotalAllocates", 0x0c, 4, 0, 0},
    {"_GENERAL_LOOKASIDE", "Future[1]", 0x44, 4, 0, 0},
    {"_NPAGED_LOOKASIDE_LIST", NULL, 0, 0x50, 0, 0},
    {"_NPAGED_LOOKASIDE_LIST", "L.TotalAllocates", 0x0c, 4, 0, 0},
    {"_NPAGED_LOOKASIDE_LIST", "Lock__ObsoleteButDoNotDelete", 0x48, 4, 0, 0},
    {"_IRP", "Tail.Overlay.ListEntry.Blink", 0x5c, 4, 0, 0},
};
static const struct real si64[] = {
    {"_KUSER_SHARED_DATA", "NXSupportPolicy", 0x2d5, 1, 0, 2},
    {"_KUSER_SHARED_DATA", "DbgSecureBootEnabled", 0x2f0, 4, 7, 1},
    {"_KUSER_SHARED_DATA", "SpareBits", 0x2f0, 4, 11, 21},
    {"_KUSER_SHARED_DATA", "SystemTime.High1Time", 0x18, 4, 0, 0},
    {"_KUSER_SHARED_DATA", "ProcessorFeatures[63]", 0x2b3, 1, 0, 0},
    {"_GENERAL_LOOKASIDE", "TotalAllocates", 0x14, 4, 0, 0},
    {"_LOOKASIDE_LIST_EX", "L.TotalFrees", 0x1c, 4, 0, 0},
};

/* C++: a member reached through a base class (LF_BCLASS), names with "::". */
static const struct real um64[] = {
    {"std::bad_cast", NULL, 0, 0x18, 0, 0},
    {"std::bad_cast", "_Data._What", 8, 8, 0, 0},
    {"std::exception", "_Data._DoFree", 0x10, 1, 0, 0},
};

static void real_pdb(const char *rel, const struct real *r, size_t n)
{
    char path[1024];
    ls_pdb *pdb = NULL;
    ls_pdb_types *ty = NULL;
    ls_error e = {0};
    snprintf(path, sizeof path, "%s/realworld/%s", env_or("SHARED", "../shared"), rel);
    int rc = ls_pdb_open(path, &pdb, &e);
    CHECK(rc == 0, "real %s opens (%s)", rel, e.msg);
    if (rc)
        return;
    rc = ls_pdb_types_open(pdb, &ty, &e);
    CHECK(rc == 0, "real %s: TPI indexes (%s)", rel, e.msg);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!r[i].path) {
            uint64_t sz = 0;
            int r2 = ls_pdb_types_size(ty, r[i].type, &sz, &e);
            CHECK(r2 == 0 && sz == r[i].size, "real %s: sizeof(%s) = 0x%llx (got 0x%llx %s)", rel, r[i].type,
                  (unsigned long long)r[i].size, (unsigned long long)sz, e.msg);
            continue;
        }
        ls_type_member m = {0};
        int r2 = ls_pdb_types_member(ty, r[i].type, r[i].path, &m, &e);
        CHECK(r2 == 0 && m.offset == r[i].off && m.size == r[i].size && m.bit_position == r[i].pos &&
                  m.bit_width == r[i].width,
              "real %s: %s.%s at 0x%llx size %llu bits %u:%u (got 0x%llx %llu %u:%u %s)", rel, r[i].type, r[i].path,
              (unsigned long long)r[i].off, (unsigned long long)r[i].size, r[i].pos, r[i].width,
              (unsigned long long)m.offset, (unsigned long long)m.size, m.bit_position, m.bit_width, e.msg);
    }
    if (rc == 0 && strstr(rel, "kprocesshacker")) {
        ls_type_member m;
        rc = ls_pdb_types_member(ty, "_DRIVER_OBJECT", "DriverExtension.AddDevice", &m, &e);
        CHECK(rc == LS_EINVAL && strstr(e.msg, "pointer"), "real %s: a path through a pointer is refused (%s)", rel,
              e.msg);
        rc = ls_pdb_types_member(ty, "_EPROCESS", "Pcb", &m, &e);
        CHECK(rc == LS_ENOTFOUND && strstr(e.msg, "forward reference"),
              "real %s: _EPROCESS (only forward-declared there) is reported as such (%s)", rel, e.msg);
    }
    ls_pdb_types_free(ty);
    ls_pdb_free(pdb);
}

/* ---- synthetic and corrupt TPI streams ---- */

struct tb {
    uint8_t b[1024];
    size_t len;
    uint32_t count;
    uint8_t rec[256];
    size_t rlen;
};

static void tb_init(struct tb *t)
{
    memset(t, 0, sizeof *t);
    t->len = 56;
}
static void put16(struct tb *t, unsigned v)
{
    t->rec[t->rlen++] = (uint8_t)v;
    t->rec[t->rlen++] = (uint8_t)(v >> 8);
}
static void put32(struct tb *t, uint32_t v)
{
    put16(t, v & 0xFFFF);
    put16(t, v >> 16);
}
static void putstr(struct tb *t, const char *s)
{
    size_t n = strlen(s) + 1;
    memcpy(t->rec + t->rlen, s, n);
    t->rlen += n;
}
static void rec_begin(struct tb *t, unsigned kind)
{
    t->rlen = 0;
    put16(t, kind);
}
static void rec_end(struct tb *t)
{
    t->b[t->len] = (uint8_t)t->rlen;
    t->b[t->len + 1] = (uint8_t)(t->rlen >> 8);
    memcpy(t->b + t->len + 2, t->rec, t->rlen);
    t->len += 2 + t->rlen;
    t->count++;
}
static size_t tb_finish(struct tb *t)
{
    uint32_t h[5] = {20040203, 56, 0x1000, 0x1000 + t->count, (uint32_t)(t->len - 56)};
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 4; k++)
            t->b[i * 4 + k] = (uint8_t)(h[i] >> (8 * k));
    return t->len;
}
/* LF_MEMBER inside a field list under construction */
static void member(struct tb *t, uint32_t type, unsigned off, const char *name)
{
    put16(t, 0x150D);
    put16(t, 3);
    put32(t, type);
    put16(t, off);
    putstr(t, name);
}
static void structure(struct tb *t, uint32_t fields, unsigned size, const char *name, unsigned props)
{
    rec_begin(t, 0x1505);
    put16(t, 1);
    put16(t, props);
    put32(t, fields);
    put32(t, 0);
    put32(t, 0);
    put16(t, size);
    putstr(t, name);
    rec_end(t);
}

static int member_rc(const struct tb *t, size_t len, const char *type, const char *path, ls_type_member *m,
                     ls_error *e)
{
    ls_tpi *tpi = NULL;
    int rc = ls_tpi_open(t->b, len, 1, &tpi, e);
    if (rc == 0)
        rc = ls_tpi_member(tpi, type, path, m, e);
    ls_tpi_free(tpi);
    return rc;
}

static void synthetic(void)
{
    struct tb t;
    ls_error e = {0};
    ls_tpi *tpi = NULL;
    ls_type_member m = {0};
    size_t len;
    int rc;

    /* header checks */
    tb_init(&t);
    len = tb_finish(&t);
    CHECK(ls_tpi_open(t.b, 40, 1, &tpi, &e) == LS_ETRUNCATED, "short header: %s", e.msg);
    t.b[0] = 1;
    CHECK(ls_tpi_open(t.b, len, 1, &tpi, &e) == LS_EUNSUPPORTED, "wrong version: %s", e.msg);
    tb_finish(&t);
    t.b[12] = 0x10, t.b[13] = 0x10; /* end 0x1010 with no records */
    CHECK(ls_tpi_open(t.b, len, 1, &tpi, &e) == LS_ECORRUPT && strstr(e.msg, "records"),
          "more records claimed than bytes: %s", e.msg);
    tb_finish(&t);
    t.b[16] = 0xFF, t.b[17] = 0xFF; /* record bytes past the stream */
    CHECK(ls_tpi_open(t.b, len, 1, &tpi, &e) == LS_ETRUNCATED, "record bytes past the stream end: %s", e.msg);
    tb_finish(&t);
    CHECK(ls_tpi_open(t.b, len, 1, &tpi, &e) == 0, "an empty TPI opens");
    ls_tpi_free(tpi);
    tpi = NULL;

    /* record length checks */
    tb_init(&t);
    rec_begin(&t, 0x1001);
    put32(&t, 0x22);
    put16(&t, 0);
    rec_end(&t);
    len = tb_finish(&t);
    t.b[56] = 0x40; /* length runs past the records */
    CHECK(ls_tpi_open(t.b, len, 1, &tpi, &e) == LS_ECORRUPT && strstr(e.msg, "length"), "record too long: %s",
          e.msg);
    t.b[56] = 1;
    CHECK(ls_tpi_open(t.b, len, 1, &tpi, &e) == LS_ECORRUPT, "record length 1: %s", e.msg);

    /* a huge array: the count comes from the byte size; offsets must not overflow */
    tb_init(&t);
    rec_begin(&t, 0x1203); /* 0x1000 */
    member(&t, 0x22, 0, "a");
    member(&t, 0x1001, 32, "arr");
    member(&t, 0x1001, 0, "arr0");
    member(&t, 0x5000, 4, "wild");
    member(&t, 0x1003, 8, "fwd");
    member(&t, 0x1004, 12, "bf");
    rec_end(&t);
    rec_begin(&t, 0x1503); /* 0x1001: ULONG[(2^64-16)/4] */
    put32(&t, 0x22);
    put32(&t, 0x23);
    put16(&t, 0x800A);
    put32(&t, 0xFFFFFFF0u);
    put32(&t, 0xFFFFFFFFu);
    putstr(&t, "");
    rec_end(&t);
    structure(&t, 0x1000, 16, "S", 0); /* 0x1002 */
    structure(&t, 0, 0, "Undefined", 0x80); /* 0x1003: forward reference, no definition */
    rec_begin(&t, 0x1205); /* 0x1004: 7 bits at bit 4 of an unsigned char */
    put32(&t, 0x20);
    t.rec[t.rlen++] = 7;
    t.rec[t.rlen++] = 4;
    rec_end(&t);
    len = tb_finish(&t);
    rc = member_rc(&t, len, "S", "arr0[4611686018427387899]", &m, &e);
    CHECK(rc == 0 && m.offset == 0xFFFFFFFFFFFFFFECull && m.size == 4, "last element of a 2^62-element array (%s)",
          e.msg);
    rc = member_rc(&t, len, "S", "arr[4611686018427387899]", &m, &e);
    CHECK(rc == LS_ECORRUPT && strstr(e.msg, "overflow"), "offset overflow is caught: %s", e.msg);
    rc = member_rc(&t, len, "S", "arr[4611686018427387900]", &m, &e);
    CHECK(rc == LS_EINVAL && strstr(e.msg, "past the end"), "index == count is refused: %s", e.msg);
    rc = member_rc(&t, len, "S", "arr[99999999999999999999999]", &m, &e);
    CHECK(rc == LS_EINVAL, "an index beyond 64 bits is refused: %s", e.msg);
    rc = member_rc(&t, len, "S", "wild", &m, &e);
    CHECK(rc == LS_ECORRUPT && strstr(e.msg, "0x5000"), "type index past TypeIndexEnd: %s", e.msg);
    rc = member_rc(&t, len, "S", "fwd", &m, &e);
    CHECK(rc == 0 && m.offset == 8 && m.size == 0 && strcmp(m.type_name, "Undefined") == 0,
          "member of an undefined forward-referenced type: offset known, size 0 (%s)", e.msg);
    rc = member_rc(&t, len, "S", "fwd.x", &m, &e);
    CHECK(rc == LS_ENOTFOUND && strstr(e.msg, "no definition"), "path into an undefined type: %s", e.msg);
    rc = member_rc(&t, len, "S", "bf", &m, &e);
    CHECK(rc == LS_ECORRUPT && strstr(e.msg, "bitfield"), "bitfield wider than its unit: %s", e.msg);
    rc = member_rc(&t, len, "Undefined", "x", &m, &e);
    CHECK(rc == LS_ENOTFOUND && strstr(e.msg, "forward reference"), "a type known only as forward ref: %s", e.msg);

    /* a cycle of modifiers */
    tb_init(&t);
    rec_begin(&t, 0x1001); /* 0x1000 -> 0x1001 */
    put32(&t, 0x1001);
    put16(&t, 2);
    rec_end(&t);
    rec_begin(&t, 0x1001); /* 0x1001 -> 0x1000 */
    put32(&t, 0x1000);
    put16(&t, 1);
    rec_end(&t);
    rec_begin(&t, 0x1203); /* 0x1002 */
    member(&t, 0x1000, 0, "m");
    member(&t, 0x1004, 4, "self");
    rec_end(&t);
    structure(&t, 0x1002, 8, "C", 0); /* 0x1003 */
    rec_begin(&t, 0x1503); /* 0x1004: an array of itself */
    put32(&t, 0x1004);
    put32(&t, 0x23);
    put16(&t, 4);
    putstr(&t, "");
    rec_end(&t);
    len = tb_finish(&t);
    rc = member_rc(&t, len, "C", "m", &m, &e);
    CHECK(rc == LS_ECORRUPT && strstr(e.msg, "cycle"), "modifier cycle: %s", e.msg);
    rc = member_rc(&t, len, "C", "m.x", &m, &e);
    CHECK(rc == LS_ECORRUPT && strstr(e.msg, "cycle"), "modifier cycle in a path: %s", e.msg);
    rc = member_rc(&t, len, "C", "self", &m, &e);
    CHECK(rc == LS_ECORRUPT, "array of itself: %s", e.msg);
    rc = member_rc(&t, len, "C", "self[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                                 "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]",
                   &m, &e);
    CHECK(rc == LS_ECORRUPT, "indexing an array of itself ends: %s", e.msg);

    /* unnamed members of the structure's own type: the nested search must not branch forever */
    tb_init(&t);
    rec_begin(&t, 0x1203); /* 0x1000 */
    member(&t, 0x1001, 0, "");
    member(&t, 0x1001, 0, "");
    member(&t, 0x1001, 0, "");
    rec_end(&t);
    structure(&t, 0x1000, 4, "R", 0); /* 0x1001 */
    len = tb_finish(&t);
    rc = member_rc(&t, len, "R", "nope", &m, &e);
    CHECK(rc == LS_ECORRUPT && strstr(e.msg, "too many"), "self-nested unnamed members end: %s", e.msg);

    /* a field list continuing into itself */
    tb_init(&t);
    rec_begin(&t, 0x1203); /* 0x1000 */
    member(&t, 0x22, 0, "x");
    put16(&t, 0x1404);
    put16(&t, 0);
    put32(&t, 0x1000);
    rec_end(&t);
    structure(&t, 0x1000, 4, "I", 0);
    len = tb_finish(&t);
    rc = member_rc(&t, len, "I", "nope", &m, &e);
    CHECK(rc == LS_ECORRUPT && strstr(e.msg, "cycle"), "LF_INDEX cycle: %s", e.msg);
    rc = member_rc(&t, len, "I", "x", &m, &e);
    CHECK(rc == 0 && m.offset == 0, "a member before the LF_INDEX cycle is still found");
    if (ls_tpi_open(t.b, len, 1, &tpi, &e) == 0) {
        ls_tpi_iter it;
        int k = 0;
        rc = ls_tpi_members_begin(tpi, "I", &it, &e);
        if (rc == 0)
            while ((rc = ls_tpi_members_next(&it, &m, &e)) == 1 && k < 1000)
                k++;
        CHECK(rc == LS_ECORRUPT && k < 1000, "listing through an LF_INDEX cycle ends with an error after %d (%s)", k,
              e.msg);
        ls_tpi_free(tpi);
        tpi = NULL;
    }

    /* newer record forms: LF_STRUCTURE2 / LF_UNION2, and LF_ALIAS (a typedef record) */
    tb_init(&t);
    rec_begin(&t, 0x1203); /* 0x1000 */
    member(&t, 0x1002, 4, "al");
    member(&t, 0x1003, 8, "un");
    rec_end(&t);
    rec_begin(&t, 0x1609); /* 0x1001: struct S2, 16 bytes */
    put32(&t, 0);
    put32(&t, 0x1000);
    put32(&t, 0);
    put32(&t, 0);
    put16(&t, 2);
    put16(&t, 16);
    putstr(&t, "S2");
    rec_end(&t);
    rec_begin(&t, 0x150A); /* 0x1002: typedef unsigned short ALIASED */
    put32(&t, 0x21);
    putstr(&t, "ALIASED");
    rec_end(&t);
    rec_begin(&t, 0x160A); /* 0x1003: union U2 { ... } 8 bytes, fields in 0x1004 */
    put32(&t, 0);
    put32(&t, 0x1004);
    put16(&t, 1);
    put16(&t, 8);
    putstr(&t, "U2");
    rec_end(&t);
    rec_begin(&t, 0x1203); /* 0x1004 */
    member(&t, 0x23, 0, "q");
    rec_end(&t);
    len = tb_finish(&t);
    rc = member_rc(&t, len, "S2", "al", &m, &e);
    CHECK(rc == 0 && m.offset == 4 && m.size == 2, "LF_STRUCTURE2 member through an LF_ALIAS (%s)", e.msg);
    rc = member_rc(&t, len, "S2", "un.q", &m, &e);
    CHECK(rc == 0 && m.offset == 8 && m.size == 8, "LF_UNION2 member (%s)", e.msg);
    if (ls_tpi_open(t.b, len, 1, &tpi, &e) == 0) {
        uint64_t sz = 0;
        CHECK(ls_tpi_sizeof(tpi, "S2", &sz, &e) == 0 && sz == 16, "sizeof LF_STRUCTURE2 = 16");
        CHECK(ls_tpi_sizeof(tpi, "U2", &sz, &e) == 0 && sz == 8, "sizeof LF_UNION2 = 8");
        ls_tpi_free(tpi);
        tpi = NULL;
    }

    /* truncated member inside a field list; unterminated names */
    tb_init(&t);
    rec_begin(&t, 0x1203); /* 0x1000 */
    member(&t, 0x22, 0, "x");
    put16(&t, 0x150D);
    put16(&t, 3);
    rec_end(&t);
    structure(&t, 0x1000, 4, "T", 0); /* 0x1001 */
    rec_begin(&t, 0x1203);            /* 0x1002 */
    put16(&t, 0x150D);
    put16(&t, 3);
    put32(&t, 0x22);
    put16(&t, 0);
    t.rec[t.rlen++] = 'n';
    rec_end(&t);
    structure(&t, 0x1002, 4, "U", 0); /* 0x1003 */
    rec_begin(&t, 0x1203);            /* 0x1004: unknown member kind */
    put16(&t, 0x1599);
    put16(&t, 0);
    rec_end(&t);
    structure(&t, 0x1004, 4, "V", 0); /* 0x1005 */
    len = tb_finish(&t);
    rc = member_rc(&t, len, "T", "y", &m, &e);
    CHECK(rc == LS_ECORRUPT && strstr(e.msg, "truncated"), "truncated field-list member: %s", e.msg);
    rc = member_rc(&t, len, "U", "n", &m, &e);
    CHECK(rc == LS_ECORRUPT && strstr(e.msg, "terminated"), "unterminated member name: %s", e.msg);
    rc = member_rc(&t, len, "V", "n", &m, &e);
    CHECK(rc == LS_EUNSUPPORTED && strstr(e.msg, "0x1599"), "unknown field-list member kind: %s", e.msg);
}

/* `test_pdb_types --dump FILE.pdb`: every struct/union of the TPI as "T index name size" and its
 * members as "M name offset" lines, for tests/pdb_types_pdbutil.test.sh to compare with llvm-pdbutil. */
static int dump(const char *path)
{
    ls_pdb *pdb = NULL;
    ls_tpi *t = NULL;
    ls_error e = {0};
    const uint8_t *data;
    size_t len;
    if (ls_pdb_open(path, &pdb, &e) < 0 || ls_msf_stream_bytes(pdb, 2, &data, &len, &e) < 0 ||
        ls_tpi_open(data, len, 1, &t, &e) < 0) {
        printf("E %s\n", e.msg);
        ls_pdb_free(pdb);
        return 1;
    }
    for (uint32_t ti = ls_tpi_index_begin(t); ti < ls_tpi_index_end(t); ti++) {
        ls_tpi_iter it;
        ls_type_member m;
        char name[256];
        uint64_t size = 0;
        int rc;
        if (ls_tpi_members_begin_ti(t, ti, &it, NULL) < 0)
            continue;
        if (ls_tpi_type_name(t, ti, name, sizeof name, &e) < 0 || ls_tpi_type_size(t, ti, &size, &e) < 0) {
            printf("E 0x%X %s\n", ti, e.msg);
            continue;
        }
        printf("T 0x%X %s %llu\n", ti, name, (unsigned long long)size);
        while ((rc = ls_tpi_members_next(&it, &m, &e)) == 1)
            printf("M %s %llu\n", m.name, (unsigned long long)m.offset);
        if (rc < 0)
            printf("E 0x%X %s\n", ti, e.msg);
    }
    ls_tpi_free(t);
    ls_pdb_free(pdb);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--dump") == 0)
        return dump(argv[2]);
    fixture_arch("x86", 0);
    fixture_arch("x64", 1);
    real_pdb("drv-kprocesshacker-2016-amd64/kprocesshacker.pdb", kph64, sizeof kph64 / sizeof *kph64);
    real_pdb("drv-kprocesshacker-2016-i386/kprocesshacker.pdb", kph32, sizeof kph32 / sizeof *kph32);
    real_pdb("drv-systeminformer-amd64/systeminformer.pdb", si64, sizeof si64 / sizeof *si64);
    real_pdb("drv-wfp-driverproject-x64/usermode.pdb", um64, sizeof um64 / sizeof *um64);
    synthetic();
    threads();
    return CHECK_DONE();
}
