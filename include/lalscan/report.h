/* report.h - the report layer: text and JSON renderings of what the lower layers found.
 * Renderers decide nothing; they write into a caller's buffer and never print. */
#ifndef LALSCAN_REPORT_H
#define LALSCAN_REPORT_H

#include "lalscan/analysis.h"

#define LS_SCHEMA_REPORT "lalscan.report/1"

enum ls_info_flags {
    LS_INFO_MODULES = 1 << 0, /* list every module (text); JSON always carries them */
};

/* `lalscan info`: header facts, bug check, KDBG, modules and warnings. display_path is the
 * path as the user gave it. */
int ls_report_info_text(const ls_dump *d, const ls_kernel *k, const char *display_path, unsigned flags,
                        ls_buf *out);
/* The same as one JSON document (schema lalscan.report/1: schema, tool, dump, bugcheck,
 * modules, unloaded, kdbg, warnings), unformatted, ending with a newline. */
int ls_report_info_json(const ls_dump *d, const ls_kernel *k, const char *display_path, unsigned flags,
                        ls_buf *out, ls_error *err);
/* A document for an input that could not be read: schema, tool, dump{path}, error{code, message}. */
int ls_report_error_json(const char *display_path, const ls_error *e, ls_buf *out);

/* The analysis of one dump, as a person reads it: what stopped the machine, which driver,
 * what is still allocated and where, why, and what to change. */
int ls_report_analysis_text(const ls_analysis *a, ls_buf *out);
/* The same as one lalscan.report/1 JSON document (one line). */
int ls_report_analysis_json(const ls_analysis *a, ls_buf *out, ls_error *err);

#endif
