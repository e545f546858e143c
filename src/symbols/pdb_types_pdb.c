/* pdb_types_pdb.c - the public face of TPI type reading: opens the TPI stream (stream 2) of an
 * ls_pdb and answers member offsets, type sizes and member listings with the PDB's name in errors. */
#include <stdlib.h>

#include "pdb_internal.h"
#include "pdb_types.h"

struct ls_pdb_types {
    ls_tpi *tpi;
    const char *name;   /* the PDB's display name, owned by the ls_pdb */
};

/* 64-bit pointers when the DBI says the image is x64 or ARM64; only pointer records that omit
 * their size depend on it, so a missing DBI is not an error here. */
static int pdb_is_64(ls_pdb *pdb)
{
    ls_error ignored;
    if (pdb_load_dbi(pdb, &ignored) < 0)
        return 0;
    return pdb->machine == 0x8664 || pdb->machine == 0xAA64 || pdb->machine == 0x200;
}

int ls_pdb_types_open(ls_pdb *pdb, ls_pdb_types **out, ls_error *err)
{
    const uint8_t *data;
    size_t len;
    if (!pdb || !out)
        return ls_error_set(err, LS_EINVAL, "ls_pdb_types_open: missing argument");
    const char *name = ls_pdb_display_name(pdb);
    int rc = ls_msf_stream_bytes(pdb, LS_PDB_STREAM_TPI, &data, &len, err);
    if (rc < 0) {
        ls_error_prefix(err, "%s: TPI stream 2", name);
        return rc;
    }
    ls_pdb_types *ty = calloc(1, sizeof *ty);
    if (!ty)
        return ls_error_oom(err);
    rc = ls_tpi_open(data, len, pdb_is_64(pdb), &ty->tpi, err);
    if (rc < 0) {
        free(ty);
        ls_error_prefix(err, "%s", name);
        return rc;
    }
    ty->name = name;
    *out = ty;
    return 0;
}

void ls_pdb_types_free(ls_pdb_types *ty)
{
    if (!ty)
        return;
    ls_tpi_free(ty->tpi);
    free(ty);
}

int ls_pdb_types_member(const ls_pdb_types *ty, const char *type, const char *path, ls_type_member *out,
                        ls_error *err)
{
    if (!ty)
        return ls_error_set(err, LS_EINVAL, "ls_pdb_types_member: no types");
    int rc = ls_tpi_member(ty->tpi, type, path, out, err);
    if (rc < 0)
        ls_error_prefix(err, "%s", ty->name);
    return rc;
}

int ls_pdb_types_member_ti(const ls_pdb_types *ty, uint32_t type_index, const char *path,
                           ls_type_member *out, ls_error *err)
{
    if (!ty)
        return ls_error_set(err, LS_EINVAL, "ls_pdb_types_member_ti: no types");
    int rc = ls_tpi_member_ti(ty->tpi, type_index, path, out, err);
    if (rc < 0)
        ls_error_prefix(err, "%s", ty->name);
    return rc;
}

int ls_pdb_types_size(const ls_pdb_types *ty, const char *type, uint64_t *size, ls_error *err)
{
    if (!ty)
        return ls_error_set(err, LS_EINVAL, "ls_pdb_types_size: no types");
    int rc = ls_tpi_sizeof(ty->tpi, type, size, err);
    if (rc < 0)
        ls_error_prefix(err, "%s", ty->name);
    return rc;
}

int ls_pdb_types_members(const ls_pdb_types *ty, const char *type, ls_type_member_fn fn, void *ctx,
                         ls_error *err)
{
    ls_tpi_iter it;
    ls_type_member m;
    int rc;
    if (!ty || !fn)
        return ls_error_set(err, LS_EINVAL, "ls_pdb_types_members: missing argument");
    if ((rc = ls_tpi_members_begin(ty->tpi, type, &it, err)) < 0) {
        ls_error_prefix(err, "%s", ty->name);
        return rc;
    }
    while ((rc = ls_tpi_members_next(&it, &m, err)) == 1) {
        int stop = fn(ctx, &m);
        if (stop)
            return stop;
    }
    if (rc < 0)
        ls_error_prefix(err, "%s: %s", ty->name, type);
    return rc;
}

int ls_pdb_member_offset(ls_pdb *pdb, const char *type, const char *path, ls_type_member *out, ls_error *err)
{
    ls_pdb_types *ty;
    int rc = ls_pdb_types_open(pdb, &ty, err);
    if (rc < 0)
        return rc;
    rc = ls_pdb_types_member(ty, type, path, out, err);
    ls_pdb_types_free(ty);
    return rc;
}

int ls_pdb_type_size(ls_pdb *pdb, const char *type, uint64_t *size, ls_error *err)
{
    ls_pdb_types *ty;
    int rc = ls_pdb_types_open(pdb, &ty, err);
    if (rc < 0)
        return rc;
    rc = ls_pdb_types_size(ty, type, size, err);
    ls_pdb_types_free(ty);
    return rc;
}
