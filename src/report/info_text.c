/* info_text.c - the text rendering of `lalscan info`: one screen of header facts a triage
 * engineer reads first, then (on request) the module table, then every warning. */
#include "lalscan/report.h"

#include <inttypes.h>
#include <stdio.h>

static void uptime_text(uint64_t t100ns, char *out, size_t n)
{
    uint64_t s = t100ns / 10000000ull;
    snprintf(out, n, "%" PRIu64 " d %02u:%02u:%02u", s / 86400, (unsigned)(s / 3600 % 24),
             (unsigned)(s / 60 % 60), (unsigned)(s % 60));
}

static void os_text(const ls_dump_header *h, char *out, size_t n)
{
    ls_os_version v = ls_os_version_of_build(h->build);
    if (v.name)
        snprintf(out, n, "%s (build %u)", v.name, h->build);
    else if (v.major)
        snprintf(out, n, "Windows NT %u.%u (build %u)", v.major, v.minor, h->build);
    else
        snprintf(out, n, "build %u", h->build);
}

int ls_report_info_text(const ls_dump *d, const ls_kernel *k, const char *path, unsigned flags, ls_buf *o)
{
    const ls_dump_header *h = ls_dump_get_header(d);
    char os[96], buf[64], name[96];
    os_text(h, os, sizeof os);
    int w = h->format == LS_FORMAT_PAGEDU64 ? 16 : 8;
    const char *arch = h->arch == LS_ARCH_X86 ? (h->pae ? "x86 PAE" : "x86") : ls_arch_word(h->arch);

    ls_buf_printf(o, "%s\n", path);
    ls_buf_printf(o, "  dump         %s, %s (%s, DumpType %u)%s\n", ls_dump_type_title(h->dump_type), arch,
                  h->format == LS_FORMAT_PAGEDU64 ? "PAGEDU64" : "PAGEDUMP", h->dump_type,
                  ls_source_wrapper(ls_dump_source(d)) == LS_WRAP_GZIP ? ", gzip" : "");
    ls_buf_printf(o, "  system       %s, %u processor%s%s\n", os, h->processors, h->processors == 1 ? "" : "s",
                  h->major_version == 0xC ? ", checked build" : "");
    if (ls_kernel_build_lab(k)[0])
        ls_buf_printf(o, "  build lab    %s\n", ls_kernel_build_lab(k));
    if (h->has_system_time && ls_filetime_iso(h->system_time, buf) == 0)
        ls_buf_printf(o, "  time         %s\n", buf);
    else
        ls_buf_printf(o, "  time         (not recorded)\n");
    if (h->has_uptime) {
        uptime_text(h->uptime, buf, sizeof buf);
        ls_buf_printf(o, "  uptime       %s\n", buf);
    } else {
        ls_buf_printf(o, "  uptime       (not recorded)\n");
    }
    ls_bugcheck_name(h->bugcheck_code, name, sizeof name);
    ls_buf_printf(o, "  bug check    0x%X%s%s\n", h->bugcheck_code, name[0] ? " " : "", name);
    for (int i = 0; i < 4; i++)
        ls_buf_printf(o, "    P%d         0x%0*" PRIx64 "\n", i + 1, w, h->bugcheck_params[i]);
    const ls_kdbg *g = ls_kernel_kdbg(k);
    if (g->present)
        ls_buf_printf(o, "  KDBG         0x%0*" PRIx64 " (0x%x bytes), kernel base 0x%0*" PRIx64 "\n", w, g->va,
                      g->size, w, g->kern_base);
    else
        ls_buf_printf(o, "  KDBG         (not readable)\n");
    size_t nmod, nun;
    const ls_module *m = ls_kernel_modules(k, &nmod);
    const ls_unloaded_driver *u = ls_kernel_unloaded(k, &nun);
    ls_buf_printf(o, "  modules      %zu loaded (%s), %zu unloaded\n", nmod, ls_kernel_module_source(k), nun);
    if (flags & LS_INFO_MODULES) {
        ls_buf_printf(o, "\nLoaded modules\n  %-*s  %-10s  %-10s  %s\n", w + 2, "base", "size", "timestamp", "name");
        if (nmod == 0)
            ls_buf_printf(o, "  (none: see the warnings below)\n");
        for (size_t i = 0; i < nmod; i++)
            ls_buf_printf(o, "  0x%0*" PRIx64 "  0x%08x  0x%08x  %s\n", w, m[i].base, m[i].size, m[i].timestamp,
                          m[i].name);
        if (nun) {
            ls_buf_printf(o, "\nUnloaded drivers\n  %-*s  %-*s  %s\n", w + 2, "start", w + 2, "end", "name");
            for (size_t i = 0; i < nun; i++)
                ls_buf_printf(o, "  0x%0*" PRIx64 "  0x%0*" PRIx64 "  %s\n", w, u[i].start, w, u[i].end, u[i].name);
        }
    }
    size_t nw = ls_dump_warning_count(d), nk = ls_kernel_warning_count(k);
    if (nw + nk)
        ls_buf_printf(o, "\n");
    for (size_t i = 0; i < nw; i++)
        ls_buf_printf(o, "warning: %s\n", ls_dump_warning(d, i));
    for (size_t i = 0; i < nk; i++)
        ls_buf_printf(o, "warning: %s\n", ls_kernel_warning(k, i));
    return o->oom ? LS_ENOMEM : 0;
}
