/* bugcheck_table.h - private to the bug check decoder (src/verifier/bugcheck*.c): the row types
 * of the decode tables, and the short parameter macros the tables are written with. */
#ifndef LALSCAN_BUGCHECK_TABLE_H
#define LALSCAN_BUGCHECK_TABLE_H

#include "lalscan/verifier.h"

#include <stdint.h>

/* The "_M" variants set this bit and otherwise decode like the base check. */
#define LS_BC_M_BIT 0x10000000u

struct ls_bc_param {
    const char *meaning;
    int kind; /* enum ls_param_kind */
};

/* One case of a check, selected by one parameter. lo..hi is inclusive; lo == hi for one value.
 * A table ends with a row whose name is NULL. */
struct ls_bc_row {
    uint64_t lo, hi;
    const char *name;        /* lalscan's own stable word: [a-z0-9] words joined by '-' */
    const char *description; /* one sentence, ends with a period */
    struct ls_bc_param p[4]; /* P1..P4; the selecting parameter's slot says "subcode" */
    unsigned classes;        /* added to the check's own classes */
};

/* One bug check. With selector >= 0, params[selector] picks a row of rows; otherwise the
 * description and p[] apply to every instance. The table ends with a row whose name is NULL. */
struct ls_bc_check {
    uint32_t code;
    const char *name;        /* as verifier.md spells it; used only when nt's table lacks it */
    int selector;            /* 0 = P1 (most checks), 3 = P4 (0xC1), -1 = no subcode */
    const char *description;
    struct ls_bc_param p[4];
    unsigned classes;
    const struct ls_bc_row *rows;
};

extern const struct ls_bc_row ls_bc_c4_rows[];    /* bugcheck_c4.c */
extern const struct ls_bc_check ls_bc_checks[];   /* bugcheck_related.c (0xC4 included) */

/* The check for a code (the "_M" bit ignored), or NULL. */
const struct ls_bc_check *ls_bc_find_check(uint32_t code);
/* The row of rows covering value, or NULL. */
const struct ls_bc_row *ls_bc_find_row(const struct ls_bc_row *rows, uint64_t value);

/* Shorthand for parameter meanings, so that one table row fits on one line. */
#define BC_SUB      { "subcode", LS_PARAM_VALUE }
#define BC_IRQL     { "current IRQL", LS_PARAM_IRQL }
#define BC_PTYPE    { "pool type", LS_PARAM_POOL_TYPE }
#define BC_RSV      { "reserved", LS_PARAM_RESERVED }
#define BC_UNUSED   { "unused", LS_PARAM_RESERVED }
#define BC_ZERO     { "always 0", LS_PARAM_VALUE }
#define BC_MDL      { "MDL", LS_PARAM_ADDRESS }
#define BC_IRP      { "IRP", LS_PARAM_ADDRESS }
#define BC_A(s)     { s, LS_PARAM_ADDRESS }
#define BC_CODE(s)  { s, LS_PARAM_CODE_ADDRESS }
#define BC_V(s)     { s, LS_PARAM_VALUE }
#define BC_B(s)     { s, LS_PARAM_BYTES }
#define BC_N(s)     { s, LS_PARAM_COUNT }
#define BC_IRQ(s)   { s, LS_PARAM_IRQL }

#endif
