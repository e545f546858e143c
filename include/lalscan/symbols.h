/* symbols.h - the symbols layer: PE images, PDB 7.0 files, symbol paths and SymStore trees.
 * It knows about files only (and a caller-supplied reader for images in dump memory). */
#ifndef LALSCAN_SYMBOLS_H
#define LALSCAN_SYMBOLS_H

#include "lalscan/base.h"

/* ======================================================================================
 * PE images
 * ==================================================================================== */

/* Reads len bytes at rva of an image laid out as loaded (e.g. from dump memory). Returns 0,
 * or LS_ENODATA when the page is not available. */
typedef int (*ls_pe_read_fn)(void *ctx, uint32_t rva, void *buf, size_t len, ls_error *err);

typedef struct ls_pe ls_pe;

typedef struct ls_pe_info {
    uint16_t machine;        /* 0x14c x86, 0x8664 x64, 0xaa64 ARM64 */
    int pe32plus;            /* 1 for PE32+ */
    uint32_t timestamp;      /* IMAGE_FILE_HEADER.TimeDateStamp */
    uint32_t size_of_image;
    uint64_t image_base;     /* preferred base from the optional header */
    uint32_t entry_rva;
    uint32_t checksum;
    unsigned nsections;
} ls_pe_info;

typedef struct ls_pe_section {
    char name[9];
    uint32_t rva, virtual_size, raw_offset, raw_size, characteristics;
} ls_pe_section;

enum ls_codeview_kind { LS_CV_NONE = 0, LS_CV_RSDS = 1, LS_CV_NB10 = 2 };
typedef struct ls_codeview {
    int kind;
    uint8_t guid[16];        /* RSDS: GUID bytes as stored */
    uint32_t signature;      /* NB10: time stamp signature */
    uint32_t age;
    char pdb_path[512];      /* as recorded in the image */
} ls_codeview;

typedef struct ls_pe_import {
    const char *dll;         /* "ntoskrnl.exe" */
    const char *name;        /* "ExAllocatePoolWithTag", or NULL for import by ordinal */
    uint16_t ordinal;
    uint32_t iat_rva;        /* RVA of the IAT slot that calls go through */
} ls_pe_import;

/* ---- PE section: declarations owned by the PE/symbol-store work (helper "pe-store") ---- */
/* (filled in by src/symbols/pe.c, symstore.c, cab.c) */

/* ---- PDB section: declarations owned by the PDB work (helper "pdb") ---- */
/* (filled in by src/symbols/pdb*.c, msf.c) */

#endif
