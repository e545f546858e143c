/* nt.h - the nt layer: what the dump says about the Windows kernel. OS version, the KDBG
 * block, loaded modules (PsLoadedModuleList, or a triage dump's driver list) and unloaded drivers. */
#ifndef LALSCAN_NT_H
#define LALSCAN_NT_H

#include "lalscan/vmem.h"

typedef struct ls_module {
    char name[96];             /* base name, e.g. "ntoskrnl.exe" */
    char path[260];            /* full path when known, e.g. "\SystemRoot\system32\ntoskrnl.exe" */
    uint64_t base;
    uint32_t size;
    uint32_t timestamp;        /* PE TimeDateStamp; 0 when unknown */
    uint32_t checksum;
} ls_module;

typedef struct ls_unloaded_driver {
    char name[96];
    uint64_t start, end;
    uint64_t time;             /* FILETIME, 0 when unknown */
} ls_unloaded_driver;

/* KDDEBUGGER_DATA64 fields lalscan uses (crashdump-format.md §5). Addresses of kernel globals
 * unless noted; 0 when the block is absent or too short for the field. */
typedef struct ls_kdbg {
    int present;               /* tag "KDBG" found and size plausible */
    uint64_t va;
    uint32_t size;
    uint64_t kern_base;        /* value */
    uint64_t ps_loaded_module_list, ps_active_process_head;
    uint64_t mm_pfn_database, pool_track_table, nt_build_lab, ki_processor_block;
    uint64_t mm_unloaded_drivers, mm_last_unloaded_driver;
    uint64_t mm_special_pool_tag, kernel_verifier, mm_verifier_data, vf_crash_data_block;
    uint16_t size_eprocess, size_prcb, size_ethread, offset_prcb_current_thread;
    uint64_t pte_base;         /* value */
} ls_kdbg;

typedef struct ls_os_version {
    uint32_t major, minor, build;
    const char *name;          /* "Windows 10 2004 / Server 2004", or NULL if the build is unknown */
} ls_os_version;

typedef struct ls_kernel ls_kernel;

/* Gathers kernel facts. Missing pieces (an unreadable module list, an encoded KDBG) become
 * warnings, not failures: a dump with a bad module list is still worth reporting. */
int ls_kernel_open(const ls_dump *d, ls_vmem *vm, ls_kernel **out, ls_error *err);
void ls_kernel_free(ls_kernel *k);

const ls_kdbg *ls_kernel_kdbg(const ls_kernel *k);
ls_os_version ls_kernel_os_version(const ls_kernel *k);
const char *ls_kernel_build_lab(const ls_kernel *k); /* NtBuildLab, or "" */
const ls_module *ls_kernel_modules(const ls_kernel *k, size_t *count);
const ls_unloaded_driver *ls_kernel_unloaded(const ls_kernel *k, size_t *count);
const ls_module *ls_kernel_module_at(const ls_kernel *k, uint64_t va);
const ls_module *ls_kernel_find_module(const ls_kernel *k, const char *name); /* case-insensitive */
/* Where the module list came from: "PsLoadedModuleList", "triage driver list", or "none". */
const char *ls_kernel_module_source(const ls_kernel *k);
size_t ls_kernel_warning_count(const ls_kernel *k);
const char *ls_kernel_warning(const ls_kernel *k, size_t i);

/* The symbolic name of a bug check code ("" when unknown; never guessed). */
const char *ls_bugcheck_name(uint32_t code, char *out, size_t outsize);

/* The part of a path after its last '\\' or '/' ("\\SystemRoot\\x.sys" -> "x.sys"). */
const char *ls_basename_nt(const char *path);

/* Version facts of an NT build number (table-driven). */
ls_os_version ls_os_version_of_build(uint32_t build);

#endif
