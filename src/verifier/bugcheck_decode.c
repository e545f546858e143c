/* bugcheck_decode.c - bug check code and parameters to their meaning, by looking them up in the
 * tables of bugcheck_c4.c and bugcheck_related.c. Nothing here knows any particular check. */
#include "bugcheck_table.h"

#include <stdio.h>
#include <string.h>

const struct ls_bc_check *ls_bc_find_check(uint32_t code)
{
    uint32_t base = code & ~LS_BC_M_BIT;
    for (const struct ls_bc_check *c = ls_bc_checks; c->name; c++)
        if (c->code == base)
            return c;
    return NULL;
}

const struct ls_bc_row *ls_bc_find_row(const struct ls_bc_row *rows, uint64_t value)
{
    if (!rows)
        return NULL;
    for (const struct ls_bc_row *r = rows; r->name; r++)
        if (value >= r->lo && value <= r->hi)
            return r;
    return NULL;
}

static void set_params(ls_bugcheck_info *out, const struct ls_bc_param p[4])
{
    for (int i = 0; i < 4; i++) {
        out->param_meaning[i] = p[i].meaning;
        out->param_kind[i] = p[i].kind;
    }
}

void ls_bugcheck_decode(uint32_t code, const uint64_t params[4], ls_bugcheck_info *out)
{
    memset(out, 0, sizeof *out);
    out->code = code;
    ls_bugcheck_name(code, out->name, sizeof out->name);

    const struct ls_bc_check *c = ls_bc_find_check(code);
    if (!c)
        return;
    /* Our table knows a few checks nt's name table lacks (0xD0); the spec's name fills in. */
    if (!out->name[0])
        snprintf(out->name, sizeof out->name, "%s%s", c->name, (code & LS_BC_M_BIT) ? "_M" : "");
    out->classes = c->classes;
    if (c->selector < 0) {
        out->description = c->description;
        set_params(out, c->p);
        return;
    }
    /* The selecting parameter is known to be the subcode even when its value is not. */
    out->param_meaning[c->selector] = "subcode";
    if (!params)
        return;
    out->subcode = params[c->selector];
    const struct ls_bc_row *r = ls_bc_find_row(c->rows, out->subcode);
    if (!r)
        return;
    out->has_subcode = 1;
    out->subcode_name = r->name;
    out->description = r->description;
    out->classes |= r->classes;
    set_params(out, r->p);
}
