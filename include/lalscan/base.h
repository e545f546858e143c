/* base.h - what every lalscan layer shares: status codes, the error object that carries a
 * human message up the layers, and bounds-checked little-endian readers. */
#ifndef LALSCAN_BASE_H
#define LALSCAN_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define LS_VERSION "0.1.0"

/* Status codes: 0 is success, every failure is negative. */
enum ls_status {
    LS_OK = 0,
    LS_ENOMEM = -1,       /* out of memory */
    LS_EIO = -2,          /* the operating system refused a read, open or map */
    LS_ECORRUPT = -3,     /* the input is of a known format but inconsistent */
    LS_ENOTMINE = -4,     /* the input is not of the format a probe was asked about */
    LS_ENODATA = -5,      /* the address or page is not in this dump / file */
    LS_EUNSUPPORTED = -6, /* recognised, but lalscan does not handle it */
    LS_EINVAL = -7,       /* a caller passed a bad argument */
    LS_ENOTFOUND = -8,    /* a looked-up name, file or record does not exist */
    LS_EMISMATCH = -9,    /* identities disagree (PDB GUID/age, build) */
    LS_ETRUNCATED = -10,  /* the file ends before the data its headers promise */
};

/* An error: a status and a message naming file, offset and problem. The message buffer is
 * inside the object, so reporting (even out of memory) never allocates. */
typedef struct ls_error {
    int code;
    char msg[1024];
} ls_error;

/* Sets err (which may be NULL) and returns code. */
int ls_error_set(ls_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefixes the current message with "context: " as the error travels up; returns err->code. */
int ls_error_prefix(ls_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The out-of-memory error, set from a constant string. */
int ls_error_oom(ls_error *err);
void ls_error_clear(ls_error *err);
/* A short word for a status ("corrupt", "not in dump", ...). */
const char *ls_status_name(int code);

static inline uint16_t ls_le16(const void *p)
{
    const uint8_t *b = p;
    return (uint16_t)(b[0] | (b[1] << 8));
}
static inline uint32_t ls_le32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
static inline uint64_t ls_le64(const void *p)
{
    const uint8_t *b = p;
    return (uint64_t)ls_le32(b) | ((uint64_t)ls_le32(b + 4) << 32);
}

/* True when [off, off+len) lies inside a buffer of size total, without overflow. */
static inline int ls_in_bounds(uint64_t off, uint64_t len, uint64_t total)
{
    return off <= total && len <= total - off;
}

/* Formats a 64-bit value as the JSON contract wants: "0x" + lower-case hex, no leading zeros. */
void ls_hex(char out[19], uint64_t v);

/* A growable text buffer for renderers. After an allocation failure it stays as it was and
 * remembers the failure (oom), so callers check once at the end. */
typedef struct ls_buf {
    char *data;
    size_t len, cap;
    int oom;
} ls_buf;
void ls_buf_printf(ls_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ls_buf_free(ls_buf *b);

/* A list of warnings kept by a dump, kernel, Verifier record or analysis: formatted strings,
 * at most max of them (more are dropped, as is one that cannot be allocated). */
typedef struct ls_strlist {
    char **v;
    size_t n;
} ls_strlist;
void ls_strlist_vadd(ls_strlist *l, size_t max, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
void ls_strlist_free(ls_strlist *l);

/* FILETIME (100 ns since 1601) to "YYYY-MM-DDTHH:MM:SSZ"; returns 0, or -1 if out of range. */
int ls_filetime_iso(uint64_t filetime, char out[32]);

#endif
