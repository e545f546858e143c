/* analysis.h - the analysis layer: one dump's story. Bug check, Verifier's records of the
 * driver's outstanding allocations with their call sites symbolized, grouped into sites,
 * cross-checked, explained (diagnoses) and given a bucket signature for deduplication. */
#ifndef LALSCAN_ANALYSIS_H
#define LALSCAN_ANALYSIS_H

#include "lalscan/symbols.h"
#include "lalscan/verifier.h"

typedef struct ls_analysis_options {
    const char *symbol_path;   /* -y; NULL: $_NT_SYMBOL_PATH */
    const char *image_path;    /* -i: where driver images are (a symbol path) */
    const char *nt_pdb;        /* --nt-pdb: kernel PDB (layouts from its types) */
    const char *driver;        /* --driver NAME: report Verifier records without a 0xC4 */
    int force_pdb;             /* use PDBs whose GUID/age differ */
    int offline;               /* --offline: symbol servers are not contacted (caches are read) */
    ls_symsrv_progress_fn progress; /* downloads from symbol servers, or NULL */
    void *progress_ctx;
} ls_analysis_options;

#define LS_MAX_INLINES 8
typedef struct ls_frame_info {
    char symbol[256];
    char file[260];
    uint32_t line;
} ls_frame_info;

/* A code address as a developer reads it. For a return address (is_return), symbol and
 * displacement are of the address itself while file and line come from address - 1. */
typedef struct ls_code_location {
    uint64_t address;
    int is_return;
    char module[96];           /* "mydriver.sys", "" when no module contains it */
    uint64_t module_base;
    uint64_t offset;           /* address - module_base */
    char symbol[256];          /* containing function, "" when unknown */
    uint64_t displacement;
    char file[260];            /* of the containing function's line; "" when unknown */
    uint32_t line;
    unsigned ninlines;         /* inline frames at the call, innermost first */
    ls_frame_info inlines[LS_MAX_INLINES];
} ls_code_location;

/* Driver code that takes blocks from a lookaside list (the real consumers behind a refill site). */
typedef struct ls_lookaside_caller {
    ls_code_location where;    /* the call (or inline expansion) in the caller */
    const char *how;           /* "inlined", "call" */
    int references_list;       /* the caller's code refers to this list's address */
} ls_lookaside_caller;

typedef struct ls_site {
    ls_code_location where;
    size_t count;
    uint64_t bytes;
    uint32_t tags[8];
    size_t ntags;
    int lookaside;             /* index into ls_analysis_lookasides, or -1 */
    /* The site's function only wraps a pool allocation routine: the code that calls it. */
    const char *wraps;         /* "ExAllocatePoolWithTag", ... or NULL */
    ls_lookaside_caller *callers;
    size_t ncallers;
} ls_site;

/* A lookaside list the leaked blocks came from (verifier.md §4). */
typedef struct ls_lookaside {
    uint64_t address;
    char name[160];            /* "g_ContextLookaside" (+0x.. inside a variable), "" when unknown */
    const char *found_by;      /* "pdb-symbol" or "data-scan" */
    const char *helper;        /* the allocate helper the sites were recorded in */
    int helper_inlined;        /* 1 inlined into its callers, 0 a function in the driver */
    uint32_t tag, size, type;
    uint32_t depth, maximum_depth, cached;
    uint32_t total_allocates, allocate_misses, total_frees, free_misses;
    uint64_t allocate_routine, free_routine;
    char allocate_name[160], free_name[160];
    int live;                  /* 1 still linked into the kernel's list, 0 deleted, -1 unknown */
    size_t blocks;             /* leaked blocks attributed to this list */
    uint64_t bytes;
    ls_lookaside_caller *callers;
    size_t ncallers;
} ls_lookaside;

enum ls_severity { LS_SEV_INFO = 0, LS_SEV_WARNING = 1, LS_SEV_ERROR = 2 };
typedef struct ls_diagnosis {
    const char *id;            /* stable word: "pool-leak-at-unload", ... */
    int severity;
    char *message;             /* plain words, may span lines */
} ls_diagnosis;

/* Where a module's symbols came from, for the report. */
typedef struct ls_module_symbols {
    char module[96];
    uint64_t base;
    char image_source[300];    /* "dump memory" or the image file */
    char pdb_path[1024];       /* "" when no PDB */
    char problem[400];         /* why there is no PDB, or "" */
} ls_module_symbols;

typedef struct ls_analysis ls_analysis;

/* Analyzes one dump. Fails only when the dump cannot be read at all; everything else that is
 * missing becomes a warning inside the analysis. */
int ls_analyze_dump(const char *path, const ls_analysis_options *opts, ls_analysis **out, ls_error *err);
void ls_analysis_free(ls_analysis *a);

const char *ls_analysis_path(const ls_analysis *a);
const ls_dump *ls_analysis_dump(const ls_analysis *a);
const ls_kernel *ls_analysis_kernel(const ls_analysis *a);
const ls_bugcheck_info *ls_analysis_bugcheck(const ls_analysis *a);
const ls_vf_global *ls_analysis_verifier_global(const ls_analysis *a);
/* Verifier's record of the driver, or NULL (no 0xC4 leak, small dump, unreadable record). */
const ls_vf_driver *ls_analysis_verifier(const ls_analysis *a);
/* The driver the bug check names ("" when none). */
const char *ls_analysis_driver(const ls_analysis *a);
/* The stack Verifier's log kept for allocation i: number of frames (0 when none) and *status
 * (enum ls_stack_status); frames are return addresses, newest call first. */
unsigned ls_analysis_leak_stack(const ls_analysis *a, size_t i, int *status);
const ls_code_location *ls_analysis_leak_frame(const ls_analysis *a, size_t i, unsigned frame);
/* Call site of allocation i of ls_analysis_verifier()->allocs. */
const ls_code_location *ls_analysis_leak_caller(const ls_analysis *a, size_t i);
const ls_site *ls_analysis_sites(const ls_analysis *a, size_t *count);
const ls_lookaside *ls_analysis_lookasides(const ls_analysis *a, size_t *count);
/* The lookaside list allocation i came from, or -1. */
int ls_analysis_leak_lookaside(const ls_analysis *a, size_t i);
const ls_diagnosis *ls_analysis_diagnoses(const ls_analysis *a, size_t *count);
size_t ls_analysis_module_count(const ls_analysis *a);
const ls_module_symbols *ls_analysis_module_symbol(const ls_analysis *a, size_t i);
const char *ls_analysis_bucket(const ls_analysis *a);
/* The kernel PDB whose types gave the Verifier layouts ("" when the built-in table was used). */
const char *ls_analysis_nt_pdb(const ls_analysis *a);
size_t ls_analysis_warning_count(const ls_analysis *a);
const char *ls_analysis_warning(const ls_analysis *a, size_t i);
/* 1 when a leak or a Verifier violation was found. */
int ls_analysis_found(const ls_analysis *a);

/* Non-NULL when a function name is one of the WDK lookaside allocate helpers. */
const char *ls_lookaside_helper_name(const char *function);

/* "mydriver!CtxCreate+0x4a", "mydriver+0x11ca" without a symbol, "0xfffff803..." outside modules. */
void ls_location_text(const ls_code_location *w, char *out, size_t n);

/* Formats a tag as its four bytes in memory order, non-printable bytes as '.'. */
void ls_tag_text(uint32_t tag, char out[5]);

#endif
