/* pe_internal.h - private to the PE reader (src/symbols/pe*.c): the ls_pe object and the
 * bounded reads that every part of the reader goes through, file layout or loaded layout. */
#ifndef LALSCAN_PE_INTERNAL_H
#define LALSCAN_PE_INTERNAL_H

#include "lalscan/base.h"
#include "lalscan/symbols.h"

#include <stddef.h>
#include <stdint.h>

enum { PE_DIR_EXPORT = 0, PE_DIR_IMPORT = 1, PE_DIR_DEBUG = 6, PE_NDIRS = 16 };

/* Caps on counts that come from the image: far above anything a linker makes, low enough that
 * a corrupt count cannot make us allocate or loop without end. */
enum {
    PE_MAX_SECTIONS = 96,          /* the Windows loader refuses more */
    PE_MAX_HEADERS = 64 * 1024,    /* bytes of headers read in loaded layout */
    PE_MAX_DEBUG_ENTRIES = 64,
    PE_MAX_CODEVIEW = 4096,
    PE_MAX_IMPORT_DLLS = 4096,
    PE_MAX_IMPORTS = 1 << 20,
    PE_MAX_NOTES = 512,
};

struct ls_pe {
    char name[256];          /* display name in messages */
    int loaded;              /* 1: RVA-addressed through rd; 0: file layout in data */
    const uint8_t *data;     /* file layout: whole file */
    size_t size;
    void *map;               /* mmap of ls_pe_open_file, unmapped by ls_pe_free */
    size_t map_size;
    ls_pe_read_fn rd;
    void *rctx;
    uint8_t *hdr;            /* loaded layout: copy of the headers */
    size_t hdr_size;

    ls_pe_info info;
    uint32_t e_lfanew, size_of_headers, opt_size, ndirs;
    uint32_t dir_rva[PE_NDIRS], dir_size[PE_NDIRS];
    ls_pe_section *secs;

    /* imports, parsed at open; a failure there does not fail the open */
    ls_pe_import *imports;   /* sorted by iat_rva */
    size_t nimports;
    char *strings;           /* names the imports point into */
    int import_status;
    char import_msg[1024];

    char notes[PE_MAX_NOTES]; /* what could not be read, "; "-separated, bounded */
};

/* Reads len bytes at rva in either layout; bytes of a section past its raw data read as zero
 * (file layout). Message names the RVA and, for files, the file offset. */
int ls_pe_fetch(const ls_pe *pe, uint32_t rva, void *buf, size_t len, ls_error *err);
/* Reads a NUL-terminated string at rva into buf (cap bytes incl. NUL); a string longer than
 * cap is LS_ECORRUPT. */
int ls_pe_fetch_cstr(const ls_pe *pe, uint32_t rva, char *buf, size_t cap, ls_error *err);
/* Appends a note about something that could not be read (bounded; never fails). */
void ls_pe_note(ls_pe *pe, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parses the import directory into pe->imports (pe_imports.c). */
void ls_pe_parse_imports(ls_pe *pe);

#endif
