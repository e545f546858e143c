/* error.c - the error object: set, prefix as it travels up, and name status codes.
 * Nothing here allocates, so an out-of-memory failure can always be reported. */
#include "lalscan/base.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ls_error_set(ls_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

int ls_error_prefix(ls_error *err, const char *fmt, ...)
{
    if (!err)
        return LS_EINVAL;
    char head[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    if (n < 0)
        return err->code;
    size_t hl = strlen(head);
    size_t ml = strlen(err->msg);
    if (hl + 2 >= sizeof err->msg)
        hl = sizeof err->msg - 3;
    if (hl + 2 + ml >= sizeof err->msg)
        ml = sizeof err->msg - 1 - hl - 2;
    memmove(err->msg + hl + 2, err->msg, ml);
    memcpy(err->msg, head, hl);
    err->msg[hl] = ':';
    err->msg[hl + 1] = ' ';
    err->msg[hl + 2 + ml] = '\0';
    return err->code;
}

int ls_error_oom(ls_error *err)
{
    static const char oom[] = "out of memory";
    if (err) {
        err->code = LS_ENOMEM;
        memcpy(err->msg, oom, sizeof oom);
    }
    return LS_ENOMEM;
}

void ls_error_clear(ls_error *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}

const char *ls_status_name(int code)
{
    static const struct { int code; const char *name; } names[] = {
        { LS_OK, "ok" },
        { LS_ENOMEM, "out of memory" },
        { LS_EIO, "I/O error" },
        { LS_ECORRUPT, "corrupt" },
        { LS_ENOTMINE, "not recognised" },
        { LS_ENODATA, "not in this dump" },
        { LS_EUNSUPPORTED, "unsupported" },
        { LS_EINVAL, "invalid argument" },
        { LS_ENOTFOUND, "not found" },
        { LS_EMISMATCH, "mismatch" },
        { LS_ETRUNCATED, "truncated" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].code == code)
            return names[i].name;
    return "error";
}

void ls_hex(char out[19], uint64_t v)
{
    snprintf(out, 19, "0x%" PRIx64, v);
}
