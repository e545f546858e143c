/* report_internal.h - private to the report layer: JSON pieces shared by `info` and the
 * analysis report, so both print the dump, bug check and modules the same way. */
#ifndef LALSCAN_REPORT_INTERNAL_H
#define LALSCAN_REPORT_INTERNAL_H

#include <cJSON.h>

#include "lalscan/report.h"
#include "lalscan/verifier.h"

cJSON *ls_json_hex(uint64_t v);
void ls_json_add_hex(cJSON *o, const char *k, uint64_t v);
void ls_json_add(cJSON *o, const char *k, cJSON *v);
cJSON *ls_json_tool(void);
cJSON *ls_json_dump(const ls_dump *d, const char *path, cJSON *warnings);
cJSON *ls_json_bugcheck(const ls_dump_header *h, const char *driver);
cJSON *ls_json_modules(const ls_kernel *k);
cJSON *ls_json_unloaded(const ls_kernel *k);
cJSON *ls_json_kdbg(const ls_kernel *k);
int ls_json_finish(cJSON *root, ls_buf *out, ls_error *err);

/* Text helpers: a paragraph wrapped at width with an indent; explicit newlines kept. */
void ls_text_wrap(ls_buf *o, const char *text, int indent, int width);

#endif
