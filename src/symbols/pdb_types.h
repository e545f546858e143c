/* pdb_types.h - structure layouts from a PDB's TPI stream (CodeView type records): member offsets
 * and sizes along a member path, type sizes by name, member listings. Private to the symbols layer. */
#ifndef LALSCAN_PDB_TYPES_H
#define LALSCAN_PDB_TYPES_H

#include <stdint.h>

#include "lalscan/base.h"
#include "lalscan/symbols.h"

/* ls_type_member is declared in lalscan/symbols.h. */

typedef struct ls_tpi ls_tpi;

/* Indexes a TPI stream held in data[0..len) (header + records). data is borrowed and must outlive
 * the returned object. ptr64 (1 = 64-bit target) only sizes pointers whose record omits a size. */
int ls_tpi_open(const uint8_t *data, size_t len, int ptr64, ls_tpi **out, ls_error *err);
void ls_tpi_free(ls_tpi *t);

/* First and end (exclusive) type index of the stream. */
uint32_t ls_tpi_index_begin(const ls_tpi *t);
uint32_t ls_tpi_index_end(const ls_tpi *t);

/* The definition of a struct/class/union/enum by name (forward references skipped). A name not
 * found as given is also tried with a leading '_' ("EPROCESS" -> "_EPROCESS"). LS_ENOTFOUND. */
int ls_tpi_find(const ls_tpi *t, const char *type_name, uint32_t *ti, ls_error *err);

/* Member path inside a type: "UniqueProcessId", "Links[1].Next", "ProcessorState.ContextFrame.Rip".
 * Errors: LS_ENOTFOUND (type or member), LS_EINVAL (path through a pointer or bitfield, index on a
 * non-array, index past the end, bad syntax), LS_ECORRUPT (bad records). */
int ls_tpi_member(const ls_tpi *t, const char *type_name, const char *member_path,
                  ls_type_member *out, ls_error *err);
/* Same, from a type index (modifiers, aliases and forward references are followed). */
int ls_tpi_member_ti(const ls_tpi *t, uint32_t ti, const char *member_path, ls_type_member *out,
                     ls_error *err);

/* Size in bytes of a named type (struct/union/enum by name, or a built-in C name such as
 * "unsigned long"), and of a type index. */
int ls_tpi_sizeof(const ls_tpi *t, const char *type_name, uint64_t *size, ls_error *err);
int ls_tpi_type_size(const ls_tpi *t, uint32_t ti, uint64_t *size, ls_error *err);

/* C-like name of a type index (truncated to cap bytes, always NUL-terminated). */
int ls_tpi_type_name(const ls_tpi *t, uint32_t ti, char *buf, size_t cap, ls_error *err);

/* Members of a struct/union in declaration order (anonymous unions/structs are already flattened
 * by the compilers; base classes appear with the name "<base>"). Usage:
 *   ls_tpi_iter it; ls_tpi_members_begin(t, "_GENERAL_LOOKASIDE", &it, err);
 *   while ((rc = ls_tpi_members_next(&it, &m, err)) == 1) { ... }   // 0 = end, < 0 = error */
typedef struct ls_tpi_iter {
    const ls_tpi *t;
    uint32_t owner;          /* the struct/union definition */
    uint32_t list;           /* field list record being walked */
    uint32_t pos;            /* byte position inside that record's payload */
    uint32_t hops;           /* LF_INDEX continuations followed (cycle guard) */
    int done;
} ls_tpi_iter;
int ls_tpi_members_begin(const ls_tpi *t, const char *type_name, ls_tpi_iter *it, ls_error *err);
int ls_tpi_members_begin_ti(const ls_tpi *t, uint32_t ti, ls_tpi_iter *it, ls_error *err);
int ls_tpi_members_next(ls_tpi_iter *it, ls_type_member *out, ls_error *err);

#endif
