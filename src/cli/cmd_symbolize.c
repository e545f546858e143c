/* cmd_symbolize.c - `lalscan symbolize`: addresses -> function+offset, file:line and inline
 * frames from a PDB (found from an image's CodeView record or named directly), text or JSON. */
#include "cli.h"
#include "lalscan/symbols.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct sym_opts {
    const char *image, *pdb, *sympath;
    int json, force, have_base, offline;
    uint64_t base;
} sym_opts;

typedef struct sym_ctx {
    sym_opts o;
    ls_pe *pe;
    ls_pdb *pdb;
    uint64_t image_base;
    int have_image_base;
    char module[256];
} sym_ctx;

static void usage(FILE *f)
{
    fprintf(f, "usage: lalscan symbolize [--image FILE] [--pdb FILE] [--base ADDR] [-y PATH]\n"
               "                         [--json] [--force] [--offline] [ADDR...]\n"
               "Addresses (hex, 0x optional) come from the arguments or one per line on stdin.\n");
}

static int parse_hex(const char *s, uint64_t *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    if (!isxdigit((unsigned char)*s))
        return -1;
    uint64_t v = 0;
    int digits = 0;
    for (; isxdigit((unsigned char)*s); s++) {
        if (++digits > 16)
            return -1;
        int c = tolower((unsigned char)*s);
        v = v * 16 + (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    if (*s == '`') /* WinDbg writes 64-bit addresses as fffff803`12345678 */
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    if (*s)
        return -1;
    *out = v;
    return 0;
}

static void module_name(const char *path, char *out, size_t cap)
{
    const char *b = path;
    for (const char *c = path; *c; c++)
        if (*c == '/' || *c == '\\')
            b = c + 1;
    snprintf(out, cap, "%s", b);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = '\0';
}

/* The PDB named by the image's CodeView record: a matching one from the symbol path or the
 * image's folder; failing that, any PDB of that name, so the mismatch can be reported (or
 * accepted with --force) instead of a bare "not found". */
static int find_pdb(sym_ctx *c, const ls_codeview *cv, ls_error *err)
{
    const char *spec = c->o.sympath ? c->o.sympath : getenv("_NT_SYMBOL_PATH");
    ls_sympath *sp = NULL;
    if (spec && *spec && ls_sympath_parse(spec, &sp, err))
        return ls_error_prefix(err, "symbol path");
    if (sp) { /* srv*CACHE*URL: download unless --offline / LALSCAN_OFFLINE */
        ls_symsrv_options so;
        ls_symsrv_options_init(&so);
        so.offline |= c->o.offline;
        if (cli_show_download_progress(0))
            so.progress = cli_download_progress;
        if (ls_sympath_set_network(sp, &so, err)) {
            ls_sympath_free(sp);
            return ls_error_prefix(err, "symbol path");
        }
    }
    char dir[4096], where[4096];
    snprintf(dir, sizeof dir, "%s", c->o.image);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int rc = ls_pdb_locate(cv, sp, dir, 0, &c->pdb, where, sizeof where, err);
    if (rc) {
        ls_error any;
        if (ls_pdb_locate(cv, sp, dir, 1, &c->pdb, where, sizeof where, &any) != 0)
            rc = ls_error_prefix(err, "%s", c->o.image);
        else
            rc = 0;   /* found by name; open_inputs reports the mismatch */
    }
    ls_sympath_free(sp);
    return rc;
}

static int open_inputs(sym_ctx *c, ls_error *err)
{
    ls_codeview cv;
    int have_cv = 0, rc;
    if (c->o.image) {
        if ((rc = ls_pe_open_file(c->o.image, &c->pe, err)))
            return rc;
        const ls_pe_info *pi = ls_pe_get_info(c->pe);
        c->image_base = pi->image_base;
        c->have_image_base = 1;
        have_cv = ls_pe_codeview(c->pe, &cv, NULL) == 0;
        module_name(c->o.image, c->module, sizeof c->module);
    }
    if (c->o.pdb) {
        if ((rc = ls_pdb_open(c->o.pdb, &c->pdb, err)))
            return rc;
        if (!c->o.image)
            module_name(c->o.pdb, c->module, sizeof c->module);
    } else {
        if (!have_cv)
            return ls_error_set(err, LS_ENOTFOUND, "%s: no CodeView record; name the PDB with --pdb",
                                c->o.image);
        if ((rc = find_pdb(c, &cv, err)))
            return rc;
    }
    if (have_cv) {
        rc = ls_pdb_match(c->pdb, &cv, err);
        if (rc == LS_EMISMATCH && c->o.force)
            fprintf(stderr, "lalscan symbolize: warning (--force): %s\n", err->msg);
        else if (rc)
            return rc;
    }
    if (c->pe) {
        unsigned n;
        const ls_pe_section *s = ls_pe_sections(c->pe, &n);
        if (s && n)
            ls_pdb_set_sections(c->pdb, s, n, NULL);
    }
    return 0;
}

static void print_text(const sym_ctx *c, uint64_t rva, int ok, const ls_pdb_location *loc)
{
    if (!ok || !loc->symbol) {
        printf("%s+0x%" PRIx64 "\n\n", c->module, rva);
        return;
    }
    for (unsigned i = 0; i < loc->nframes; i++) {
        const ls_pdb_frame *f = &loc->frames[i];
        int last = i + 1 == loc->nframes;
        uint64_t disp = last ? loc->displacement : rva - f->rva;
        printf("%s!%s", c->module, f->symbol ? f->symbol : "??");
        if (last || rva >= f->rva)
            printf("+0x%" PRIx64, disp);
        if (f->file)
            printf(" [%s @ %" PRIu32 "]", f->file, f->line);
        printf("%s\n", last ? "" : " (inlined)");
    }
    printf("\n");
}

static int print_json(const sym_ctx *c, uint64_t addr, uint64_t rva, int ok,
                      const ls_pdb_location *loc)
{
    char hx[19];
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return -1;
    ls_hex(hx, addr);
    cJSON_AddStringToObject(o, "address", hx);
    cJSON_AddStringToObject(o, "module", c->module);
    ls_hex(hx, rva);
    cJSON_AddStringToObject(o, "rva", hx);
    cJSON *frames = cJSON_CreateArray();
    if (ok && loc->symbol) {
        cJSON_AddStringToObject(o, "symbol", loc->symbol);
        ls_hex(hx, loc->displacement);
        cJSON_AddStringToObject(o, "displacement", hx);
        for (unsigned i = 0; i < loc->nframes; i++) {
            const ls_pdb_frame *f = &loc->frames[i];
            cJSON *fo = cJSON_CreateObject();
            if (f->symbol)
                cJSON_AddStringToObject(fo, "symbol", f->symbol);
            else
                cJSON_AddNullToObject(fo, "symbol");
            if (f->file)
                cJSON_AddStringToObject(fo, "file", f->file);
            else
                cJSON_AddNullToObject(fo, "file");
            if (f->line)
                cJSON_AddNumberToObject(fo, "line", f->line);
            else
                cJSON_AddNullToObject(fo, "line");
            cJSON_AddItemToArray(frames, fo);
        }
    } else {
        cJSON_AddNullToObject(o, "symbol");
        cJSON_AddNullToObject(o, "displacement");
    }
    cJSON_AddItemToObject(o, "frames", frames);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s)
        return -1;
    puts(s);
    free(s);
    return 0;
}

/* Returns 0 resolved, 1 not resolved, 3 read error (message printed). */
static int one_address(sym_ctx *c, const char *text)
{
    uint64_t addr, rva;
    if (parse_hex(text, &addr)) {
        fprintf(stderr, "lalscan symbolize: not a hex address: %s\n", text);
        return 2;
    }
    if (c->o.have_base)
        rva = addr - c->o.base;
    else if (c->have_image_base && addr >= c->image_base)
        rva = addr - c->image_base;
    else
        rva = addr;
    if (c->o.have_base && addr < c->o.base)
        rva = addr;   /* below the base: cannot be in the module; reported unresolved */
    ls_pdb_location loc;
    ls_error err = {0};
    int rc = LS_ENOTFOUND, st = 1;
    memset(&loc, 0, sizeof loc);
    if (rva <= UINT32_MAX && !(c->o.have_base && addr < c->o.base)) {
        rc = ls_pdb_symbolize(c->pdb, (uint32_t)rva, &loc, &err);
        if (rc == 0)
            st = 0;
        else if (rc != LS_ENOTFOUND) {
            fprintf(stderr, "lalscan symbolize: %s\n", err.msg);
            st = 3;
        }
    }
    /* a corrupt module can still leave a public-symbol answer in loc */
    if (c->o.json)
        print_json(c, addr, rva, loc.symbol != NULL, &loc);
    else
        print_text(c, rva, loc.symbol != NULL, &loc);
    return st;
}

int cli_symbolize(int argc, char **argv)
{
    static const struct option lopts[] = {
        {"image", required_argument, NULL, 'i'}, {"pdb", required_argument, NULL, 'p'},
        {"base", required_argument, NULL, 'b'},  {"symbols", required_argument, NULL, 'y'},
        {"json", no_argument, NULL, 'j'},        {"force", no_argument, NULL, 'f'},
        {"offline", no_argument, NULL, 'O'},     {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    sym_ctx c;
    memset(&c, 0, sizeof c);
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "y:h", lopts, NULL)) != -1) {
        switch (opt) {
        case 'i': c.o.image = optarg; break;
        case 'p': c.o.pdb = optarg; break;
        case 'y': c.o.sympath = optarg; break;
        case 'j': c.o.json = 1; break;
        case 'f': c.o.force = 1; break;
        case 'O': c.o.offline = 1; break;
        case 'b':
            if (parse_hex(optarg, &c.o.base)) {
                fprintf(stderr, "lalscan symbolize: --base: not a hex address: %s\n", optarg);
                return CLI_EXIT_USAGE;
            }
            c.o.have_base = 1;
            break;
        case 'h':
            cli_help(stdout, "symbolize");
            return CLI_EXIT_CLEAN;
        default:
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (!c.o.image && !c.o.pdb) {
        fprintf(stderr, "lalscan symbolize: need --image FILE or --pdb FILE\n");
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    ls_error err = {0};
    if (open_inputs(&c, &err)) {
        fprintf(stderr, "lalscan symbolize: %s\n", err.msg);
        ls_pdb_free(c.pdb);
        ls_pe_free(c.pe);
        return CLI_EXIT_UNREADABLE;
    }
    int worst = 0;
    if (optind < argc) {
        for (int i = optind; i < argc; i++) {
            int st = one_address(&c, argv[i]);
            if (st > 1 && st > worst)
                worst = st;
        }
    } else {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, stdin)) > 0) {
            char *s = line;
            while (*s && isspace((unsigned char)*s))
                s++;
            if (!*s)
                continue;
            int st = one_address(&c, s);
            if (st > 1 && st > worst)
                worst = st;
        }
        free(line);
    }
    fflush(stdout);
    ls_pdb_free(c.pdb);
    ls_pe_free(c.pe);
    return worst == 3 ? CLI_EXIT_UNREADABLE : worst == 2 ? CLI_EXIT_USAGE : CLI_EXIT_CLEAN;
}
