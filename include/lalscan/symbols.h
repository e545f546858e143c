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

/* Opens an image file (mapped read-only). */
int ls_pe_open_file(const char *path, ls_pe **out, ls_error *err);
/* The same from an open file (e.g. a decompressed store file); the fd stays the caller's. */
int ls_pe_open_fd(int fd, const char *path, ls_pe **out, ls_error *err);
/* Opens an image in file layout held in memory; data is not copied and must outlive the
 * ls_pe. name is used in messages. */
int ls_pe_open_mem(const void *data, size_t size, const char *name, ls_pe **out, ls_error *err);
/* Opens an image as loaded (RVA-addressed, e.g. from dump memory). The headers must be
 * readable; pages missing elsewhere are tolerated and listed by ls_pe_notes. fn and ctx must
 * outlive the ls_pe. */
int ls_pe_open_reader(ls_pe_read_fn fn, void *ctx, const char *name, ls_pe **out, ls_error *err);
void ls_pe_free(ls_pe *pe);

const ls_pe_info *ls_pe_get_info(const ls_pe *pe);
const ls_pe_section *ls_pe_sections(const ls_pe *pe, unsigned *n);
/* The display name given at open (file path or caller's name). */
const char *ls_pe_name(const ls_pe *pe);
/* "x86", "x64", "arm64", or NULL for a machine lalscan does not handle. */
const char *ls_pe_machine_name(uint16_t machine);
/* What could not be read while opening a loaded image ("" when everything was readable). */
const char *ls_pe_notes(const ls_pe *pe);
/* Data directory i (0 export, 1 import, 6 debug, ...): RVA and size; LS_ENOTFOUND if absent. */
int ls_pe_directory(const ls_pe *pe, unsigned i, uint32_t *rva, uint32_t *size);

/* File offset of rva (file layout only). LS_ENODATA when the RVA has no bytes in the file
 * (e.g. .bss), LS_EUNSUPPORTED for a loaded image. */
int ls_pe_rva_to_offset(const ls_pe *pe, uint32_t rva, uint64_t *off, ls_error *err);
/* Reads len bytes at rva (either layout). LS_ENODATA outside the image or for a missing page. */
int ls_pe_read(const ls_pe *pe, uint32_t rva, void *buf, size_t len, ls_error *err);

/* The CodeView record of the debug directory (RSDS preferred over NB10). LS_ENOTFOUND when the
 * image has none. */
int ls_pe_codeview(const ls_pe *pe, ls_codeview *out, ls_error *err);
/* Base name of the recorded PDB path (after the last '\' or '/'). */
const char *ls_codeview_pdb_name(const ls_codeview *cv);
/* SymStore key of a PDB: GUID as 32 upper-case hex digits in display order + age "%x"
 * (NB10: "%08X%x" of signature and age). LS_EINVAL for LS_CV_NONE. */
int ls_codeview_key(const ls_codeview *cv, char out[41]);
/* SymStore key of an image: "%08X%x" of TimeDateStamp and SizeOfImage. */
void ls_pe_image_key(uint32_t timestamp, uint32_t size_of_image, char out[20]);

/* Imports (parsed at open), sorted by IAT slot RVA. When the import directory was corrupt or
 * unreadable, returns that error and whatever was parsed before it in *list / *n. */
int ls_pe_imports(const ls_pe *pe, const ls_pe_import **list, size_t *n, ls_error *err);
/* The import whose IAT slot is at iat_rva, or NULL. */
const ls_pe_import *ls_pe_import_at(const ls_pe *pe, uint32_t iat_rva);

/* Exports, read on demand. The RVA of the export `name` (LS_ENOTFOUND; a forwarder is
 * LS_EUNSUPPORTED). */
int ls_pe_export_find(const ls_pe *pe, const char *name, uint32_t *rva, ls_error *err);
/* The named export nearest at or below rva: its name (cap bytes) and rva minus its address. */
int ls_pe_export_at(const ls_pe *pe, uint32_t rva, char *name, size_t cap, uint32_t *disp, ls_error *err);

/* ---- calls into a function or through an import slot (src/symbols/pe_calls.c, helper
 * "pe-calls"): a linear scan of the executable sections of x86 and x64 images ---- */

/* ls_pe_call.kind */
enum ls_pe_call_kind {
    LS_CALL_DIRECT = 1,   /* call rel32 (E8) to the function */
    LS_CALL_IMPORT = 2,   /* call [slot] (FF 15; x64 RIP-relative, x86 absolute): an IAT slot
                           * or any pointer in the image, e.g. a global list's L.Allocate */
    LS_CALL_THUNK = 3,    /* call rel32 to a jmp thunk (via_rva) that jumps to the target */
    LS_CALL_TAIL = 4,     /* jmp rel32 / jmp [slot]: a tail call, or itself a thunk; via_rva
                           * when it jumps to a thunk */
};
typedef struct ls_pe_call {
    uint32_t call_rva;    /* first byte of the call or jmp; on x64 a 0x48 before FF 15/FF 25
                           * counts as its REX.W prefix for a jmp, and for a call followed by
                           * the 5-byte nop 0F 1F 44 00 00 (the compilers' prefixed forms) */
    uint32_t return_rva;  /* the byte after it: the return address of a call */
    uint32_t via_rva;     /* LS_CALL_THUNK, and LS_CALL_TAIL to a thunk: the thunk's jmp; else 0 */
    int kind;             /* enum ls_pe_call_kind */
} ls_pe_call;

/* What a scan covered. Missing pages of a loaded image (and section bytes past the end of a
 * file) are skipped and counted, not errors. */
typedef struct ls_pe_scan_stats {
    uint64_t scanned;             /* bytes of executable sections examined */
    uint64_t unscanned;           /* bytes that could not be read */
    uint32_t first_unscanned_rva; /* start of the first unreadable range met (unscanned != 0) */
    unsigned sections;            /* executable sections seen */
    size_t rejected;              /* candidates the check function refused */
    int capped;                   /* 1: more calls than the cap; the list holds the first ones */
} ls_pe_scan_stats;

/* Returns non-zero when an instruction may start at rva (e.g. rva lies in a procedure of the
 * PDB); used to drop byte patterns that are really parts of other instructions. */
typedef int (*ls_pe_insn_check_fn)(void *ctx, uint32_t rva);

#define LS_PE_MAX_CALLS 100000
typedef struct ls_pe_call_query {
    uint32_t target_rva;          /* a function start, or an IAT slot when through_slot */
    int through_slot;             /* 0: calls to the function; 1: calls through the slot */
    uint64_t image_base;          /* x86: absolute operands are VAs from this base; 0 means the
                                   * header's ImageBase (right for a file; for an image read
                                   * from memory pass the base it was loaded and relocated at) */
    ls_pe_insn_check_fn check;    /* optional */
    void *check_ctx;
    size_t max_calls;             /* 0: LS_PE_MAX_CALLS */
} ls_pe_call_query;

/* All calls described by q, sorted by call_rva; *calls is malloc'd (free() it; NULL when
 * *n is 0). stats may be NULL. LS_EUNSUPPORTED for machines other than x86/x64, LS_EINVAL for
 * a target outside the image, LS_ENODATA when executable bytes exist but none could be read.
 * A call reached through a chain of two thunks is not found, nor is any call through a
 * register or a variable (e.g. a lookaside list's L.Allocate). */
int ls_pe_scan_calls(const ls_pe *pe, const ls_pe_call_query *q, ls_pe_call **calls, size_t *n,
                     ls_pe_scan_stats *stats, ls_error *err);
/* Calls and jumps to the function starting at target_rva (direct, via jmp thunks). */
int ls_pe_find_calls(const ls_pe *pe, uint32_t target_rva, ls_pe_call **calls, size_t *n,
                     ls_pe_scan_stats *stats, ls_error *err);
/* The same, keeping only candidates for which check(ctx, call_rva) is non-zero. */
int ls_pe_find_calls_checked(const ls_pe *pe, uint32_t target_rva, ls_pe_insn_check_fn check,
                             void *ctx, ls_pe_call **calls, size_t *n, ls_pe_scan_stats *stats,
                             ls_error *err);
/* call [slot], jmp [slot], and calls to jmp [slot] thunks, for the IAT slot at iat_rva (any
 * pointer-sized slot in the image works the same way). */
int ls_pe_find_import_calls(const ls_pe *pe, uint32_t iat_rva, ls_pe_call **calls, size_t *n,
                            ls_pe_scan_stats *stats, ls_error *err);
/* "direct", "import", "thunk", "tail" ("?" for other values). */
const char *ls_pe_call_kind_name(int kind);

/* ---- symbol paths and stores (sympath.c, symstore.c, cab.c) ---- */

typedef struct ls_sympath ls_sympath;

/* How a file was found (ls_found_file.how). */
enum ls_found_how {
    LS_FOUND_FOLDER = 1,    /* a plain folder, by name */
    LS_FOUND_STORE = 2,     /* a SymStore tree, by key */
    LS_FOUND_TWO_TIER = 3,  /* a two-tier SymStore tree (index2.txt) */
};
/* Flags in ls_found_file.flags. */
enum {
    LS_FOUND_COMPRESSED = 1,   /* decompressed from a CAB (name.pd_ / name.sy_) */
    LS_FOUND_POINTER = 2,      /* through file.ptr */
    LS_FOUND_DOWNLOADED = 4,   /* fetched from a symbol server into its cache by this search */
};
typedef struct ls_found_file {
    int fd;                 /* open read-only; the caller closes it */
    uint64_t size;
    int how;                /* enum ls_found_how */
    int flags;
    char path[1024];        /* display path: the real file, or ".../name.pd_ (decompressed)" */
} ls_found_file;

/* Parses an _NT_SYMBOL_PATH-style spec. URL elements are kept aside (offline: never contacted). */
int ls_sympath_parse(const char *spec, ls_sympath **out, ls_error *err);
void ls_sympath_free(ls_sympath *sp);
/* Local elements in search order; *is_store is 1 for store elements (srv, symsrv, cache). */
size_t ls_sympath_count(const ls_sympath *sp);
const char *ls_sympath_element(const ls_sympath *sp, size_t i, int *is_store);
/* Elements that were skipped (URLs, empty srv** elements), each with the reason. */
size_t ls_sympath_skipped_count(const ls_sympath *sp);
const char *ls_sympath_skipped(const ls_sympath *sp, size_t i);
/* A check run on each PDB candidate found by name in a plain folder (e.g. compare GUID/age);
 * return 0 to accept, LS_EMISMATCH to go on searching. Store matches are by key already. */
typedef int (*ls_sympath_check_fn)(void *ctx, int fd, const char *path, ls_error *err);
void ls_sympath_set_pdb_check(ls_sympath *sp, ls_sympath_check_fn fn, void *ctx);

/* The path a run uses: option (-y) when given, else $_NT_ALT_SYMBOL_PATH then $_NT_SYMBOL_PATH
 * (either may be unset; both unset gives an empty path). */
int ls_sympath_default(const char *option, ls_sympath **out, ls_error *err);
/* Appends a plain folder (e.g. the image's own directory) at the end of the search order. */
int ls_sympath_add_folder(ls_sympath *sp, const char *dir, ls_error *err);

/* Finds the PDB named by cv. LS_ENOTFOUND with a message listing where it looked. */
int ls_sympath_find_pdb(const ls_sympath *sp, const ls_codeview *cv, ls_found_file *out,
                        ls_error *err);
/* Finds an image by name, TimeDateStamp and SizeOfImage (folder candidates are checked). */
int ls_sympath_find_image(const ls_sympath *sp, const char *name, uint32_t timestamp,
                          uint32_t size_of_image, ls_found_file *out, ls_error *err);

/* ---- symbol servers (symsrv.c): srv*CACHE*URL elements over HTTP(S) ---- */

/* Called during a download (finished 0, at most a few times a second) and once at its end
 * (finished 1) when it was called before; total is 0 when the server did not say. */
typedef void (*ls_symsrv_progress_fn)(void *ctx, const char *name, uint64_t done, uint64_t total,
                                      double seconds, int finished);
typedef struct ls_symsrv_options {
    int offline;                 /* read the caches only; never contact a server */
    long connect_timeout_s;      /* 0: 10 */
    long timeout_s;              /* one whole transfer; 0: 300 */
    long stall_s;                /* abort when nothing arrives for this long; 0: 30 */
    long miss_ttl_s;             /* how long a miss (404) is remembered; 0: 1 day; < 0: never */
    const char *default_cache;   /* for srv*URL and srv**URL; NULL: $XDG_CACHE_HOME/lalscan/symbols,
                                  * else ~/.cache/lalscan/symbols */
    ls_symsrv_progress_fn progress;
    void *progress_ctx;
    const char *ca_bundle;       /* PEM file of CAs to trust for HTTPS; NULL: the system's */
} ls_symsrv_options;
/* Defaults, then the environment: LALSCAN_OFFLINE (set, not "0": offline),
 * LALSCAN_SYMSRV_TIMEOUT, LALSCAN_SYMSRV_CONNECT_TIMEOUT, LALSCAN_SYMSRV_MISS_TTL (seconds),
 * LALSCAN_SYMSRV_CA_BUNDLE (a company's own CA for its HTTPS symbol server). */
void ls_symsrv_options_init(ls_symsrv_options *o);
/* Lets the URL elements of srv* chains be used (o copied; o->offline: caches only). Without
 * this call they are skipped (ls_sympath_skipped). Each server element looks in its cache
 * (the chain's first local element, a preceding cache*dir, or the default cache), then asks
 * <URL>/<name>/<key>/ for name, the compressed name (last character '_') and file.ptr, and
 * stores what it got in the cache (atomically; decompressed; checked like a folder candidate). */
int ls_sympath_set_network(ls_sympath *sp, const ls_symsrv_options *o, ls_error *err);
/* Server elements that the searches use (0 before ls_sympath_set_network). */
size_t ls_sympath_server_count(const ls_sympath *sp);

/* Extracts file `name` (case-insensitive; NULL or not present with one file: the only file)
 * of the CAB in data/size into out_fd. At most max_out bytes are written (0: 4 GiB).
 * display names the CAB in messages. */
int ls_cab_extract(const void *data, size_t size, const char *name, const char *display,
                   int out_fd, uint64_t max_out, uint64_t *written, ls_error *err);
/* An anonymous temporary file in $TMPDIR (or P_tmpdir): O_TMPFILE, else mkstemp + unlink. */
int ls_tmpfile(ls_error *err);

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
    uint32_t rva;             /* start of the function, or of the inline expansion's first range */
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
 * other errors when the PDB is corrupt where the lookup had to read (out may then still hold
 * the nearest public symbol). */
int ls_pdb_symbolize(ls_pdb *p, uint32_t rva, ls_pdb_location *out, ls_error *err);

/* Function name (as in the procedure records, else undecorated publics) -> start and size. */
int ls_pdb_find_function(ls_pdb *p, const char *name, uint32_t *rva, uint32_t *size,
                         ls_error *err);
/* Global or file-static data symbol (S_GDATA32/S_LDATA32) by name -> RVA and TPI type index. */
int ls_pdb_find_data(ls_pdb *p, const char *name, uint32_t *rva, uint32_t *type_index,
                     ls_error *err);

/* One place where an inline function was expanded. */
typedef struct ls_pdb_inline_site {
    const char *function;     /* the procedure containing the expansion */
    const char *caller;       /* the immediate caller: function, or an inline function in it */
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

/* A global or file-static data symbol. */
typedef struct ls_pdb_data {
    const char *name;         /* valid until ls_pdb_free */
    uint32_t rva;
    uint32_t type_index;      /* TPI type (ls_pdb_types_member_ti) */
} ls_pdb_data;
/* All data symbols sorted by RVA; *out is malloc'd (free() it). (src/symbols/pdb_data.c) */
int ls_pdb_data_symbols(ls_pdb *p, ls_pdb_data **out, size_t *count, ls_error *err);
/* The start RVAs of every procedure named name (static copies in several modules), at most max. */
int ls_pdb_functions_named(ls_pdb *p, const char *name, uint32_t *rvas, size_t max, size_t *count, ls_error *err);

/* Finds and opens the PDB matching an image's CodeView record: through the symbol path sp
 * (may be NULL), then in image_dir (names compared without case), then at the path the image
 * records. Unless force, a PDB whose GUID/age differ is refused (LS_EMISMATCH says why).
 * where gets the path used. (src/symbols/pdb_locate.c) */
int ls_pdb_locate(const ls_codeview *cv, ls_sympath *sp, const char *image_dir, int force, ls_pdb **out,
                  char *where, size_t wsize, ls_error *err);

/* ---- PDB types (src/symbols/pdb_types*.c): structure layouts from the TPI stream ---- */

#ifndef LS_TYPE_MEMBER_DEFINED
#define LS_TYPE_MEMBER_DEFINED
/* One member reached by a member path, or one entry of a member listing. */
typedef struct ls_type_member {
    uint64_t offset;          /* bytes from the start of the outer type */
    uint64_t size;            /* bytes of the member's type; for a bitfield its storage unit */
    unsigned bit_position;    /* bitfield: first bit inside the storage unit, else 0 */
    unsigned bit_width;       /* bitfield: width in bits, else 0 */
    uint32_t type_index;      /* the member's TPI type (a bitfield's LF_BITFIELD record) */
    char name[128];           /* last path component / member name ("<base>" for a base class) */
    char type_name[192];      /* C-like: "unsigned long", "_LIST_ENTRY", "void *", "UCHAR[4]" */
} ls_type_member;
#endif

/* The types of one PDB, indexed once. Borrows the ls_pdb: free it before the ls_pdb. Lookups
 * through a const ls_pdb_types may run on several threads at once. */
typedef struct ls_pdb_types ls_pdb_types;
int ls_pdb_types_open(ls_pdb *pdb, ls_pdb_types **out, ls_error *err);
void ls_pdb_types_free(ls_pdb_types *ty);
/* Offset, size and bitfield of a member path in a struct/union named `type` ("_EPROCESS"; a name
 * without its leading '_' is also tried): "UniqueProcessId", "Links[1].Next",
 * "ProcessorState.ContextFrame.Rip" (indices decimal or 0x-hex). Forward references resolve to
 * their definitions. LS_ENOTFOUND: no such type or member; LS_EINVAL: the path goes through a
 * pointer or bitfield, indexes a non-array or past its end; LS_ECORRUPT: bad type records. */
int ls_pdb_types_member(const ls_pdb_types *ty, const char *type, const char *path,
                        ls_type_member *out, ls_error *err);
/* Same, starting from a TPI type index (e.g. from ls_pdb_find_data). */
int ls_pdb_types_member_ti(const ls_pdb_types *ty, uint32_t type_index, const char *path,
                           ls_type_member *out, ls_error *err);
/* Size of a struct/union/enum by name, or of a built-in C type ("unsigned long"). */
int ls_pdb_types_size(const ls_pdb_types *ty, const char *type, uint64_t *size, ls_error *err);
/* Calls fn for each member of a struct/union in declaration order (for diagnostics); fn returns
 * non-zero to stop, and that value is returned. */
typedef int (*ls_type_member_fn)(void *ctx, const ls_type_member *m);
int ls_pdb_types_members(const ls_pdb_types *ty, const char *type, ls_type_member_fn fn,
                         void *ctx, ls_error *err);
/* One-shot forms: index the types, answer, forget (use ls_pdb_types for many lookups). */
int ls_pdb_member_offset(ls_pdb *pdb, const char *type, const char *path, ls_type_member *out,
                         ls_error *err);
int ls_pdb_type_size(ls_pdb *pdb, const char *type, uint64_t *size, ls_error *err);

#endif
