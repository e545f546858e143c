/* nt_internal.h - private to the nt layer: the kernel object and the readers that fill it. */
#ifndef LALSCAN_NT_INTERNAL_H
#define LALSCAN_NT_INTERNAL_H

#include "lalscan/nt.h"

enum { MAX_MODULES = 4096, MAX_UNLOADED = 256 };

struct ls_kernel {
    const ls_dump *dump;
    ls_vmem *vm;
    const ls_dump_header *hdr;
    ls_kdbg kdbg;
    char build_lab[128];
    ls_module *modules;
    size_t nmodules;
    const char *module_source;
    ls_unloaded_driver *unloaded;
    size_t nunloaded;
    ls_strlist warnings;
};

void ls_kernel_warn(ls_kernel *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ls_kernel_add_module(ls_kernel *k, const ls_module *m);

void ls_kernel_read_kdbg(ls_kernel *k);
void ls_kernel_read_modules(ls_kernel *k);        /* PsLoadedModuleList walk */
void ls_kernel_read_triage_drivers(ls_kernel *k); /* driver list + string pool */
void ls_kernel_read_unloaded(ls_kernel *k);

/* UTF-16LE → UTF-8 (BMP only; invalid units become '?'), always NUL-terminated. */
void ls_utf16_to_utf8(const uint8_t *s, size_t units, char *out, size_t outsize);
/* Reads a UNICODE_STRING at va (x86 or x64 layout) into out. */
int ls_kernel_read_unicode(ls_kernel *k, uint64_t va, char *out, size_t outsize, ls_error *err);

#endif
