/* analysis_internal.h - private to the analysis layer: the analysis object and its steps. */
#ifndef LALSCAN_ANALYSIS_INTERNAL_H
#define LALSCAN_ANALYSIS_INTERNAL_H

#include "lalscan/analysis.h"

/* A call through an imported pool allocation routine: where it returns, and which routine. */
typedef struct ls_pool_call {
    uint32_t return_rva;
    const char *routine;
} ls_pool_call;

/* One module whose symbols were looked for (loaded lazily, once per analysis). */
typedef struct module_syms {
    ls_module_symbols info;
    uint64_t size;
    ls_pe *pe;
    ls_pdb *pdb;
    void *reader;              /* context of an image read from dump memory; outlives pe */
    ls_pool_call *pool_calls;  /* calls through pool-routine imports, scanned on first need */
    size_t npool_calls;
    int pool_scanned;
    uint16_t machine;
} module_syms;

struct ls_analysis {
    char *path;
    ls_analysis_options opts;
    ls_dump *dump;
    ls_vmem *vm;
    ls_kernel *kernel;
    ls_sympath *symbols;       /* -y / _NT_SYMBOL_PATH, or NULL */
    ls_sympath *images;        /* -i, or NULL */
    ls_bugcheck_info bc;
    ls_vf_global global;
    ls_vf_driver *vf;
    ls_vf_layout nt_layout;    /* from the kernel PDB's types, when one was given or found */
    int have_nt_layout;
    char nt_pdb[1024];         /* where those types came from */
    ls_vf_trace_globals trace_globals; /* from the kernel PDB's symbols */
    int have_trace_globals;
    char trace_pdb[1024];
    ls_vf_trace_info trace;
    int have_trace;
    ls_code_location *frame_locs; /* distinct stack frame addresses of all leaks */
    size_t nframe_locs;
    uint32_t **leak_stack;     /* per allocation: frame_locs indices of its stack, or NULL */
    char driver[96];
    ls_code_location *locs;    /* one per distinct call site address of vf->allocs */
    size_t nlocs;
    uint32_t *leak_loc;        /* per allocation: index into locs */
    size_t *site_of_loc;       /* per loc: index into sites (after sorting) */
    ls_site *sites;
    size_t nsites;
    ls_lookaside *lists;
    size_t nlists;
    int *leak_list;            /* per allocation: index into lists, or -1 */
    ls_diagnosis *diags;
    size_t ndiags;
    module_syms **mods;        /* each allocated once: pointers to them stay valid */
    size_t nmods;
    char bucket[512];
    ls_strlist warnings;
    int found;
};

void ls_analysis_warn(ls_analysis *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ls_analysis_diagnose(ls_analysis *a, const char *id, int severity, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Symbolizes a code address (return addresses: file/line from address - 1). */
void ls_analysis_locate(ls_analysis *a, uint64_t address, int is_return, ls_code_location *out);
void ls_analysis_free_symbols(ls_analysis *a);

int ls_analysis_group_sites(ls_analysis *a);
/* Finds the lookaside lists behind refill sites and the driver code that uses them. */
void ls_analysis_find_lookasides(ls_analysis *a);
/* Names the driver code that takes blocks from each list found. */
void ls_analysis_find_list_callers(ls_analysis *a);
/* Looks through the driver's own allocation wrappers to the code that calls them. */
void ls_analysis_find_wrapper_callers(ls_analysis *a);
/* The loaded symbols of the module containing address (NULL when none). */
module_syms *ls_analysis_module_syms(ls_analysis *a, uint64_t address);
/* Name of the lookaside helper a location is inside (function or inline frame), or NULL. */
const char *ls_lookaside_helper_at(const ls_code_location *w);
void ls_analysis_explain(ls_analysis *a);
void ls_analysis_make_bucket(ls_analysis *a);

#endif
