/* info_json.c - `lalscan info --json`: a lalscan.report/1 document with the dump, bug check,
 * KDBG and modules; and the document written for a dump that could not be read. */
#include "report_internal.h"

int ls_report_info_json(const ls_dump *d, const ls_kernel *k, const char *path, unsigned flags, ls_buf *out,
                        ls_error *err)
{
    (void)flags;
    cJSON *root = cJSON_CreateObject();
    cJSON *warnings = cJSON_CreateArray();
    cJSON_AddStringToObject(root, "schema", LS_SCHEMA_REPORT);
    ls_json_add(root, "tool", ls_json_tool());
    ls_json_add(root, "dump", ls_json_dump(d, path, warnings));
    ls_json_add(root, "bugcheck", ls_json_bugcheck(ls_dump_get_header(d), NULL));
    ls_json_add(root, "modules", ls_json_modules(k));
    ls_json_add(root, "unloaded_modules", ls_json_unloaded(k));
    ls_json_add(root, "kdbg", ls_json_kdbg(k));
    for (size_t i = 0; i < ls_dump_warning_count(d); i++)
        cJSON_AddItemToArray(warnings, cJSON_CreateString(ls_dump_warning(d, i)));
    for (size_t i = 0; i < ls_kernel_warning_count(k); i++)
        cJSON_AddItemToArray(warnings, cJSON_CreateString(ls_kernel_warning(k, i)));
    ls_json_add(root, "warnings", warnings);
    return ls_json_finish(root, out, err);
}

int ls_report_error_json(const char *path, const ls_error *e, ls_buf *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", LS_SCHEMA_REPORT);
    ls_json_add(root, "tool", ls_json_tool());
    cJSON *dj = cJSON_AddObjectToObject(root, "dump");
    cJSON_AddStringToObject(dj, "path", path);
    cJSON *er = cJSON_AddObjectToObject(root, "error");
    cJSON_AddStringToObject(er, "code", ls_status_name(e->code));
    cJSON_AddStringToObject(er, "message", e->msg);
    return ls_json_finish(root, out, NULL);
}
