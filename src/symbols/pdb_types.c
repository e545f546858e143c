/* pdb_types.c - indexes a PDB's TPI stream and answers what a type is: its record, its definition
 * behind a forward reference, its size and a C-like name (pdb-format.md §6). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdb_types_int.h"

enum { TPI_HEADER_SIZE = 56, TPI_V80 = 20040203 };

uint32_t ls_tpi_index_begin(const ls_tpi *t) { return t->begin; }
uint32_t ls_tpi_index_end(const ls_tpi *t) { return t->end; }

int ls_tpi_open(const uint8_t *data, size_t len, int ptr64, ls_tpi **out, ls_error *err)
{
    if (!data && len)
        return ls_error_set(err, LS_EINVAL, "TPI: no data");
    if (len < TPI_HEADER_SIZE)
        return ls_error_set(err, LS_ETRUNCATED, "TPI: stream is 0x%zx bytes, shorter than its 0x38-byte header", len);
    uint32_t version = ls_le32(data), hsize = ls_le32(data + 4);
    uint32_t begin = ls_le32(data + 8), end = ls_le32(data + 12), bytes = ls_le32(data + 16);
    if (version != TPI_V80)
        return ls_error_set(err, LS_EUNSUPPORTED, "TPI: version %u at offset 0x0 is not V80 (20040203)", version);
    if (hsize < TPI_HEADER_SIZE || hsize > len)
        return ls_error_set(err, LS_ECORRUPT, "TPI: header size 0x%x at offset 0x4 is outside 0x38..0x%zx", hsize, len);
    if (begin < 0x1000 || end < begin)
        return ls_error_set(err, LS_ECORRUPT, "TPI: type index range 0x%x..0x%x (offsets 0x8/0xc) is invalid", begin, end);
    if (!ls_in_bounds(hsize, bytes, len))
        return ls_error_set(err, LS_ETRUNCATED, "TPI: 0x%x record bytes after the 0x%x-byte header run past the stream end 0x%zx",
                            bytes, hsize, len);
    uint32_t count = end - begin;
    /* Every record takes at least 4 bytes, so this bounds the offset table by the stream size. */
    if (count > bytes / 4)
        return ls_error_set(err, LS_ECORRUPT, "TPI: header claims 0x%x records but 0x%x record bytes hold at most 0x%x",
                            count, bytes, bytes / 4);
    ls_tpi *t = calloc(1, sizeof *t);
    uint32_t *off = calloc(count ? count : 1, sizeof *off);
    if (!t || !off) {
        free(t);
        free(off);
        return ls_error_oom(err);
    }
    uint64_t pos = hsize, stop = (uint64_t)hsize + bytes;
    for (uint32_t i = 0; i < count; i++) {
        if (stop - pos < 4) {
            ls_error_set(err, LS_ECORRUPT, "TPI: record bytes end at offset 0x%llx after 0x%x of 0x%x records",
                         (unsigned long long)pos, i, count);
            goto fail;
        }
        uint16_t rlen = ls_le16(data + pos);
        if (rlen < 2 || rlen > stop - pos - 2) {
            ls_error_set(err, LS_ECORRUPT, "TPI: record 0x%x at offset 0x%llx has length 0x%x, outside 2..0x%llx",
                         begin + i, (unsigned long long)pos, rlen, (unsigned long long)(stop - pos - 2));
            goto fail;
        }
        off[i] = (uint32_t)pos;
        pos += 2u + rlen;
    }
    t->data = data;
    t->len = len;
    t->begin = begin;
    t->end = end;
    t->off = off;
    t->ptr64 = ptr64 ? 1 : 0;
    atomic_init(&t->names, NULL);
    *out = t;
    return 0;
fail:
    free(off);
    free(t);
    return err ? err->code : LS_ECORRUPT;
}

int tpi_record(const ls_tpi *t, uint32_t ti, uint16_t *kind, const uint8_t **p, uint32_t *n, ls_error *err)
{
    if (ti < t->begin || ti >= t->end)
        return ls_error_set(err, LS_ECORRUPT, "TPI: type index 0x%x is outside 0x%x..0x%x", ti, t->begin, t->end);
    const uint8_t *r = t->data + t->off[ti - t->begin];
    *kind = ls_le16(r + 2);
    *p = r + 4;
    *n = (uint32_t)ls_le16(r) - 2;
    return 0;
}

int tpi_numeric(const uint8_t *p, uint32_t n, uint32_t *pos, uint64_t *val)
{
    if (*pos > n || n - *pos < 2)
        return -1;
    uint16_t v = ls_le16(p + *pos);
    uint32_t q = *pos + 2, need;
    if (v < 0x8000) {
        *val = v;
        *pos = q;
        return 0;
    }
    switch (v) {
    case 0x8000: need = 1; break;
    case 0x8001: case 0x8002: need = 2; break;
    case 0x8003: case 0x8004: case 0x8005: need = 4; break;
    case 0x8006: case 0x8009: case 0x800A: need = 8; break;
    case 0x8007: need = 10; break;
    case 0x8008: case 0x8017: case 0x8018: need = 16; break;
    case 0x8010:
        if (n - q < 2)
            return -1;
        need = 2u + ls_le16(p + q);
        break;
    default:
        return -1;
    }
    if (n - q < need)
        return -1;
    switch (v) {
    case 0x8000: *val = (uint64_t)(int64_t)(int8_t)p[q]; break;
    case 0x8001: *val = (uint64_t)(int64_t)(int16_t)ls_le16(p + q); break;
    case 0x8002: *val = ls_le16(p + q); break;
    case 0x8003: *val = (uint64_t)(int64_t)(int32_t)ls_le32(p + q); break;
    case 0x8004: *val = ls_le32(p + q); break;
    case 0x8009: case 0x800A: *val = ls_le64(p + q); break;
    default: *val = 0; break; /* reals and strings are not sizes */
    }
    *pos = q + need;
    return 0;
}

/* NUL-terminated string at p[*pos], inside the record. */
static int tpi_cstr(const uint8_t *p, uint32_t n, uint32_t *pos, const char **s)
{
    if (*pos > n)
        return -1;
    const uint8_t *z = memchr(p + *pos, 0, n - *pos);
    if (!z)
        return -1;
    *s = (const char *)(p + *pos);
    *pos = (uint32_t)(z - p) + 1;
    return 0;
}

int tpi_is_udt_kind(uint16_t kind)
{
    switch (kind) {
    case LF_CLASS: case LF_STRUCTURE: case LF_UNION: case LF_ENUM: case LF_INTERFACE:
    case LF_CLASS2: case LF_STRUCTURE2: case LF_UNION2: case LF_INTERFACE2:
        return 1;
    default:
        return 0;
    }
}

int tpi_udt_parse(const ls_tpi *t, uint32_t ti, uint16_t kind, const uint8_t *p, uint32_t n,
                  struct tpi_udt *u, ls_error *err)
{
    uint32_t pos;
    uint64_t count;
    memset(u, 0, sizeof *u);
    u->kind = kind;
    switch (kind) {
    case LF_CLASS: case LF_STRUCTURE: case LF_INTERFACE:
        if (n < 16)
            goto short_rec;
        u->props = ls_le16(p + 2);
        u->fields = ls_le32(p + 4);
        pos = 16;
        break;
    case LF_UNION:
        if (n < 8)
            goto short_rec;
        u->props = ls_le16(p + 2);
        u->fields = ls_le32(p + 4);
        pos = 8;
        break;
    case LF_ENUM:
        if (n < 12)
            goto short_rec;
        u->props = ls_le16(p + 2);
        u->underlying = ls_le32(p + 4);
        u->fields = ls_le32(p + 8);
        pos = 12;
        break;
    case LF_CLASS2: case LF_STRUCTURE2: case LF_INTERFACE2:
        /* Newer MSVC (not seen in the PDBs examined): u32 properties, field list, derivation list,
         * vtable shape, then member count and size as numeric leaves, names as in LF_STRUCTURE. */
        if (n < 16)
            goto short_rec;
        u->props = ls_le32(p);
        u->fields = ls_le32(p + 4);
        pos = 16;
        if (tpi_numeric(p, n, &pos, &count) < 0)
            goto short_rec;
        break;
    case LF_UNION2:
        if (n < 8)
            goto short_rec;
        u->props = ls_le32(p);
        u->fields = ls_le32(p + 4);
        pos = 8;
        if (tpi_numeric(p, n, &pos, &count) < 0)
            goto short_rec;
        break;
    default:
        return ls_error_set(err, LS_EINVAL, "TPI: record 0x%x (kind 0x%04x) is not a struct, union or enum", ti, kind);
    }
    if (kind != LF_ENUM && tpi_numeric(p, n, &pos, &u->size) < 0)
        return ls_error_set(err, LS_ECORRUPT, "TPI: record 0x%x at offset 0x%x: bad size leaf",
                            ti, t->off[ti - t->begin]);
    (void)count;
    if (tpi_cstr(p, n, &pos, &u->name) < 0)
        return ls_error_set(err, LS_ECORRUPT, "TPI: record 0x%x at offset 0x%x: name is not terminated inside the record",
                            ti, t->off[ti - t->begin]);
    if ((u->props & TPI_PROP_UNIQUE) && tpi_cstr(p, n, &pos, &u->uname) < 0)
        u->uname = NULL; /* tolerated: the name still identifies the type */
    if (u->props & TPI_PROP_FWDREF) {
        u->fields = 0;
        u->size = 0;
    }
    return 0;
short_rec:
    return ls_error_set(err, LS_ECORRUPT, "TPI: record 0x%x (kind 0x%04x) at offset 0x%x is too short (0x%x bytes)",
                        ti, kind, t->off[ti - t->begin], n);
}

/* ---- name -> definitions hash, built on first use ---- */

struct tpi_names {
    uint32_t mask;
    uint32_t *head;   /* bucket -> type index (0 = empty) */
    uint32_t *next;   /* (ti - begin) -> next type index with the same bucket */
};

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static void names_free(struct tpi_names *nm)
{
    if (nm) {
        free(nm->head);
        free(nm->next);
        free(nm);
    }
}

static int names_build(const ls_tpi *t, struct tpi_names **out, ls_error *err)
{
    uint32_t count = t->end - t->begin, nb = 16;
    while (nb < count && nb < (1u << 30))
        nb <<= 1;
    struct tpi_names *nm = calloc(1, sizeof *nm);
    if (!nm)
        return ls_error_oom(err);
    nm->mask = nb - 1;
    nm->head = calloc(nb, sizeof *nm->head);
    nm->next = calloc(count ? count : 1, sizeof *nm->next);
    if (!nm->head || !nm->next) {
        names_free(nm);
        return ls_error_oom(err);
    }
    /* Insert from the end so each chain lists definitions in index order. */
    for (uint32_t i = count; i-- > 0;) {
        uint32_t ti = t->begin + i, n;
        uint16_t kind;
        const uint8_t *p;
        struct tpi_udt u;
        tpi_record(t, ti, &kind, &p, &n, NULL);
        if (!tpi_is_udt_kind(kind) || tpi_udt_parse(t, ti, kind, p, n, &u, NULL) < 0)
            continue;
        if (u.props & TPI_PROP_FWDREF)
            continue;
        uint32_t b = name_hash(u.name) & nm->mask;
        nm->next[i] = nm->head[b];
        nm->head[b] = ti;
    }
    *out = nm;
    return 0;
}

static int names_get(const ls_tpi *t, const struct tpi_names **out, ls_error *err)
{
    ls_tpi *mt = (ls_tpi *)t; /* the hash is a cache; publishing it is the only write */
    struct tpi_names *nm = atomic_load_explicit(&mt->names, memory_order_acquire);
    if (!nm) {
        struct tpi_names *mine = NULL, *expected = NULL;
        int rc = names_build(t, &mine, err);
        if (rc < 0)
            return rc;
        if (atomic_compare_exchange_strong_explicit(&mt->names, &expected, mine, memory_order_acq_rel,
                                                    memory_order_acquire)) {
            nm = mine;
        } else {
            names_free(mine); /* another thread won the race */
            nm = expected;
        }
    }
    *out = nm;
    return 0;
}

static int udt_family(uint16_t kind)
{
    switch (kind) {
    case LF_UNION: case LF_UNION2: return 2;
    case LF_ENUM: return 3;
    default: return 1;
    }
}

/* Best definition named `name` (family 0 = any): unique name must match when both have one;
 * among several, the first one with a non-zero size wins. */
static int names_lookup(const ls_tpi *t, const char *name, int family, const char *uname, uint32_t *ti,
                        ls_error *err)
{
    const struct tpi_names *nm;
    int rc = names_get(t, &nm, err);
    if (rc < 0)
        return rc;
    uint32_t best = 0, steps = 0, count = t->end - t->begin;
    for (uint32_t c = nm->head[name_hash(name) & nm->mask]; c && steps <= count; c = nm->next[c - t->begin], steps++) {
        uint16_t kind;
        const uint8_t *p;
        uint32_t n;
        struct tpi_udt u;
        tpi_record(t, c, &kind, &p, &n, NULL);
        if (tpi_udt_parse(t, c, kind, p, n, &u, NULL) < 0 || strcmp(u.name, name) != 0)
            continue;
        if (family && udt_family(kind) != family)
            continue;
        if (uname && u.uname && strcmp(uname, u.uname) != 0)
            continue;
        if (!best)
            best = c;
        if (u.size != 0 || kind == LF_ENUM) {
            best = c;
            break;
        }
    }
    if (!best)
        return LS_ENOTFOUND;
    *ti = best;
    return 0;
}

/* Only on the failure path: tells "never heard of it" from "only declared". */
static int has_forward_ref(const ls_tpi *t, const char *name)
{
    for (uint32_t ti = t->begin; ti < t->end; ti++) {
        uint16_t kind;
        const uint8_t *p;
        uint32_t n;
        struct tpi_udt u;
        tpi_record(t, ti, &kind, &p, &n, NULL);
        if (tpi_is_udt_kind(kind) && tpi_udt_parse(t, ti, kind, p, n, &u, NULL) == 0 &&
            (u.props & TPI_PROP_FWDREF) && strcmp(u.name, name) == 0)
            return 1;
    }
    return 0;
}

int ls_tpi_find(const ls_tpi *t, const char *type_name, uint32_t *ti, ls_error *err)
{
    static const char *const prefixes[] = {"struct ", "union ", "enum ", "class "};
    if (!t || !type_name)
        return ls_error_set(err, LS_EINVAL, "TPI: no type name");
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        size_t l = strlen(prefixes[i]);
        if (strncmp(type_name, prefixes[i], l) == 0) {
            type_name += l;
            break;
        }
    }
    int rc = names_lookup(t, type_name, 0, NULL, ti, err);
    if (rc != LS_ENOTFOUND)
        return rc;
    if (type_name[0] != '_' && strlen(type_name) < 255) {
        char alt[256];
        snprintf(alt, sizeof alt, "_%s", type_name);
        rc = names_lookup(t, alt, 0, NULL, ti, err);
        if (rc != LS_ENOTFOUND)
            return rc;
    }
    if (has_forward_ref(t, type_name))
        return ls_error_set(err, LS_ENOTFOUND, "TPI: '%s' appears only as a forward reference (the PDB has "
                            "no definition of it)", type_name);
    return ls_error_set(err, LS_ENOTFOUND, "TPI: no structure, union or enum named '%s'", type_name);
}

int tpi_resolve(const ls_tpi *t, uint32_t ti, uint32_t *out, ls_error *err)
{
    uint16_t kind;
    const uint8_t *p;
    uint32_t n;
    struct tpi_udt u;
    if (ti < t->begin) {
        *out = ti;
        return 0;
    }
    int rc = tpi_record(t, ti, &kind, &p, &n, err);
    if (rc < 0)
        return rc;
    if (!tpi_is_udt_kind(kind)) {
        *out = ti;
        return 0;
    }
    if ((rc = tpi_udt_parse(t, ti, kind, p, n, &u, err)) < 0)
        return rc;
    if (!(u.props & TPI_PROP_FWDREF)) {
        *out = ti;
        return 0;
    }
    rc = names_lookup(t, u.name, udt_family(kind), u.uname, out, err);
    if (rc == LS_ENOTFOUND)
        return ls_error_set(err, LS_ENOTFOUND, "TPI: forward reference 0x%x to '%s' has no definition in this PDB",
                            ti, u.name);
    return rc;
}

int tpi_strip(const ls_tpi *t, uint32_t ti, uint32_t *out, ls_error *err)
{
    int rc = tpi_strip_mods(t, ti, &ti, err);
    return rc < 0 ? rc : tpi_resolve(t, ti, out, err);
}

int tpi_strip_mods(const ls_tpi *t, uint32_t ti, uint32_t *out, ls_error *err)
{
    for (int depth = 0; depth < TPI_MAX_DEPTH; depth++) {
        uint16_t kind = 0;          /* initialised for gcc -O2's maybe-uninitialized */
        const uint8_t *p = NULL;
        uint32_t n = 0;
        if (ti < t->begin) {
            *out = ti;
            return 0;
        }
        int rc = tpi_record(t, ti, &kind, &p, &n, err);
        if (rc < 0)
            return rc;
        if (kind == LF_MODIFIER || kind == LF_ALIAS) {
            if (n < 4)
                return ls_error_set(err, LS_ECORRUPT, "TPI: record 0x%x (kind 0x%04x) is too short", ti, kind);
            ti = ls_le32(p);
            continue;
        }
        *out = ti;
        return 0;
    }
    return ls_error_set(err, LS_ECORRUPT, "TPI: modifier/alias chain from 0x%x is longer than %d (a cycle?)",
                        ti, TPI_MAX_DEPTH);
}

/* ---- built-in types (§6.6) ---- */

struct builtin {
    uint8_t code;
    uint8_t size;
    const char *name;
};
static const struct builtin builtins[] = {
    {0x03, 0, "void"}, {0x08, 4, "HRESULT"},
    {0x10, 1, "signed char"}, {0x20, 1, "unsigned char"}, {0x70, 1, "char"},
    {0x11, 2, "short"}, {0x21, 2, "unsigned short"}, {0x12, 4, "long"}, {0x22, 4, "unsigned long"},
    {0x13, 8, "long long"}, {0x23, 8, "unsigned long long"}, {0x14, 16, "__int128 (long)"},
    {0x24, 16, "unsigned __int128 (long)"}, {0x30, 1, "bool"}, {0x31, 2, "bool16"},
    {0x32, 4, "bool32"}, {0x33, 8, "bool64"}, {0x40, 4, "float"}, {0x41, 8, "double"},
    {0x42, 10, "long double"}, {0x43, 16, "__float128"}, {0x46, 2, "_Float16"},
    {0x68, 1, "__int8"}, {0x69, 1, "unsigned __int8"}, {0x71, 2, "wchar_t"},
    {0x72, 2, "__int16"}, {0x73, 2, "unsigned __int16"}, {0x74, 4, "int"}, {0x75, 4, "unsigned int"},
    {0x76, 8, "__int64"}, {0x77, 8, "unsigned __int64"}, {0x78, 16, "__int128"},
    {0x79, 16, "unsigned __int128"}, {0x7A, 2, "char16_t"}, {0x7B, 4, "char32_t"}, {0x7C, 1, "char8_t"},
};
/* Pointer sizes by the mode in bits 8..10 (0 = not a pointer). */
static const uint8_t builtin_ptr_size[8] = {0, 2, 4, 4, 4, 6, 8, 16};

static const struct builtin *builtin_find(uint32_t ti)
{
    for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++)
        if (builtins[i].code == (ti & 0xFF))
            return &builtins[i];
    return NULL;
}

static int builtin_size(uint32_t ti, uint64_t *size, ls_error *err)
{
    unsigned mode = (ti >> 8) & 7;
    if (ti > 0xFFF)
        return ls_error_set(err, LS_ECORRUPT, "TPI: built-in type index 0x%x is malformed", ti);
    if (mode) {
        *size = builtin_ptr_size[mode];
        return 0;
    }
    const struct builtin *b = builtin_find(ti);
    if (!b)
        return ls_error_set(err, LS_EUNSUPPORTED, "TPI: unknown built-in type 0x%04x", ti);
    *size = b->size;
    return 0;
}

static uint64_t pointer_size(const ls_tpi *t, uint32_t attrs)
{
    uint32_t sz = (attrs >> 13) & 0x3F, kind = attrs & 0x1F;
    if (sz)
        return sz;
    if (kind == 0x0C)
        return 8;
    if (kind == 0x0A)
        return 4;
    return t->ptr64 ? 8 : 4;
}

static int type_size(const ls_tpi *t, uint32_t ti, int depth, uint64_t *size, ls_error *err)
{
    uint16_t kind;
    const uint8_t *p;
    uint32_t n, pos = 8;
    struct tpi_udt u;
    int rc;
    if (depth > TPI_MAX_DEPTH)
        return ls_error_set(err, LS_ECORRUPT, "TPI: type 0x%x nests deeper than %d (a cycle?)", ti, TPI_MAX_DEPTH);
    if (ti < t->begin)
        return builtin_size(ti, size, err);
    if ((rc = tpi_record(t, ti, &kind, &p, &n, err)) < 0)
        return rc;
    switch (kind) {
    case LF_MODIFIER: case LF_ALIAS: case LF_BITFIELD:
        if (n < 4)
            break;
        return type_size(t, ls_le32(p), depth + 1, size, err);
    case LF_POINTER:
        if (n < 8)
            break;
        *size = pointer_size(t, ls_le32(p + 4));
        return 0;
    case LF_ARRAY:
        if (n < 8 || tpi_numeric(p, n, &pos, size) < 0)
            break;
        return 0;
    case LF_PROCEDURE: case LF_MFUNCTION:
        return ls_error_set(err, LS_EINVAL, "TPI: type 0x%x is a function type, which has no size", ti);
    default:
        if (!tpi_is_udt_kind(kind))
            return ls_error_set(err, LS_EUNSUPPORTED, "TPI: type 0x%x has kind 0x%04x, whose size lalscan cannot compute",
                                ti, kind);
        if ((rc = tpi_resolve(t, ti, &ti, err)) < 0)
            return rc;
        if ((rc = tpi_record(t, ti, &kind, &p, &n, err)) < 0 || (rc = tpi_udt_parse(t, ti, kind, p, n, &u, err)) < 0)
            return rc;
        if (kind == LF_ENUM)
            return type_size(t, u.underlying, depth + 1, size, err);
        *size = u.size;
        return 0;
    }
    return ls_error_set(err, LS_ECORRUPT, "TPI: record 0x%x (kind 0x%04x) at offset 0x%x is too short",
                        ti, kind, t->off[ti - t->begin]);
}

int ls_tpi_type_size(const ls_tpi *t, uint32_t ti, uint64_t *size, ls_error *err)
{
    uint64_t s;
    int rc = type_size(t, ti, 0, &s, err);
    if (rc == 0)
        *size = s;
    return rc;
}

int ls_tpi_sizeof(const ls_tpi *t, const char *type_name, uint64_t *size, ls_error *err)
{
    uint32_t ti;
    if (!t || !type_name)
        return ls_error_set(err, LS_EINVAL, "TPI: no type name");
    for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++)
        if (strcmp(type_name, builtins[i].name) == 0) {
            *size = builtins[i].size;
            return 0;
        }
    int rc = ls_tpi_find(t, type_name, &ti, err);
    if (rc < 0)
        return rc;
    return ls_tpi_type_size(t, ti, size, err);
}

/* ---- C-like type names ---- */

struct sbuf {
    char *b;
    size_t cap, len;
};

static void sb_add(struct sbuf *s, const char *str)
{
    for (; *str && s->len + 1 < s->cap; str++)
        s->b[s->len++] = *str;
    s->b[s->len] = 0;
}

static int name_into(const ls_tpi *t, uint32_t ti, int depth, struct sbuf *s, ls_error *err)
{
    uint16_t kind;
    const uint8_t *p;
    uint32_t n;
    struct tpi_udt u;
    char tmp[32];
    int rc;
    if (depth > TPI_MAX_DEPTH)
        return ls_error_set(err, LS_ECORRUPT, "TPI: type 0x%x nests deeper than %d (a cycle?)", ti, TPI_MAX_DEPTH);
    if (ti < t->begin) {
        const struct builtin *b = builtin_find(ti);
        if (b) {
            sb_add(s, b->name);
        } else {
            snprintf(tmp, sizeof tmp, "<builtin 0x%x>", ti & 0xFF);
            sb_add(s, tmp);
        }
        if ((ti >> 8) & 7)
            sb_add(s, " *");
        return 0;
    }
    if ((rc = tpi_record(t, ti, &kind, &p, &n, err)) < 0)
        return rc;
    switch (kind) {
    case LF_MODIFIER: {
        if (n < 6)
            break;
        uint16_t m = ls_le16(p + 4);
        if (m & 1)
            sb_add(s, "const ");
        if (m & 2)
            sb_add(s, "volatile ");
        if (m & 4)
            sb_add(s, "__unaligned ");
        return name_into(t, ls_le32(p), depth + 1, s, err);
    }
    case LF_ALIAS: case LF_BITFIELD:
        if (n < 4)
            break;
        return name_into(t, ls_le32(p), depth + 1, s, err);
    case LF_POINTER:
        if (n < 8)
            break;
        if ((rc = name_into(t, ls_le32(p), depth + 1, s, err)) < 0)
            return rc;
        sb_add(s, " *");
        return 0;
    case LF_ARRAY: {
        /* T[a][b] is an array of a arrays of b T: collect the lengths outermost first. */
        uint64_t dims[8], total, esz;
        int nd = 0;
        uint32_t cur = ti;
        while (nd < 8) {
            uint32_t pos = 8;
            if (n < 8 || tpi_numeric(p, n, &pos, &total) < 0)
                goto short_rec;
            uint32_t elem = ls_le32(p);
            if (type_size(t, elem, depth + 1, &esz, NULL) < 0 || esz == 0)
                esz = 0;
            dims[nd++] = esz ? total / esz : 0;
            cur = elem;
            if (cur < t->begin || (rc = tpi_record(t, cur, &kind, &p, &n, err)) < 0 || kind != LF_ARRAY)
                break;
            ti = cur;
        }
        if ((rc = name_into(t, cur, depth + 1, s, err)) < 0)
            return rc;
        for (int i = 0; i < nd; i++) {
            snprintf(tmp, sizeof tmp, "[%llu]", (unsigned long long)dims[i]);
            sb_add(s, tmp);
        }
        return 0;
    }
    case LF_PROCEDURE: case LF_MFUNCTION:
        sb_add(s, "<function>");
        return 0;
    default:
        if (!tpi_is_udt_kind(kind)) {
            snprintf(tmp, sizeof tmp, "<kind 0x%04x>", kind);
            sb_add(s, tmp);
            return 0;
        }
        if ((rc = tpi_udt_parse(t, ti, kind, p, n, &u, err)) < 0)
            return rc;
        sb_add(s, u.name[0] ? u.name : "<unnamed>");
        return 0;
    }
short_rec:
    return ls_error_set(err, LS_ECORRUPT, "TPI: record 0x%x (kind 0x%04x) at offset 0x%x is too short",
                        ti, kind, t->off[ti - t->begin]);
}

int ls_tpi_type_name(const ls_tpi *t, uint32_t ti, char *buf, size_t cap, ls_error *err)
{
    if (!buf || cap == 0)
        return ls_error_set(err, LS_EINVAL, "TPI: no buffer for a type name");
    struct sbuf s = {buf, cap, 0};
    buf[0] = 0;
    return name_into(t, ti, 0, &s, err);
}

void ls_tpi_free(ls_tpi *t)
{
    if (!t)
        return;
    names_free(atomic_load(&t->names));
    free(t->off);
    free(t);
}
