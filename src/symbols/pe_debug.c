/* pe_debug.c - the debug directory of a PE image: the CodeView record (RSDS or NB10) that
 * names the PDB, and the SymStore keys built from it and from the image's own identity. */
#include "pe_internal.h"

#include <stdio.h>
#include <string.h>

enum { DEBUG_ENTRY = 28, DEBUG_TYPE_CODEVIEW = 2 };

/* Reads the CodeView blob of one debug entry: by file offset for a file (the entry's
 * PointerToRawData is authoritative there), by RVA for a loaded image. */
static int read_blob(const ls_pe *pe, const uint8_t *e, uint8_t *buf, uint32_t len, ls_error *err)
{
    uint32_t rva = ls_le32(e + 0x14), ptr = ls_le32(e + 0x18);
    if (pe->loaded || ptr == 0)
        return ls_pe_fetch(pe, rva, buf, len, err);
    if (!ls_in_bounds(ptr, len, pe->size))
        return ls_error_set(err, LS_ETRUNCATED,
                            "%s: CodeView data at offset 0x%x (0x%x bytes) is past the end of the file (0x%zx bytes)",
                            pe->name, ptr, len, pe->size);
    memcpy(buf, pe->data + ptr, len);
    return 0;
}

static void copy_path(ls_codeview *cv, const uint8_t *s, uint32_t len)
{
    size_t n = 0;
    while (n < len && s[n] && n < sizeof cv->pdb_path - 1)
        n++;
    memcpy(cv->pdb_path, s, n);
    cv->pdb_path[n] = 0;
}

static int parse_cv(const ls_pe *pe, const uint8_t *b, uint32_t len, uint32_t at, ls_codeview *cv,
                    ls_error *err)
{
    memset(cv, 0, sizeof *cv);
    if (len >= 24 && memcmp(b, "RSDS", 4) == 0) {
        cv->kind = LS_CV_RSDS;
        memcpy(cv->guid, b + 4, 16);
        cv->age = ls_le32(b + 20);
        copy_path(cv, b + 24, len - 24);
        return 0;
    }
    if (len >= 16 && memcmp(b, "NB10", 4) == 0) {
        cv->kind = LS_CV_NB10;
        cv->signature = ls_le32(b + 8);
        cv->age = ls_le32(b + 12);
        copy_path(cv, b + 16, len - 16);
        return 0;
    }
    return ls_error_set(err, LS_EUNSUPPORTED, "%s: CodeView record at %s 0x%x (0x%x bytes) is neither RSDS nor NB10",
                        pe->name, pe->loaded ? "RVA" : "offset", at, len);
}

int ls_pe_codeview(const ls_pe *pe, ls_codeview *out, ls_error *err)
{
    uint32_t drva, dsize;
    if (!pe || !out)
        return ls_error_set(err, LS_EINVAL, "ls_pe_codeview: bad arguments");
    if (ls_pe_directory(pe, PE_DIR_DEBUG, &drva, &dsize) < 0)
        return ls_error_set(err, LS_ENOTFOUND, "%s: no debug directory (no PDB is named)", pe->name);
    uint32_t n = dsize / DEBUG_ENTRY;
    if (n > PE_MAX_DEBUG_ENTRIES)
        n = PE_MAX_DEBUG_ENTRIES;
    int last = LS_ENOTFOUND, found_nb10 = 0;
    ls_codeview nb10;
    ls_error sub = {0};
    for (uint32_t i = 0; i < n; i++) {
        uint8_t e[DEBUG_ENTRY];
        int rc = ls_pe_fetch(pe, drva + i * DEBUG_ENTRY, e, sizeof e, &sub);
        if (rc < 0) {
            ls_error_prefix(&sub, "debug directory entry %u", i);
            last = rc;
            break;
        }
        if (ls_le32(e + 0x0c) != DEBUG_TYPE_CODEVIEW)
            continue;
        uint32_t len = ls_le32(e + 0x10);
        if (len < 16 || len > PE_MAX_CODEVIEW) {
            ls_error_set(&sub, LS_ECORRUPT, "%s: CodeView debug entry %u claims 0x%x bytes", pe->name, i, len);
            last = LS_ECORRUPT;
            continue;
        }
        uint8_t blob[PE_MAX_CODEVIEW];
        rc = read_blob(pe, e, blob, len, &sub);
        if (rc < 0) {
            last = rc;
            continue;
        }
        ls_codeview cv;
        uint32_t at = pe->loaded || !ls_le32(e + 0x18) ? ls_le32(e + 0x14) : ls_le32(e + 0x18);
        rc = parse_cv(pe, blob, len, at, &cv, &sub);
        if (rc < 0) {
            last = rc;
            continue;
        }
        if (cv.kind == LS_CV_RSDS) {
            *out = cv;
            return 0;
        }
        nb10 = cv;
        found_nb10 = 1;
    }
    if (found_nb10) {
        *out = nb10;
        return 0;
    }
    if (last == LS_ENOTFOUND)
        return ls_error_set(err, LS_ENOTFOUND, "%s: the debug directory has no CodeView entry", pe->name);
    if (err)
        *err = sub;
    return last;
}

const char *ls_codeview_pdb_name(const ls_codeview *cv)
{
    const char *p = cv->pdb_path, *base = p;
    for (; *p; p++)
        if (*p == '\\' || *p == '/')
            base = p + 1;
    return base;
}

int ls_codeview_key(const ls_codeview *cv, char out[41])
{
    if (!cv || cv->kind == LS_CV_NONE)
        return LS_EINVAL;
    if (cv->kind == LS_CV_NB10) {
        snprintf(out, 41, "%08X%x", cv->signature, cv->age);
        return 0;
    }
    /* Display order: Data1..Data3 are little-endian integers, Data4 is 8 bytes as stored. */
    const uint8_t *g = cv->guid;
    snprintf(out, 41, "%08X%04X%04X%02X%02X%02X%02X%02X%02X%02X%02X%x", ls_le32(g), ls_le16(g + 4),
             ls_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15], cv->age);
    return 0;
}

void ls_pe_image_key(uint32_t timestamp, uint32_t size_of_image, char out[20])
{
    snprintf(out, 20, "%08X%x", timestamp, size_of_image);
}
