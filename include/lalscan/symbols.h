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

/* An open PDB 7.0 file. Opening reads only the MSF superblock and stream directory; every
 * other part is read on first use and cached. One object is used by one thread at a time;
 * strings it returns stay valid until ls_pdb_free. */
typedef struct ls_pdb ls_pdb;

int ls_pdb_open(const char *path, ls_pdb **out, ls_error *err);
/* fd stays owned by the caller (the file is mapped; fd may be closed after the call). */
int ls_pdb_open_fd(int fd, const char *display_name, ls_pdb **out, ls_error *err);
/* Borrows [data, data+len): the caller keeps it alive and unchanged until ls_pdb_free. */
int ls_pdb_open_mem(const void *data, size_t len, const char *display_name, ls_pdb **out,
                    ls_error *err);
void ls_pdb_free(ls_pdb *p);

typedef struct ls_pdb_ident {
    uint8_t guid[16];         /* as stored (same byte order as ls_codeview.guid) */
    uint32_t signature;       /* info-stream signature (time stamp) */
    uint32_t info_age;        /* info-stream age (may be bumped by pdbstr) */
    uint32_t dbi_age;         /* the age that must equal the image's (0 = no DBI) */
    uint32_t version;         /* info-stream version, 20000404 */
    uint32_t block_size, nblocks, nstreams;
    uint16_t machine;         /* DBI machine, 0 if unknown */
    int has_ipi;              /* features say an IPI stream exists */
    size_t nmodules;
} ls_pdb_ident;
int ls_pdb_get_ident(ls_pdb *p, ls_pdb_ident *out, ls_error *err);
/* "95435CEC-4AB1-04C5-E86B-FBEA4416C4A3" (display order, upper case) */
void ls_pdb_guid_string(char out[37], const uint8_t guid[16]);
/* Checks the PDB against an image's CodeView record (GUID equal, DBI age == image age;
 * NB10: signature). LS_EMISMATCH names both GUIDs and all ages. */
int ls_pdb_match(ls_pdb *p, const ls_codeview *cv, ls_error *err);

/* When the PDB carries no section headers, the image's can be supplied for RVA mapping. */
int ls_pdb_set_sections(ls_pdb *p, const ls_pe_section *secs, size_t n, ls_error *err);

#define LS_PDB_MAX_FRAMES 16
typedef struct ls_pdb_frame {
    const char *symbol;       /* function name (inlinee or containing function) */
    const char *file;         /* NULL when there is no line information */
    uint32_t line;            /* 0 when unknown */
} ls_pdb_frame;

typedef struct ls_pdb_location {
    const char *symbol;       /* containing function (procedure record, else public), or NULL */
    uint32_t symbol_rva;      /* its start */
    uint32_t symbol_size;     /* 0 for publics */
    uint32_t displacement;    /* rva - symbol_rva */
    int from_public;          /* 1: name came from the publics (no procedure record) */
    unsigned nframes;         /* frames[0..nframes): inline frames innermost first, then the
                               * containing function; 0 when symbol is NULL */
    ls_pdb_frame frames[LS_PDB_MAX_FRAMES];
} ls_pdb_location;

/* Symbolizes one RVA. LS_ENOTFOUND (out filled with symbol NULL) when nothing covers it;
 * other errors when the PDB is corrupt where the lookup had to read. */
int ls_pdb_symbolize(ls_pdb *p, uint32_t rva, ls_pdb_location *out, ls_error *err);

/* Function name (as in the procedure records, else undecorated publics) -> start and size. */
int ls_pdb_find_function(ls_pdb *p, const char *name, uint32_t *rva, uint32_t *size,
                         ls_error *err);
/* Global or file-static data symbol (S_GDATA32/S_LDATA32) by name -> RVA and TPI type index. */
int ls_pdb_find_data(ls_pdb *p, const char *name, uint32_t *rva, uint32_t *type_index,
                     ls_error *err);

/* One place where an inline function was expanded. */
typedef struct ls_pdb_inline_site {
    const char *caller;       /* function (or inline function) the call site is in */
    uint32_t caller_rva;      /* start of the containing procedure */
    uint32_t rva;             /* first code byte of the expansion */
    const char *file;         /* call site's file and line (caller's line at rva) */
    uint32_t line;
} ls_pdb_inline_site;
/* All inline sites whose inlinee is named `inlinee`; *sites is malloc'd (free() it). */
int ls_pdb_inline_sites(ls_pdb *p, const char *inlinee, ls_pdb_inline_site **sites,
                        size_t *n, ls_error *err);
/* Strips simple MSVC C decoration of x86 (machine 0x14c) names ("_f@8", "@f@8", "_f" -> "f");
 * other machines keep the name; C++ names ("?...") are copied unchanged. out gets at most
 * cap-1 characters. */
void ls_pdb_undecorate(const char *name, uint16_t machine, char *out, size_t cap);

#endif
