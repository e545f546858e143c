/* info_json.c - `lalscan info --json`: the dump, bugcheck and modules members of the
 * lalscan.report/1 contract (64-bit values as "0x..." strings, absent facts null + a warning). */
#include "lalscan/report.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

static cJSON *hexstr(uint64_t v)
{
    char b[19];
    ls_hex(b, v);
    return cJSON_CreateString(b);
}

static void add_hex(cJSON *o, const char *k, uint64_t v)
{
    cJSON *s = hexstr(v);
    if (!cJSON_AddItemToObject(o, k, s))
        cJSON_Delete(s);
}

static cJSON *tool_json(void)
{
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "name", "lalscan");
    cJSON_AddStringToObject(t, "version", LS_VERSION);
    return t;
}

static void add(cJSON *o, const char *k, cJSON *v)
{
    if (!cJSON_AddItemToObject(o, k, v))
        cJSON_Delete(v);
}

static cJSON *dump_json(const ls_dump *d, const char *path, cJSON *warnings)
{
    const ls_dump_header *h = ls_dump_get_header(d);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "path", path);
    cJSON_AddNumberToObject(j, "size", (double)ls_source_file_size(ls_dump_source(d)));
    if (ls_source_wrapper(ls_dump_source(d)) == LS_WRAP_GZIP)
        cJSON_AddStringToObject(j, "compression", "gzip");
    cJSON_AddStringToObject(j, "format", ls_dump_format_word(h->format));
    cJSON_AddStringToObject(j, "type", ls_dump_type_word(h->dump_type));
    cJSON_AddNumberToObject(j, "type_code", h->dump_type);
    cJSON_AddStringToObject(j, "arch", ls_arch_word(h->arch));
    cJSON_AddBoolToObject(j, "pae", h->arch == LS_ARCH_X86 && h->pae);
    cJSON_AddNumberToObject(j, "processors", h->processors);
    ls_os_version v = ls_os_version_of_build(h->build);
    cJSON *os = cJSON_AddObjectToObject(j, "os");
    if (v.major) {
        cJSON_AddNumberToObject(os, "major", v.major);
        cJSON_AddNumberToObject(os, "minor", v.minor);
    } else {
        cJSON_AddNullToObject(os, "major");
        cJSON_AddNullToObject(os, "minor");
    }
    cJSON_AddNumberToObject(os, "build", h->build);
    if (v.name)
        cJSON_AddStringToObject(os, "name", v.name);
    char iso[32];
    if (h->has_system_time && ls_filetime_iso(h->system_time, iso) == 0) {
        cJSON_AddStringToObject(j, "system_time", iso);
    } else {
        cJSON_AddNullToObject(j, "system_time");
        cJSON_AddItemToArray(warnings, cJSON_CreateString("the dump header records no system time"));
    }
    if (h->has_uptime) {
        cJSON_AddNumberToObject(j, "uptime_s", (double)(h->uptime / 10000000ull));
    } else {
        cJSON_AddNullToObject(j, "uptime_s");
        cJSON_AddItemToArray(warnings, cJSON_CreateString("the dump header records no uptime"));
    }
    return j;
}

static cJSON *bugcheck_json(const ls_dump_header *h)
{
    cJSON *b = cJSON_CreateObject();
    char name[96];
    add_hex(b, "code", h->bugcheck_code);
    if (ls_bugcheck_name(h->bugcheck_code, name, sizeof name)[0])
        cJSON_AddStringToObject(b, "name", name);
    else
        cJSON_AddNullToObject(b, "name");
    cJSON *p = cJSON_AddArrayToObject(b, "parameters");
    for (int i = 0; i < 4; i++)
        cJSON_AddItemToArray(p, hexstr(h->bugcheck_params[i]));
    cJSON_AddNullToObject(b, "subcode");
    cJSON_AddNullToObject(b, "driver");
    return b;
}

static cJSON *modules_json(const ls_kernel *k)
{
    size_t n;
    const ls_module *m = ls_kernel_modules(k, &n);
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", m[i].name);
        add_hex(o, "base", m[i].base);
        cJSON_AddNumberToObject(o, "size", m[i].size);
        cJSON_AddNumberToObject(o, "timestamp", m[i].timestamp);
        if (m[i].path[0])
            cJSON_AddStringToObject(o, "path", m[i].path);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *unloaded_json(const ls_kernel *k)
{
    size_t n;
    const ls_unloaded_driver *u = ls_kernel_unloaded(k, &n);
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", u[i].name);
        add_hex(o, "start", u[i].start);
        add_hex(o, "end", u[i].end);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *kdbg_json(const ls_kernel *k)
{
    const ls_kdbg *g = ls_kernel_kdbg(k);
    if (!g->present)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    add_hex(o, "address", g->va);
    cJSON_AddNumberToObject(o, "size", g->size);
    add_hex(o, "kernel_base", g->kern_base);
    add_hex(o, "ps_loaded_module_list", g->ps_loaded_module_list);
    add_hex(o, "mm_verifier_data", g->mm_verifier_data);
    if (ls_kernel_build_lab(k)[0])
        cJSON_AddStringToObject(o, "build_lab", ls_kernel_build_lab(k));
    return o;
}

static int finish(cJSON *root, ls_buf *out, ls_error *err)
{
    char *s = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!s)
        return ls_error_oom(err);
    ls_buf_printf(out, "%s\n", s);
    cJSON_free(s);
    return out->oom ? ls_error_oom(err) : 0;
}

int ls_report_info_json(const ls_dump *d, const ls_kernel *k, const char *path, unsigned flags, ls_buf *out,
                        ls_error *err)
{
    (void)flags;
    cJSON *root = cJSON_CreateObject();
    cJSON *warnings = cJSON_CreateArray();
    cJSON_AddStringToObject(root, "schema", LS_SCHEMA_REPORT);
    add(root, "tool", tool_json());
    add(root, "dump", dump_json(d, path, warnings));
    add(root, "bugcheck", bugcheck_json(ls_dump_get_header(d)));
    add(root, "modules", modules_json(k));
    add(root, "unloaded_modules", unloaded_json(k));
    add(root, "kdbg", kdbg_json(k));
    for (size_t i = 0; i < ls_dump_warning_count(d); i++)
        cJSON_AddItemToArray(warnings, cJSON_CreateString(ls_dump_warning(d, i)));
    for (size_t i = 0; i < ls_kernel_warning_count(k); i++)
        cJSON_AddItemToArray(warnings, cJSON_CreateString(ls_kernel_warning(k, i)));
    add(root, "warnings", warnings);
    return finish(root, out, err);
}

int ls_report_error_json(const char *path, const ls_error *e, ls_buf *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", LS_SCHEMA_REPORT);
    add(root, "tool", tool_json());
    cJSON *dj = cJSON_AddObjectToObject(root, "dump");
    cJSON_AddStringToObject(dj, "path", path);
    cJSON *er = cJSON_AddObjectToObject(root, "error");
    cJSON_AddStringToObject(er, "code", ls_status_name(e->code));
    cJSON_AddStringToObject(er, "message", e->msg);
    return finish(root, out, NULL);
}
