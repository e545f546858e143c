/* pdb_types_int.h - what the pdb_types*.c files share: the indexed TPI object and bounded readers of
 * CodeView type records. Not for use outside src/symbols/pdb_types*.c. */
#ifndef LALSCAN_PDB_TYPES_INT_H
#define LALSCAN_PDB_TYPES_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include "pdb_types.h"

enum {
    LF_VTSHAPE = 0x000A,
    LF_MODIFIER = 0x1001, LF_POINTER = 0x1002, LF_PROCEDURE = 0x1008, LF_MFUNCTION = 0x1009,
    LF_ARGLIST = 0x1201, LF_FIELDLIST = 0x1203, LF_BITFIELD = 0x1205, LF_METHODLIST = 0x1206,
    LF_BCLASS = 0x1400, LF_VBCLASS = 0x1401, LF_IVBCLASS = 0x1402, LF_INDEX = 0x1404,
    LF_VFUNCTAB = 0x1409, LF_FRIENDCLS = 0x140B, LF_VFUNCOFF = 0x140C,
    LF_ENUMERATE = 0x1502, LF_ARRAY = 0x1503, LF_CLASS = 0x1504, LF_STRUCTURE = 0x1505,
    LF_UNION = 0x1506, LF_ENUM = 0x1507, LF_ALIAS = 0x150A, LF_FRIENDFCN = 0x150C,
    LF_MEMBER = 0x150D, LF_STMEMBER = 0x150E, LF_METHOD = 0x150F, LF_NESTTYPE = 0x1510,
    LF_ONEMETHOD = 0x1511, LF_NESTTYPEEX = 0x1512, LF_INTERFACE = 0x1519,
    LF_CLASS2 = 0x1608, LF_STRUCTURE2 = 0x1609, LF_UNION2 = 0x160A, LF_INTERFACE2 = 0x160B,
};

enum { TPI_PROP_FWDREF = 0x80, TPI_PROP_UNIQUE = 0x200 };
/* Longest chain of modifier/alias/array/pointer/forward hops followed before calling it a cycle;
 * real chains are a handful deep. */
enum { TPI_MAX_DEPTH = 48 };
/* Field-list members one member lookup may visit, unnamed members and base classes included;
 * the largest kernel structures have a few thousand, almost all named. */
enum { TPI_FIND_BUDGET = 1u << 16 };

struct tpi_names; /* lazily built name -> definition hash (pdb_types.c) */

struct ls_tpi {
    const uint8_t *data;         /* whole stream, borrowed */
    size_t len;
    uint32_t begin, end;         /* type index range [begin, end) */
    uint32_t *off;               /* stream offset of record begin+i */
    int ptr64;
    _Atomic(struct tpi_names *) names;
};

/* A decoded struct/class/union/interface/enum record. */
struct tpi_udt {
    uint16_t kind;
    uint32_t props;
    uint32_t fields;             /* field list type index (0 for a forward reference) */
    uint32_t underlying;         /* enums: underlying type */
    uint64_t size;               /* 0 for enums (see underlying) and forward references */
    const char *name;            /* NUL-terminated inside the record */
    const char *uname;           /* unique name or NULL */
};

/* One member of a field list. */
struct tpi_field {
    uint16_t kind;
    uint16_t attr;
    uint32_t type;
    uint64_t offset;             /* LF_MEMBER / LF_BCLASS */
    const char *name;            /* "" when the member has none */
};

/* Record ti: kind and the payload after the kind field. */
int tpi_record(const ls_tpi *t, uint32_t ti, uint16_t *kind, const uint8_t **p, uint32_t *n,
               ls_error *err);
/* Numeric leaf at p[*pos]; advances *pos. -1 when it does not fit. */
int tpi_numeric(const uint8_t *p, uint32_t n, uint32_t *pos, uint64_t *val);
int tpi_is_udt_kind(uint16_t kind);
/* Decodes a UDT record (kind must satisfy tpi_is_udt_kind). */
int tpi_udt_parse(const ls_tpi *t, uint32_t ti, uint16_t kind, const uint8_t *p, uint32_t n,
                  struct tpi_udt *u, ls_error *err);
/* Follows LF_MODIFIER and LF_ALIAS, and forward references to their definition. */
int tpi_strip(const ls_tpi *t, uint32_t ti, uint32_t *out, ls_error *err);
/* Follows LF_MODIFIER and LF_ALIAS only. */
int tpi_strip_mods(const ls_tpi *t, uint32_t ti, uint32_t *out, ls_error *err);
/* Forward reference -> definition; other indices come back unchanged. */
int tpi_resolve(const ls_tpi *t, uint32_t ti, uint32_t *out, ls_error *err);
/* Next member of field list `list` at payload position *pos: 1 member, 0 end of this record. */
int tpi_field_next(const ls_tpi *t, uint32_t list, const uint8_t *p, uint32_t n, uint32_t *pos,
                   struct tpi_field *f, ls_error *err);

#endif
