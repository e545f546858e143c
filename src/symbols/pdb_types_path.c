/* pdb_types_path.c - walks field lists of TPI structures: resolves a member path such as
 * "Links[1].Next" to an offset, size and bitfield position, and lists a structure's members. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdb_types_int.h"

static int field_corrupt(const ls_tpi *t, uint32_t list, uint32_t pos, const char *what, ls_error *err)
{
    return ls_error_set(err, LS_ECORRUPT, "TPI: field list 0x%x at offset 0x%x: %s at byte 0x%x",
                        list, t->off[list - t->begin], what, pos);
}

int tpi_field_next(const ls_tpi *t, uint32_t list, const uint8_t *p, uint32_t n, uint32_t *pos,
                   struct tpi_field *f, ls_error *err)
{
    uint32_t q = *pos;
    /* Padding between members: 0xF1..0xFF, the low nibble counting the bytes to skip. */
    while (q < n && p[q] >= 0xF0)
        q += (p[q] & 0x0F) ? (p[q] & 0x0F) : 1u;
    if (q >= n) {
        *pos = n;
        return 0;
    }
    if (n - q < 4)
        return field_corrupt(t, list, q, "member truncated", err);
    memset(f, 0, sizeof *f);
    f->kind = ls_le16(p + q);
    f->attr = ls_le16(p + q + 2);
    f->name = "";
    uint32_t start = q;
    uint64_t ignored;
    q += 4;
    switch (f->kind) {
    case LF_MEMBER: case LF_BCLASS:
        if (n - q < 4)
            return field_corrupt(t, list, start, "member truncated", err);
        f->type = ls_le32(p + q);
        q += 4;
        if (tpi_numeric(p, n, &q, &f->offset) < 0)
            return field_corrupt(t, list, start, "bad offset leaf", err);
        break;
    case LF_VBCLASS: case LF_IVBCLASS:
        if (n - q < 8)
            return field_corrupt(t, list, start, "member truncated", err);
        f->type = ls_le32(p + q);
        q += 8;
        if (tpi_numeric(p, n, &q, &ignored) < 0 || tpi_numeric(p, n, &q, &ignored) < 0)
            return field_corrupt(t, list, start, "bad virtual base leaf", err);
        break;
    case LF_ENUMERATE:
        if (tpi_numeric(p, n, &q, &f->offset) < 0)
            return field_corrupt(t, list, start, "bad enumerator value", err);
        break;
    case LF_INDEX: case LF_VFUNCTAB: case LF_FRIENDCLS:
        if (n - q < 4)
            return field_corrupt(t, list, start, "member truncated", err);
        f->type = ls_le32(p + q);
        q += 4;
        break;
    case LF_VFUNCOFF:
        if (n - q < 8)
            return field_corrupt(t, list, start, "member truncated", err);
        f->type = ls_le32(p + q);
        q += 8;
        break;
    case LF_STMEMBER: case LF_METHOD: case LF_NESTTYPE: case LF_FRIENDFCN: case LF_NESTTYPEEX:
        if (n - q < 4)
            return field_corrupt(t, list, start, "member truncated", err);
        f->type = ls_le32(p + q);
        q += 4;
        break;
    case LF_ONEMETHOD: {
        unsigned mprop = (f->attr >> 2) & 7;
        if (n - q < 4)
            return field_corrupt(t, list, start, "member truncated", err);
        f->type = ls_le32(p + q);
        q += 4;
        if (mprop == 4 || mprop == 6) {
            if (n - q < 4)
                return field_corrupt(t, list, start, "member truncated", err);
            q += 4;
        }
        break;
    }
    default: {
        char what[64];
        snprintf(what, sizeof what, "unknown member kind 0x%04x", f->kind);
        return ls_error_set(err, LS_EUNSUPPORTED, "TPI: field list 0x%x at offset 0x%x: %s at byte 0x%x",
                            list, t->off[list - t->begin], what, start);
    }
    }
    switch (f->kind) {
    case LF_MEMBER: case LF_ENUMERATE: case LF_STMEMBER: case LF_METHOD: case LF_NESTTYPE:
    case LF_FRIENDFCN: case LF_NESTTYPEEX: case LF_ONEMETHOD: {
        const uint8_t *z = q <= n ? memchr(p + q, 0, n - q) : NULL;
        if (!z)
            return field_corrupt(t, list, start, "member name not terminated", err);
        f->name = (const char *)(p + q);
        q = (uint32_t)(z - p) + 1;
        break;
    }
    default:
        break;
    }
    *pos = q;
    return 1;
}

/* The field list of a struct/union definition (ti already stripped). */
static int udt_fields(const ls_tpi *t, uint32_t ti, uint32_t *list, uint64_t *size, ls_error *err)
{
    uint16_t kind;
    const uint8_t *p;
    uint32_t n;
    struct tpi_udt u;
    int rc;
    if (ti < t->begin)
        return ls_error_set(err, LS_EINVAL, "TPI: type 0x%x is a built-in type, not a structure", ti);
    if ((rc = tpi_record(t, ti, &kind, &p, &n, err)) < 0)
        return rc;
    if (!tpi_is_udt_kind(kind) || kind == LF_ENUM)
        return ls_error_set(err, LS_EINVAL, "TPI: type 0x%x (kind 0x%04x) is not a structure or union", ti, kind);
    if ((rc = tpi_udt_parse(t, ti, kind, p, n, &u, err)) < 0)
        return rc;
    if (!u.fields)
        return ls_error_set(err, LS_ENOTFOUND, "TPI: '%s' (0x%x) has no field list", u.name, ti);
    if (size)
        *size = u.size;
    *list = u.fields;
    return 0;
}

/* Opens field list `list` for walking (checks it is one). */
static int list_open(const ls_tpi *t, uint32_t list, const uint8_t **p, uint32_t *n, ls_error *err)
{
    uint16_t kind;
    int rc = tpi_record(t, list, &kind, p, n, err);
    if (rc < 0)
        return rc;
    if (kind != LF_FIELDLIST)
        return ls_error_set(err, LS_ECORRUPT, "TPI: type 0x%x is used as a field list but has kind 0x%04x", list, kind);
    return 0;
}

/* Looks for member `name` in struct/union `ti`, also inside unnamed members and base classes.
 * 1 found (type, offset relative to ti), 0 not there, < 0 error. */
static int find_field(const ls_tpi *t, uint32_t ti, const char *name, size_t nlen, int depth, uint32_t *budget,
                      uint32_t *type, uint64_t *offset, ls_error *err)
{
    uint32_t list, n, pos = 0, hops = 0, count = t->end - t->begin;
    const uint8_t *p;
    int rc;
    if (depth > TPI_MAX_DEPTH)
        return ls_error_set(err, LS_ECORRUPT, "TPI: structure 0x%x nests deeper than %d (a cycle?)", ti, TPI_MAX_DEPTH);
    if ((rc = udt_fields(t, ti, &list, NULL, err)) < 0 || (rc = list_open(t, list, &p, &n, err)) < 0)
        return rc;
    for (;;) {
        struct tpi_field f;
        /* Unnamed members and bases are searched recursively; a crafted type whose unnamed members
         * are itself would otherwise branch exponentially. */
        if (*budget == 0)
            return ls_error_set(err, LS_ECORRUPT, "TPI: searching '%.*s' in 0x%x visits too many nested members "
                                "(a cycle?)", (int)nlen, name, ti);
        --*budget;
        rc = tpi_field_next(t, list, p, n, &pos, &f, err);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return 0;
        int nested = (f.kind == LF_MEMBER && f.name[0] == 0) || f.kind == LF_BCLASS;
        if (f.kind == LF_INDEX) {
            if (++hops > count)
                return ls_error_set(err, LS_ECORRUPT, "TPI: field list of 0x%x continues in a cycle", ti);
            list = f.type;
            pos = 0;
            if ((rc = list_open(t, list, &p, &n, err)) < 0)
                return rc;
        } else if (f.kind == LF_MEMBER && strlen(f.name) == nlen && memcmp(f.name, name, nlen) == 0) {
            *type = f.type;
            *offset = f.offset;
            return 1;
        } else if (f.kind == LF_STMEMBER && strlen(f.name) == nlen && memcmp(f.name, name, nlen) == 0) {
            return ls_error_set(err, LS_EINVAL, "TPI: '%.*s' is a static member: it has no offset", (int)nlen, name);
        } else if (nested) {
            uint32_t inner;
            uint64_t off;
            if (tpi_strip(t, f.type, &inner, NULL) < 0 || inner < t->begin)
                continue;
            rc = find_field(t, inner, name, nlen, depth + 1, budget, type, &off, NULL);
            if (rc == 1) {
                *offset = f.offset + off;
                return 1;
            }
            if (*budget == 0)
                return ls_error_set(err, LS_ECORRUPT, "TPI: searching '%.*s' in 0x%x visits too many nested "
                                    "members (a cycle?)", (int)nlen, name, ti);
        }
    }
}

static const char *udt_name_of(const ls_tpi *t, uint32_t ti)
{
    uint16_t kind;
    const uint8_t *p;
    uint32_t n;
    struct tpi_udt u;
    if (ti >= t->begin && tpi_record(t, ti, &kind, &p, &n, NULL) == 0 && tpi_is_udt_kind(kind) &&
        tpi_udt_parse(t, ti, kind, p, n, &u, NULL) == 0)
        return u.name;
    return "?";
}

/* Kind of a stripped type index: LF_* for records, 0 for a built-in value, LF_POINTER for a
 * built-in pointer. */
static int kind_of(const ls_tpi *t, uint32_t ti, uint16_t *kind, ls_error *err)
{
    const uint8_t *p;
    uint32_t n;
    if (ti < t->begin) {
        *kind = ((ti >> 8) & 7) ? LF_POINTER : 0;
        return 0;
    }
    return tpi_record(t, ti, kind, &p, &n, err);
}

static int parse_index(const char **s, uint64_t *v)
{
    const char *q = *s;
    int base = 10;
    uint64_t x = 0;
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
        base = 16;
        q += 2;
    }
    const char *digits = q;
    for (; *q && *q != ']'; q++) {
        int d;
        if (isdigit((unsigned char)*q))
            d = *q - '0';
        else if (base == 16 && isxdigit((unsigned char)*q))
            d = (tolower((unsigned char)*q) - 'a') + 10;
        else
            return -1;
        if (x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return -1;
        x = x * (uint64_t)base + (uint64_t)d;
    }
    if (*q != ']' || q == digits)
        return -1;
    *s = q + 1;
    *v = x;
    return 0;
}

/* Fills size, bitfield and type name of `type` found at `offset`. */
static int describe(const ls_tpi *t, uint32_t type, uint64_t offset, ls_type_member *m, ls_error *err)
{
    uint32_t st;
    uint16_t kind;
    int rc;
    memset(m, 0, sizeof *m);
    m->offset = offset;
    m->type_index = type;
    if ((rc = tpi_strip_mods(t, type, &st, err)) < 0 || (rc = kind_of(t, st, &kind, err)) < 0)
        return rc;
    if (kind == LF_BITFIELD) {
        const uint8_t *p;
        uint32_t n;
        tpi_record(t, st, &kind, &p, &n, NULL);
        if (n < 6)
            return ls_error_set(err, LS_ECORRUPT, "TPI: bitfield record 0x%x is too short", st);
        m->bit_width = p[4];
        m->bit_position = p[5];
        if ((rc = ls_tpi_type_size(t, ls_le32(p), &m->size, err)) < 0)
            return rc;
        if (m->bit_width == 0 || (uint64_t)m->bit_position + m->bit_width > m->size * 8)
            return ls_error_set(err, LS_ECORRUPT, "TPI: bitfield record 0x%x: bits %u..%u do not fit its %llu-byte unit",
                                st, m->bit_position, m->bit_position + m->bit_width,
                                (unsigned long long)m->size);
    } else if (ls_tpi_type_size(t, st, &m->size, NULL) == LS_ENOTFOUND) {
        /* A forward reference without a definition in this PDB (a type the PDB only saw through
         * pointers, e.g. _NT_TIB in a driver PDB): the offset is still right, the size unknown. */
        m->size = 0;
    } else if ((rc = ls_tpi_type_size(t, st, &m->size, err)) < 0) {
        return rc;
    }
    return ls_tpi_type_name(t, type, m->type_name, sizeof m->type_name, err);
}

static int path_walk(const ls_tpi *t, uint32_t ti, const char *path, ls_type_member *out, ls_error *err)
{
    const char *s = path;
    uint32_t cur = ti, st;
    uint64_t off = 0;
    uint16_t kind;
    int rc;
    char last[128] = "";
    if (!*s)
        return ls_error_set(err, LS_EINVAL, "empty member path");
    for (;;) {
        size_t nlen = strcspn(s, ".[-");
        if (nlen == 0)
            return ls_error_set(err, LS_EINVAL, "member path '%s': expected a member name at '%s'", path, s);
        if ((rc = tpi_strip(t, cur, &st, err)) < 0 || (rc = kind_of(t, st, &kind, err)) < 0)
            return rc;
        int before = s > path ? (int)(s - path - 1) : 0; /* the path up to the '.' just passed */
        if (kind == LF_POINTER) {
            char tn[128];
            if (ls_tpi_type_name(t, cur, tn, sizeof tn, NULL) < 0)
                snprintf(tn, sizeof tn, "type 0x%x", cur);
            return ls_error_set(err, LS_EINVAL, "member path '%s': '%.*s' is a pointer (%s); the path cannot go "
                                "through it (read the pointer, then look up the pointed-to type)",
                                path, before, before ? path : "the type", tn);
        }
        if (kind == LF_BITFIELD)
            return ls_error_set(err, LS_EINVAL, "member path '%s': '%.*s' is a bitfield", path, before, path);
        uint32_t mtype;
        uint64_t moff;
        uint32_t budget = TPI_FIND_BUDGET;
        rc = find_field(t, st, s, nlen, 0, &budget, &mtype, &moff, err);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return ls_error_set(err, LS_ENOTFOUND, "member path '%s': '%s' has no member '%.*s'", path,
                                udt_name_of(t, st), (int)nlen, s);
        snprintf(last, sizeof last, "%.*s", (int)nlen, s);
        if (moff > UINT64_MAX - off)
            return ls_error_set(err, LS_ECORRUPT, "member path '%s': offset overflows", path);
        off += moff;
        cur = mtype;
        s += nlen;
        while (*s == '[') {
            uint64_t idx, total, esz, cnt;
            const uint8_t *p;
            uint32_t n, pos = 8;
            const char *open = s;
            s++;
            if (parse_index(&s, &idx) < 0)
                return ls_error_set(err, LS_EINVAL, "member path '%s': bad array index at '%s'", path, open);
            if ((rc = tpi_strip(t, cur, &st, err)) < 0 || (rc = kind_of(t, st, &kind, err)) < 0)
                return rc;
            if (kind != LF_ARRAY)
                return ls_error_set(err, LS_EINVAL, "member path '%s': '%.*s' is not an array", path,
                                    (int)(open - path), path);
            tpi_record(t, st, &kind, &p, &n, NULL);
            if (n < 8 || tpi_numeric(p, n, &pos, &total) < 0)
                return ls_error_set(err, LS_ECORRUPT, "TPI: array record 0x%x is malformed", st);
            if ((rc = ls_tpi_type_size(t, ls_le32(p), &esz, err)) < 0)
                return rc;
            cnt = esz ? total / esz : 0;
            if (idx >= cnt)
                return ls_error_set(err, LS_EINVAL, "member path '%s': index %llu is past the end of '%.*s' (%llu elements)",
                                    path, (unsigned long long)idx, (int)(open - path), path,
                                    (unsigned long long)cnt);
            /* idx < total / esz, so idx * esz < total: no overflow. */
            if (idx * esz > UINT64_MAX - off)
                return ls_error_set(err, LS_ECORRUPT, "member path '%s': offset overflows", path);
            off += idx * esz;
            cur = ls_le32(p);
        }
        if (*s == 0)
            break;
        if (s[0] == '-' && s[1] == '>')
            return ls_error_set(err, LS_EINVAL, "member path '%s': '->' goes through a pointer, which a layout cannot", path);
        if (*s != '.')
            return ls_error_set(err, LS_EINVAL, "member path '%s': unexpected '%c'", path, *s);
        s++;
    }
    ls_type_member m;
    if ((rc = describe(t, cur, off, &m, err)) < 0)
        return rc;
    snprintf(m.name, sizeof m.name, "%s", last);
    *out = m;
    return 0;
}

int ls_tpi_member(const ls_tpi *t, const char *type_name, const char *member_path, ls_type_member *out,
                  ls_error *err)
{
    uint32_t ti;
    int rc;
    if (!t || !type_name || !member_path || !out)
        return ls_error_set(err, LS_EINVAL, "ls_tpi_member: missing argument");
    if ((rc = ls_tpi_find(t, type_name, &ti, err)) < 0)
        return rc;
    if ((rc = path_walk(t, ti, member_path, out, err)) < 0) {
        ls_error_prefix(err, "%s", type_name);
        return rc;
    }
    return 0;
}

int ls_tpi_member_ti(const ls_tpi *t, uint32_t ti, const char *member_path, ls_type_member *out,
                     ls_error *err)
{
    int rc;
    if (!t || !member_path || !out)
        return ls_error_set(err, LS_EINVAL, "ls_tpi_member_ti: missing argument");
    if ((rc = path_walk(t, ti, member_path, out, err)) < 0) {
        ls_error_prefix(err, "type 0x%x", ti);
        return rc;
    }
    return 0;
}

/* ---- member listing ---- */

int ls_tpi_members_begin_ti(const ls_tpi *t, uint32_t ti, ls_tpi_iter *it, ls_error *err)
{
    uint32_t st, list;
    const uint8_t *p;
    uint32_t n;
    int rc;
    if ((rc = tpi_strip(t, ti, &st, err)) < 0 || (rc = udt_fields(t, st, &list, NULL, err)) < 0 ||
        (rc = list_open(t, list, &p, &n, err)) < 0)
        return rc;
    memset(it, 0, sizeof *it);
    it->t = t;
    it->owner = st;
    it->list = list;
    return 0;
}

int ls_tpi_members_begin(const ls_tpi *t, const char *type_name, ls_tpi_iter *it, ls_error *err)
{
    uint32_t ti;
    int rc;
    if (!t || !type_name || !it)
        return ls_error_set(err, LS_EINVAL, "ls_tpi_members_begin: missing argument");
    if ((rc = ls_tpi_find(t, type_name, &ti, err)) < 0)
        return rc;
    return ls_tpi_members_begin_ti(t, ti, it, err);
}

int ls_tpi_members_next(ls_tpi_iter *it, ls_type_member *out, ls_error *err)
{
    const ls_tpi *t = it->t;
    if (it->done)
        return 0;
    for (;;) {
        const uint8_t *p;
        uint32_t n;
        struct tpi_field f;
        int rc = list_open(t, it->list, &p, &n, err);
        if (rc == 0)
            rc = tpi_field_next(t, it->list, p, n, &it->pos, &f, err);
        if (rc <= 0) {
            it->done = 1;
            return rc;
        }
        if (f.kind == LF_INDEX) {
            if (++it->hops > t->end - t->begin) {
                it->done = 1;
                return ls_error_set(err, LS_ECORRUPT, "TPI: field list of 0x%x continues in a cycle", it->owner);
            }
            it->list = f.type;
            it->pos = 0;
            continue;
        }
        if (f.kind != LF_MEMBER && f.kind != LF_BCLASS)
            continue;
        ls_type_member m;
        if ((rc = describe(t, f.type, f.offset, &m, err)) < 0) {
            it->done = 1;
            return rc;
        }
        snprintf(m.name, sizeof m.name, "%s", f.kind == LF_BCLASS ? "<base>" : f.name);
        *out = m;
        return 1;
    }
}
