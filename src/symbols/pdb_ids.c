/* pdb_ids.c - names of inlined functions: IPI LF_FUNC_ID / LF_MFUNC_ID records reached by id,
 * including MSVC cross-scope ids resolved through the modules' import and export tables. */
#include "pdb_internal.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define LF_FUNC_ID 0x1601
#define LF_MFUNC_ID 0x1602
#define TYPE_HDR_MIN 0x38

static int build_index(ls_pdb *p, int ipi, pdb_typeidx *t)
{
    uint32_t s = LS_PDB_STREAM_TPI;
    t->state = -1;
    if (ipi && ls_pdb_ipi_stream(p, &s, NULL))
        return -1;
    if (ls_msf_stream_bytes(p, s, &t->data, &t->len, NULL) || t->len < TYPE_HDR_MIN)
        return -1;
    uint32_t hsz = ls_le32(t->data + 4), first = ls_le32(t->data + 8), end = ls_le32(t->data + 12);
    uint32_t bytes = ls_le32(t->data + 16);
    if (hsz < TYPE_HDR_MIN || !ls_in_bounds(hsz, bytes, t->len) || end < first)
        return -1;
    uint64_t cnt = end - first;
    if (cnt > bytes / 4)
        cnt = bytes / 4;   /* every record needs at least 4 bytes */
    t->off = malloc((cnt ? cnt : 1) * sizeof *t->off);
    t->names = calloc(cnt ? cnt : 1, sizeof *t->names);
    if (!t->off || !t->names)
        return -1;
    size_t at = hsz, stop = (size_t)hsz + bytes, i = 0;
    while (i < cnt && at + 4 <= stop) {
        size_t len = (size_t)ls_le16(t->data + at) + 2;
        if (len < 4 || !ls_in_bounds(at, len, stop))
            break;
        t->off[i++] = (uint32_t)at;
        at += len;
    }
    t->first = first;
    t->end = first + (uint32_t)i;
    t->state = 1;
    return 0;
}

int pdb_type_record(ls_pdb *p, int ipi, uint32_t index, const uint8_t **rec, size_t *len)
{
    pdb_typeidx *t = ipi ? &p->ipi : &p->tpi;
    if (t->state == 0 && build_index(p, ipi, t))
        return -1;
    if (t->state != 1 || index < t->first || index >= t->end)
        return -1;
    const uint8_t *r = t->data + t->off[index - t->first];
    *rec = r;
    *len = (size_t)ls_le16(r) + 2;
    return 0;
}

/* Size of a numeric leaf at r (spec §6.3), 0 if unknown. */
static size_t numeric_size(const uint8_t *r, size_t avail)
{
    if (avail < 2)
        return 0;
    uint16_t v = ls_le16(r);
    if (v < 0x8000)
        return 2;
    static const uint8_t sz[] = {1, 2, 2, 4, 4, 4, 8, 10, 16, 8, 8};
    if (v <= 0x800A)
        return 2 + (size_t)sz[v - 0x8000];
    return 0;
}

static const char *udt_name(ls_pdb *p, uint32_t ti)
{
    const uint8_t *r;
    size_t len, at;
    if (pdb_type_record(p, 0, ti, &r, &len))
        return NULL;
    switch (ls_le16(r + 2)) {
    case 0x1504: case 0x1505: case 0x1519:
        at = 0x14;
        break;
    case 0x1506:
        at = 0x0C;
        break;
    case 0x1507:
        return pdb_rec_name(r, len, 0x10);
    default:
        return NULL;
    }
    if (at >= len)
        return NULL;
    size_t ns = numeric_size(r + at, len - at);
    return ns ? pdb_rec_name(r, len, at + ns) : NULL;
}

/* Global IPI id for a cross-scope id used in module m, or 0. */
static uint32_t resolve_cross_scope(ls_pdb *p, const pdb_module *m, uint32_t id)
{
    uint32_t scope = (id >> 20) & 0x7FF, index = id & 0xFFFFF;
    size_t at = 0;
    const char *modname = NULL;
    uint32_t ref = 0;
    for (uint32_t j = 0; at + 8 <= m->imports_len; j++) {
        uint32_t cnt = ls_le32(m->imports + at + 4);
        if (!ls_in_bounds(at + 8, (uint64_t)cnt * 4, m->imports_len))
            return 0;
        if (j == scope) {
            if (index >= cnt)
                return 0;
            modname = ls_pdb_names_string(p, ls_le32(m->imports + at));
            ref = ls_le32(m->imports + at + 8 + (size_t)index * 4);
            break;
        }
        at += 8 + (size_t)cnt * 4;
    }
    if (!modname)
        return 0;
    for (size_t i = 0; i < p->nmods; i++) {
        pdb_module *o = &p->mods[i];
        if (strcasecmp(o->name, modname) != 0 && strcasecmp(o->obj, modname) != 0)
            continue;
        if (pdb_load_module(p, i, NULL))
            continue;
        for (size_t e = 0; e + 8 <= o->exports_len; e += 8)
            if (ls_le32(o->exports + e) == ref)
                return ls_le32(o->exports + e + 4);
    }
    return 0;
}

const char *pdb_id_name(ls_pdb *p, const pdb_module *m, uint32_t id)
{
    if (id & 0x80000000u) {
        id = resolve_cross_scope(p, m, id);
        if (!id || (id & 0x80000000u))
            return NULL;
    }
    const uint8_t *r;
    size_t len;
    if (pdb_type_record(p, 1, id, &r, &len) || len < 0x0D)
        return NULL;
    uint16_t kind = ls_le16(r + 2);
    if (kind == LF_FUNC_ID)
        return pdb_rec_name(r, len, 0x0C);
    if (kind != LF_MFUNC_ID)
        return NULL;
    const char *fn = pdb_rec_name(r, len, 0x0C);
    const char **slot = &p->ipi.names[id - p->ipi.first];
    if (*slot || !fn)
        return *slot ? *slot : fn;
    const char *cls = udt_name(p, ls_le32(r + 4));
    if (!cls)
        return fn;
    size_t n = strlen(cls) + strlen(fn) + 3;
    char *s = malloc(n);
    if (!s)
        return fn;
    snprintf(s, n, "%s::%s", cls, fn);
    *slot = pdb_keep_string(p, s);
    return *slot ? *slot : fn;
}
