/* pdb_info.c - the PDB info stream (GUID, ages, named streams, features), the /names string
 * table, and matching a PDB against an image's CodeView record. */
#include "pdb_internal.h"

#include <stdio.h>
#include <string.h>

#define FEATURE_VC110 20091201u
#define FEATURE_VC140 20140508u
#define FEATURE_MINIMAL 0x494E494Du

int pdb_load_info(ls_pdb *p, ls_error *err)
{
    if (p->info_state == 1)
        return 0;
    const uint8_t *d;
    size_t n;
    int rc = ls_msf_stream_bytes(p, LS_PDB_STREAM_INFO, &d, &n, err);
    if (rc)
        return ls_error_prefix(err, "info stream");
    if (n < 0x1C)
        return ls_error_set(err, LS_ETRUNCATED, "%s: info stream: %zu bytes, header needs 28",
                            p->name, n);
    p->info_version = ls_le32(d);
    p->info_signature = ls_le32(d + 4);
    p->info_age = ls_le32(d + 8);
    memcpy(p->guid, d + 12, 16);
    size_t at = 0x1C;
    /* Named stream map: string buffer, hash table header, two bit vectors, pairs. */
    if (!ls_in_bounds(at, 4, n))
        goto trunc;
    uint32_t sl = ls_le32(d + at);
    at += 4;
    if (!ls_in_bounds(at, sl, n))
        goto trunc;
    p->nsm_strings = d + at;
    p->nsm_strings_len = sl;
    at += sl;
    if (!ls_in_bounds(at, 8, n))
        goto trunc;
    uint32_t count = ls_le32(d + at);
    at += 8;
    for (int v = 0; v < 2; v++) {
        if (!ls_in_bounds(at, 4, n))
            goto trunc;
        uint32_t words = ls_le32(d + at);
        at += 4;
        if (!ls_in_bounds(at, (uint64_t)words * 4, n))
            goto trunc;
        at += (size_t)words * 4;
    }
    if (!ls_in_bounds(at, (uint64_t)count * 8, n))
        goto trunc;
    p->nsm_pairs = d + at;
    p->nsm_count = count;
    at += (size_t)count * 8;
    /* Obsolete name-index count, then feature codes to the end of the stream. */
    if (ls_in_bounds(at, 4, n))
        at += 4;
    for (; at + 4 <= n; at += 4) {
        uint32_t f = ls_le32(d + at);
        if (f == FEATURE_VC110 || f == FEATURE_VC140)
            p->has_ipi = 1;
        else if (f == FEATURE_MINIMAL)
            p->minimal_debug = 1;
    }
    p->info_state = 1;
    return 0;
trunc:
    return ls_error_set(err, LS_ETRUNCATED,
                        "%s: info stream: named stream map truncated at offset 0x%zx (stream is 0x%zx bytes)",
                        p->name, at, n);
}

int ls_pdb_named_stream(ls_pdb *p, const char *name, uint32_t *stream, ls_error *err)
{
    int rc = pdb_load_info(p, err);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < p->nsm_count; i++) {
        uint32_t key = ls_le32(p->nsm_pairs + (size_t)i * 8);
        uint32_t val = ls_le32(p->nsm_pairs + (size_t)i * 8 + 4);
        const char *s = pdb_rec_name(p->nsm_strings, p->nsm_strings_len, key);
        if (s && strcmp(s, name) == 0) {
            if (val >= p->nstreams)
                return ls_error_set(err, LS_ECORRUPT,
                                    "%s: info stream: named stream \"%s\" is stream %u of %u",
                                    p->name, name, val, p->nstreams);
            *stream = val;
            return 0;
        }
    }
    return ls_error_set(err, LS_ENOTFOUND, "%s: no named stream \"%s\"", p->name, name);
}

int ls_pdb_ipi_stream(ls_pdb *p, uint32_t *stream, ls_error *err)
{
    int rc = pdb_load_info(p, err);
    if (rc)
        return rc;
    if (!p->has_ipi || p->nstreams <= LS_PDB_STREAM_IPI || p->streams[LS_PDB_STREAM_IPI].nil)
        return ls_error_set(err, LS_ENOTFOUND, "%s: no IPI stream", p->name);
    *stream = LS_PDB_STREAM_IPI;
    return 0;
}

int pdb_load_names(ls_pdb *p, ls_error *err)
{
    if (p->names_state == 1)
        return 0;
    if (p->names_state == -1)
        return ls_error_set(err, LS_ENOTFOUND, "%s: no usable /names stream", p->name);
    uint32_t s;
    const uint8_t *d;
    size_t n;
    p->names_state = -1;
    int rc = ls_pdb_named_stream(p, "/names", &s, err);
    if (rc)
        return rc;
    rc = ls_msf_stream_bytes(p, s, &d, &n, err);
    if (rc)
        return rc;
    if (n < 12 || ls_le32(d) != 0xEFFEEFFEu)
        return ls_error_set(err, LS_ECORRUPT, "%s: /names (stream %u): bad header", p->name, s);
    uint32_t b = ls_le32(d + 8);
    if (!ls_in_bounds(12, b, n))
        return ls_error_set(err, LS_ETRUNCATED,
                            "%s: /names (stream %u): buffer of 0x%x bytes runs past the stream (0x%zx)",
                            p->name, s, b, n);
    p->names = d + 12;
    p->names_len = b;
    p->names_state = 1;
    return 0;
}

const char *ls_pdb_names_string(ls_pdb *p, uint32_t off)
{
    if (pdb_load_names(p, NULL))
        return NULL;
    return pdb_rec_name(p->names, p->names_len, off);
}

void ls_pdb_guid_string(char out[37], const uint8_t g[16])
{
    snprintf(out, 37, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", ls_le32(g),
             ls_le16(g + 4), ls_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14],
             g[15]);
}

int ls_pdb_get_ident(ls_pdb *p, ls_pdb_ident *out, ls_error *err)
{
    int rc = pdb_load_info(p, err);
    if (rc)
        return rc;
    ls_pdb_ident id;
    memset(&id, 0, sizeof id);
    memcpy(id.guid, p->guid, 16);
    id.signature = p->info_signature;
    id.info_age = p->info_age;
    id.version = p->info_version;
    id.block_size = p->bs;
    id.nblocks = p->nblocks;
    id.nstreams = p->nstreams;
    id.has_ipi = p->has_ipi;
    /* A PDB without a usable DBI still has an identity; its DBI age reads as 0. */
    if (pdb_load_dbi(p, NULL) == 0) {
        id.dbi_age = p->dbi_age;
        id.machine = p->machine;
        id.nmodules = p->nmods;
    }
    *out = id;
    return 0;
}

int ls_pdb_match(ls_pdb *p, const ls_codeview *cv, ls_error *err)
{
    ls_pdb_ident id;
    int rc = ls_pdb_get_ident(p, &id, err);
    if (rc)
        return rc;
    if (cv->kind == LS_CV_NB10) {
        if (cv->signature != id.signature)
            return ls_error_set(err, LS_EMISMATCH,
                                "%s: PDB signature %08X age %u (DBI age %u) does not match the image's NB10 signature %08X age %u",
                                p->name, id.signature, id.info_age, id.dbi_age, cv->signature,
                                cv->age);
        return 0;
    }
    if (cv->kind != LS_CV_RSDS)
        return ls_error_set(err, LS_EINVAL, "%s: the image has no CodeView record to match",
                            p->name);
    char pg[37], ig[37];
    ls_pdb_guid_string(pg, id.guid);
    ls_pdb_guid_string(ig, cv->guid);
    int guid_ok = memcmp(id.guid, cv->guid, 16) == 0;
    /* DBI age is what the linker wrote with the image; 0 only in very old PDBs. */
    int age_ok = id.dbi_age ? id.dbi_age == cv->age : id.info_age >= cv->age;
    if (!guid_ok || !age_ok)
        return ls_error_set(err, LS_EMISMATCH,
                            "%s: PDB {%s} age %u (info-stream age %u) does not match the image's {%s} age %u (%s)",
                            p->name, pg, id.dbi_age, id.info_age, ig, cv->age,
                            guid_ok ? "ages differ" : "GUIDs differ");
    return 0;
}

uint32_t ls_pdb_hash_name(const void *bytes, size_t len, uint32_t mod)
{
    const uint8_t *b = bytes;
    uint32_t h = 0;
    size_t i = 0;
    for (; i + 4 <= len; i += 4)
        h ^= ls_le32(b + i);
    if (len - i >= 2) {
        h ^= ls_le16(b + i);
        i += 2;
    }
    if (i < len)
        h ^= b[i];
    h |= 0x20202020u;
    h ^= h >> 11;
    h ^= h >> 16;
    return mod ? h % mod : h;
}
