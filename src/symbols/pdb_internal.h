/* pdb_internal.h - private to the PDB reader (src/symbols/msf.c, pdb*.c): the ls_pdb object,
 * contiguous stream access for other stream parsers (TPI types), and the helpers shared by files. */
#ifndef LALSCAN_PDB_INTERNAL_H
#define LALSCAN_PDB_INTERNAL_H

#include "lalscan/base.h"
#include "lalscan/symbols.h"

#include <stddef.h>
#include <stdint.h>

/* Fixed stream numbers (spec §1.4). Stream 4 is the IPI only when the info stream says so. */
enum {
    LS_PDB_STREAM_OLD_DIR = 0,
    LS_PDB_STREAM_INFO = 1,
    LS_PDB_STREAM_TPI = 2,
    LS_PDB_STREAM_DBI = 3,
    LS_PDB_STREAM_IPI = 4,
    LS_PDB_STREAM_NONE = 0xFFFFFFFFu
};

/* ---- API for other stream parsers (e.g. src/symbols/pdb_types.c) ------------------------- */

/* The whole of stream `stream` as one contiguous read-only buffer. Assembled on first use
 * (a direct pointer into the mapping when its blocks are adjacent, else a copy) and cached
 * until ls_pdb_free; *data is non-NULL even for an empty stream. A nil or out-of-range
 * stream is LS_ENOTFOUND with a message. */
int ls_msf_stream_bytes(ls_pdb *p, uint32_t stream, const uint8_t **data, size_t *len,
                        ls_error *err);
/* Number of streams in the directory. */
uint32_t ls_msf_stream_count(const ls_pdb *p);
/* Index of a named stream ("/names", "/LinkInfo", ...) from the info stream's map;
 * LS_ENOTFOUND when absent. */
int ls_pdb_named_stream(ls_pdb *p, const char *name, uint32_t *stream, ls_error *err);
/* The IPI stream index (4) when the info stream's features say it exists, else LS_ENOTFOUND. */
int ls_pdb_ipi_stream(ls_pdb *p, uint32_t *stream, ls_error *err);
/* Display name used in messages ("driver.pdb"). */
const char *ls_pdb_display_name(const ls_pdb *p);
/* A NUL-terminated string at offset `off` of the /names string table, or NULL if the offset
 * is outside the table or the string is not terminated inside it. */
const char *ls_pdb_names_string(ls_pdb *p, uint32_t off);
/* Visits every global-symbol record (symbol record stream, reached through the DBI) whose kind
 * is `kind` (0 = any) and whose name equals `name` (NULL = any). `rec` points at the record's
 * length field; `len` counts the whole record. Return non-zero from fn to stop (that value is
 * returned). */
typedef int (*ls_pdb_symrec_fn)(void *ctx, uint16_t kind, const uint8_t *rec, size_t len);
int ls_pdb_globals_each(ls_pdb *p, uint16_t kind, const char *name, ls_pdb_symrec_fn fn,
                        void *ctx, ls_error *err);

/* LHashPbCb (spec §4.5), for hash lookups by name. */
uint32_t ls_pdb_hash_name(const void *bytes, size_t len, uint32_t mod);

/* ---- everything below is only for the PDB reader's own files ---------------------------- */

/* CodeView symbol kinds used by the reader. */
enum {
    S_END = 0x0006, S_FRAMEPROC = 0x1012, S_OBJNAME = 0x1101, S_THUNK32 = 0x1102,
    S_BLOCK32 = 0x1103, S_LABEL32 = 0x1105, S_UDT = 0x1108, S_LDATA32 = 0x110C,
    S_GDATA32 = 0x110D, S_PUB32 = 0x110E, S_LPROC32 = 0x110F, S_GPROC32 = 0x1110,
    S_PROCREF = 0x1125, S_DATAREF = 0x1126, S_LPROCREF = 0x1127, S_SEPCODE = 0x1132,
    S_LPROC32_ID = 0x1146, S_GPROC32_ID = 0x1147, S_INLINESITE = 0x114D,
    S_INLINESITE_END = 0x114E, S_PROC_ID_END = 0x114F, S_INLINESITE2 = 0x115D,
    S_GPROC32_DPC = 0x1155, S_LPROC32_DPC = 0x1156, S_GPROC32_DPC_ID = 0x1157,
    S_LPROC32_DPC_ID = 0x1158
};

/* One stream as the MSF directory describes it. */
typedef struct pdb_stream {
    uint32_t size;
    uint32_t first;            /* index of its first block number in the directory words */
    int nil;
    int ready;
    const uint8_t *data;
    uint8_t *owned;            /* non-NULL when data is an assembled copy */
} pdb_stream;

typedef struct pdb_section_hdr {
    uint32_t va, vsize, rawsize, characteristics;
} pdb_section_hdr;

typedef struct pdb_range {     /* an RVA range owned by a module (section contributions) */
    uint32_t rva, size;
    uint16_t module;
} pdb_range;

typedef struct pdb_proc {      /* a procedure, thunk or separated-code piece of one module */
    uint32_t rva, size;
    uint32_t recoff;           /* offset of its record in the module stream */
    uint32_t name_recoff;      /* record naming it (the parent procedure for S_SEPCODE) */
    uint16_t kind;
    const char *uname;         /* display name (x86 decoration stripped), made on first use */
} pdb_proc;

typedef struct pdb_line {      /* one C13 line entry mapped to an RVA; line 0 = end of block */
    uint32_t rva;
    uint32_t line;
    uint32_t file;             /* offset in the module's file checksum subsection */
    uint32_t seq;              /* order in the stream: ties keep it */
} pdb_line;

typedef struct pdb_lblock {    /* one DEBUG_S_LINES contribution: its entries, sorted by rva */
    uint32_t start, size;
    uint32_t first, count;     /* slice of the module's lines[] */
    uint32_t order;            /* position in the stream */
} pdb_lblock;

typedef struct pdb_inlinee {   /* DEBUG_S_INLINEELINES record */
    uint32_t id, file, line;
} pdb_inlinee;

typedef struct pdb_module {
    const char *name;          /* module (object) name, inside the DBI stream */
    const char *obj;           /* archive or object name */
    uint16_t stream;           /* 0xFFFF = none */
    uint32_t sym_bytes, c11_bytes, c13_bytes;
    int loaded;                /* 0 not yet, 1 loaded, -1 failed (message kept below) */
    const uint8_t *data;       /* module stream */
    size_t len;
    pdb_proc *procs;
    size_t nprocs;
    pdb_line *lines;
    size_t nlines;
    pdb_lblock *lblocks;       /* sorted by (start, order) */
    size_t nlblocks;
    const uint8_t *chk;        /* DEBUG_S_FILECHKSMS contents */
    uint32_t chk_len;
    pdb_inlinee *inlinees;     /* sorted by id */
    size_t ninlinees;
    const uint8_t *imports;    /* DEBUG_S_CROSSSCOPEIMPORTS contents */
    uint32_t imports_len;
    const uint8_t *exports;    /* DEBUG_S_CROSSSCOPEEXPORTS contents */
    uint32_t exports_len;
} pdb_module;

typedef struct pdb_public {
    uint32_t rva;
    uint32_t recoff;           /* in the symbol record stream */
    uint32_t flags;
    uint32_t idx;              /* position in the address map (ties keep its order) */
    const char *uname;         /* undecorated name, made on first use */
} pdb_public;

typedef struct pdb_omap { uint32_t from, to; } pdb_omap;

typedef struct pdb_typeidx {   /* lazily built offsets of the records of a TPI-format stream */
    int state;                 /* 0 not built, 1 built, -1 failed */
    const uint8_t *data;
    size_t len;
    uint32_t first, end;
    uint32_t *off;             /* offset of record (first + i) in data */
    const char **names;        /* built names (Class::method), per record, made on demand */
} pdb_typeidx;

struct ls_pdb {
    char *name;
    const uint8_t *map;
    size_t size;
    int mapped;                /* 1: munmap at free */
    uint32_t bs, nblocks;
    uint8_t *dir;              /* the assembled directory */
    uint32_t dirsize;
    uint32_t nstreams;
    pdb_stream *streams;

    /* info stream (state: 0 not read, 1 read, -1 failed) */
    int info_state;
    uint32_t info_version, info_signature, info_age;
    uint8_t guid[16];
    int has_ipi, minimal_debug;
    const uint8_t *nsm_strings;   /* named stream map string buffer */
    uint32_t nsm_strings_len;
    const uint8_t *nsm_pairs;     /* (key, value) pairs */
    uint32_t nsm_count;
    int names_state;
    const uint8_t *names;         /* /names string buffer */
    uint32_t names_len;

    /* DBI */
    int dbi_state;
    uint32_t dbi_age;
    uint16_t machine, dbi_flags, build;
    uint16_t gsi_stream, psi_stream, symrec_stream;
    pdb_module *mods;
    size_t nmods;
    pdb_section_hdr *secs;     /* section headers in the image's address space */
    size_t nsecs;
    pdb_section_hdr *osecs;    /* original headers (OMAP) */
    size_t nosecs;
    pdb_omap *omap_to, *omap_from;   /* to-source (RVA → internal), from-source */
    size_t nomap_to, nomap_from;
    const uint8_t *contrib;    /* raw section contribution entries */
    uint32_t contrib_len, contrib_entry;
    int ranges_state;
    pdb_range *ranges;         /* sorted by rva */
    size_t nranges;

    /* publics */
    int pub_state;
    pdb_public *pubs;          /* sorted by rva */
    size_t npubs;
    const uint8_t *symrec;
    size_t symrec_len;

    /* type-format streams */
    pdb_typeidx ipi, tpi;

    /* strings built by the reader (undecorated publics, Class::method), freed at the end */
    char **strs;
    size_t nstrs, capstrs;
};

/* info / names (pdb_info.c) */
int pdb_load_info(ls_pdb *p, ls_error *err);
int pdb_load_names(ls_pdb *p, ls_error *err);
/* DBI (pdb_dbi.c) */
int pdb_load_dbi(ls_pdb *p, ls_error *err);
int pdb_load_ranges(ls_pdb *p, ls_error *err);
/* section:offset → RVA; 0 when it cannot be mapped. */
int pdb_sect_to_rva(ls_pdb *p, uint16_t sect, uint32_t off, uint32_t *rva);
/* RVA <-> the reader's internal address space (differs only when OMAP is present). */
int pdb_rva_to_internal(ls_pdb *p, uint32_t rva, uint32_t *out);
uint32_t pdb_internal_to_rva(ls_pdb *p, uint32_t x);
/* module index owning rva, or -1. */
long pdb_module_at(ls_pdb *p, uint32_t rva);
/* publics (pdb_publics.c) */
int pdb_load_publics(ls_pdb *p, ls_error *err);
const pdb_public *pdb_public_at(ls_pdb *p, uint32_t rva);
const char *pdb_public_name(ls_pdb *p, const pdb_public *pub);
/* 1 when a public at exactly rva has the (decorated) name raw */
int pdb_public_named_at(ls_pdb *p, uint32_t rva, const char *raw);
/* 1 when a public at exactly rva has the name, decorated or undecorated */
int pdb_public_has_name(ls_pdb *p, uint32_t rva, const char *name);
int pdb_load_symrec(ls_pdb *p, ls_error *err);
/* modules (pdb_module.c) */
int pdb_load_module(ls_pdb *p, size_t mi, ls_error *err);
/* the procedure covering rva; when identical-code folding left several, the one the linker's
 * public symbol names, else the first */
const pdb_proc *pdb_proc_at(ls_pdb *p, const pdb_module *m, uint32_t rva);
const char *pdb_proc_name(const pdb_module *m, const pdb_proc *pr);
/* the name to show: as recorded, but x86 assembler procedures ("_f", "@f@8") undecorated */
const char *pdb_proc_display(ls_pdb *p, const pdb_module *m, const pdb_proc *pr);
/* lines: file and line of rva from the module's DEBUG_S_LINES (the block belonging to pr when
 * given); 0 on success. exact_first: of several entries at exactly rva take the first (as LLVM
 * does), else the last (the statement owning the code that follows). */
int pdb_line_at(ls_pdb *p, const pdb_module *m, const pdb_proc *pr, uint32_t rva, int exact_first,
                const char **file, uint32_t *line);
const char *pdb_checksum_file(ls_pdb *p, const pdb_module *m, uint32_t chk_off);
const pdb_inlinee *pdb_inlinee_find(const pdb_module *m, uint32_t id);
int pdb_checksum_valid(const pdb_module *m, uint32_t chk_off);
/* ids (pdb_ids.c): name of an IPI function id (LF_FUNC_ID / LF_MFUNC_ID), cross-scope resolved
 * for module m; NULL when unknown. */
const char *pdb_id_name(ls_pdb *p, const pdb_module *m, uint32_t id);
/* record (first + i) of a TPI-format stream: pointer and length, or -1 */
int pdb_type_record(ls_pdb *p, int ipi, uint32_t index, const uint8_t **rec, size_t *len);
/* inline sites (pdb_inline.c) */
int pdb_site_match(const uint8_t *a, size_t n, uint32_t line0, uint32_t file0, uint32_t rel,
                   uint32_t scope_size, uint32_t *line, uint32_t *file, uint32_t *first);
unsigned pdb_inline_chain(ls_pdb *p, const pdb_module *m, const pdb_proc *pr, uint32_t x,
                          ls_pdb_frame *frames, uint32_t *recoffs, unsigned max);
/* strings kept until ls_pdb_free */
const char *pdb_keep_string(ls_pdb *p, char *s);
/* a record's NUL-terminated name at offset `at` inside [rec, rec+len), or NULL */
const char *pdb_rec_name(const uint8_t *rec, size_t len, size_t at);

#endif
