/* json_parts.c - JSON members shared by every lalscan.report/1 document: tool, dump,
 * bugcheck, modules, KDBG (64-bit values as "0x..." strings, absent facts null + a warning). */
#include "report_internal.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

cJSON *ls_json_hex(uint64_t v)
{
    char b[19];
    ls_hex(b, v);
    return cJSON_CreateString(b);
}

void ls_json_add_hex(cJSON *o, const char *k, uint64_t v)
{
    cJSON *s = ls_json_hex(v);
    if (!cJSON_AddItemToObject(o, k, s))
        cJSON_Delete(s);
}

cJSON *ls_json_tool(void)
{
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "name", "lalscan");
    cJSON_AddStringToObject(t, "version", LS_VERSION);
    return t;
}

void ls_json_add(cJSON *o, const char *k, cJSON *v)
{
    if (!cJSON_AddItemToObject(o, k, v))
        cJSON_Delete(v);
}

cJSON *ls_json_dump(const ls_dump *d, const char *path, cJSON *warnings)
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

cJSON *ls_json_bugcheck(const ls_dump_header *h, const char *driver)
{
    ls_bugcheck_info bc;
    ls_bugcheck_decode(h->bugcheck_code, h->bugcheck_params, &bc);
    cJSON *b = cJSON_CreateObject();
    ls_json_add_hex(b, "code", h->bugcheck_code);
    if (bc.name[0])
        cJSON_AddStringToObject(b, "name", bc.name);
    else
        cJSON_AddNullToObject(b, "name");
    cJSON *p = cJSON_AddArrayToObject(b, "parameters");
    for (int i = 0; i < 4; i++)
        cJSON_AddItemToArray(p, ls_json_hex(h->bugcheck_params[i]));
    if (bc.has_subcode) {
        cJSON *s = cJSON_AddObjectToObject(b, "subcode");
        ls_json_add_hex(s, "value", bc.subcode);
        if (bc.subcode_name)
            cJSON_AddStringToObject(s, "name", bc.subcode_name);
        else
            cJSON_AddNullToObject(s, "name");
        if (bc.description)
            cJSON_AddStringToObject(s, "description", bc.description);
        else
            cJSON_AddNullToObject(s, "description");
    } else {
        cJSON_AddNullToObject(b, "subcode");
    }
    if (driver && driver[0])
        cJSON_AddStringToObject(b, "driver", driver);
    else
        cJSON_AddNullToObject(b, "driver");
    return b;
}

cJSON *ls_json_modules(const ls_kernel *k)
{
    size_t n;
    const ls_module *m = ls_kernel_modules(k, &n);
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", m[i].name);
        ls_json_add_hex(o, "base", m[i].base);
        cJSON_AddNumberToObject(o, "size", m[i].size);
        cJSON_AddNumberToObject(o, "timestamp", m[i].timestamp);
        if (m[i].path[0])
            cJSON_AddStringToObject(o, "path", m[i].path);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

cJSON *ls_json_unloaded(const ls_kernel *k)
{
    size_t n;
    const ls_unloaded_driver *u = ls_kernel_unloaded(k, &n);
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", u[i].name);
        ls_json_add_hex(o, "start", u[i].start);
        ls_json_add_hex(o, "end", u[i].end);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

cJSON *ls_json_kdbg(const ls_kernel *k)
{
    const ls_kdbg *g = ls_kernel_kdbg(k);
    if (!g->present)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    ls_json_add_hex(o, "address", g->va);
    cJSON_AddNumberToObject(o, "size", g->size);
    ls_json_add_hex(o, "kernel_base", g->kern_base);
    ls_json_add_hex(o, "ps_loaded_module_list", g->ps_loaded_module_list);
    ls_json_add_hex(o, "mm_verifier_data", g->mm_verifier_data);
    if (ls_kernel_build_lab(k)[0])
        cJSON_AddStringToObject(o, "build_lab", ls_kernel_build_lab(k));
    return o;
}

int ls_json_finish(cJSON *root, ls_buf *out, ls_error *err)
{
    char *s = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!s)
        return ls_error_oom(err);
    ls_buf_printf(out, "%s\n", s);
    cJSON_free(s);
    return out->oom ? ls_error_oom(err) : 0;
}

