/* kernel.c - the kernel-facts object: runs each reader once at open and answers queries.
 * Every reader degrades to a warning so one broken structure does not hide the others. */
#include "nt_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ls_kernel_warn(ls_kernel *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ls_strlist_vadd(&k->warnings, 64, fmt, ap);
    va_end(ap);
}

int ls_kernel_add_module(ls_kernel *k, const ls_module *m)
{
    if (k->nmodules >= MAX_MODULES)
        return -1;
    if ((k->nmodules & (k->nmodules - 1)) == 0) { /* grow at powers of two */
        size_t cap = k->nmodules ? k->nmodules * 2 : 16;
        ls_module *v = realloc(k->modules, cap * sizeof *v);
        if (!v)
            return -1;
        k->modules = v;
    }
    k->modules[k->nmodules++] = *m;
    return 0;
}

/* A triage dump's ETHREAD copy has no VA of its own: the PRCB copy's CurrentThread gives it
 * (crashdump-format.md §4.4), after which vmem can serve reads of the current thread. */
static void add_current_thread(ls_kernel *k, const ls_triage *t)
{
    const ls_kdbg *g = &k->kdbg;
    if (!g->present || !t->prcb_offset || !t->thread_offset || !g->size_ethread ||
        !g->offset_prcb_current_thread || g->offset_prcb_current_thread >= g->size_prcb)
        return;
    int is64 = ls_vmem_ptr_size(k->vm) == 8;
    const uint8_t *p = ls_source_at(ls_dump_source(k->dump), (uint64_t)t->prcb_offset + g->offset_prcb_current_thread,
                                    is64 ? 8 : 4);
    if (!p)
        return;
    uint64_t thread = is64 ? ls_le64(p) : ls_le32(p);
    ls_error e;
    if (thread && ls_vmem_add_range(k->vm, thread, t->thread_offset, g->size_ethread, &e))
        ls_kernel_warn(k, "current thread copy: %s", e.msg);
}

int ls_kernel_open(const ls_dump *d, ls_vmem *vm, ls_kernel **out, ls_error *err)
{
    if (!d || !vm || !out)
        return ls_error_set(err, LS_EINVAL, "ls_kernel_open: no dump");
    ls_kernel *k = calloc(1, sizeof *k);
    if (!k)
        return ls_error_oom(err);
    k->dump = d;
    k->vm = vm;
    k->hdr = ls_dump_get_header(d);
    k->module_source = "none";
    ls_kernel_read_kdbg(k);
    if (ls_dump_get_triage(d))
        add_current_thread(k, ls_dump_get_triage(d));
    if (ls_dump_get_triage(d))
        ls_kernel_read_triage_drivers(k);
    else if (ls_dump_has_physical(d))
        ls_kernel_read_modules(k);
    ls_kernel_read_unloaded(k);
    *out = k;
    return 0;
}

void ls_kernel_free(ls_kernel *k)
{
    if (!k)
        return;
    ls_strlist_free(&k->warnings);
    free(k->modules);
    free(k->unloaded);
    free(k);
}

const ls_kdbg *ls_kernel_kdbg(const ls_kernel *k) { return k ? &k->kdbg : NULL; }
const char *ls_kernel_build_lab(const ls_kernel *k) { return k ? k->build_lab : ""; }
const char *ls_kernel_module_source(const ls_kernel *k) { return k ? k->module_source : "none"; }
size_t ls_kernel_warning_count(const ls_kernel *k) { return k ? k->warnings.n : 0; }
const char *ls_kernel_warning(const ls_kernel *k, size_t i) { return k && i < k->warnings.n ? k->warnings.v[i] : NULL; }

ls_os_version ls_kernel_os_version(const ls_kernel *k)
{
    return ls_os_version_of_build(k ? k->hdr->build : 0);
}

const ls_module *ls_kernel_modules(const ls_kernel *k, size_t *count)
{
    *count = k ? k->nmodules : 0;
    return k ? k->modules : NULL;
}

const ls_unloaded_driver *ls_kernel_unloaded(const ls_kernel *k, size_t *count)
{
    *count = k ? k->nunloaded : 0;
    return k ? k->unloaded : NULL;
}

const ls_module *ls_kernel_module_at(const ls_kernel *k, uint64_t va)
{
    for (size_t i = 0; k && i < k->nmodules; i++)
        if (va >= k->modules[i].base && va - k->modules[i].base < k->modules[i].size)
            return &k->modules[i];
    return NULL;
}

const ls_module *ls_kernel_find_module(const ls_kernel *k, const char *name)
{
    if (!k || !name)
        return NULL;
    size_t n = strlen(name);
    for (size_t i = 0; i < k->nmodules; i++) {
        const char *m = k->modules[i].name;
        if (strcasecmp(m, name) == 0)
            return &k->modules[i];
        /* "mydriver" matches "mydriver.sys" */
        if (strncasecmp(m, name, n) == 0 && m[n] == '.')
            return &k->modules[i];
    }
    return NULL;
}

void ls_utf16_to_utf8(const uint8_t *s, size_t units, char *out, size_t outsize)
{
    size_t o = 0;
    for (size_t i = 0; i < units && o + 4 < outsize; i++) {
        unsigned c = ls_le16(s + 2 * i);
        if (c == 0)
            break;
        if (c < 0x80) {
            out[o++] = (char)(c < 0x20 ? '?' : c);
        } else if (c < 0x800) {
            out[o++] = (char)(0xC0 | (c >> 6));
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else if (c >= 0xD800 && c < 0xE000) {
            out[o++] = '?';
        } else {
            out[o++] = (char)(0xE0 | (c >> 12));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    if (outsize)
        out[o < outsize ? o : outsize - 1] = '\0';
}

const char *ls_basename_nt(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '\\' || *p == '/')
            b = p + 1;
    return b;
}

int ls_kernel_read_unicode(ls_kernel *k, uint64_t va, char *out, size_t outsize, ls_error *err)
{
    int is64 = ls_vmem_ptr_size(k->vm) == 8;
    uint8_t us[16];
    int rc = ls_vmem_read(k->vm, va, us, is64 ? 16 : 8, err);
    if (rc)
        return rc;
    uint16_t len = ls_le16(us), max = ls_le16(us + 2);
    uint64_t buf = is64 ? ls_le64(us + 8) : ls_le32(us + 4);
    if (len % 2 || len > max || len >= 0x1000)
        return ls_error_set(err, LS_ECORRUPT,
                            "UNICODE_STRING at 0x%" PRIx64 ": Length %u / MaximumLength %u is not a valid string",
                            va, len, max);
    uint8_t tmp[0x1000];
    if (len && (rc = ls_vmem_read(k->vm, buf, tmp, len, err)) != 0)
        return rc;
    ls_utf16_to_utf8(tmp, len / 2u, out, outsize);
    return 0;
}
