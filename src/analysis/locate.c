/* locate.c - code addresses to module!function+offset [file @ line] with inline frames. Each
 * module's image comes from --images or from dump memory, its PDB from the symbol path; both
 * are opened once per analysis and every failure is kept to be reported, never hidden. */
#include "analysis_internal.h"

#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct image_reader {
    ls_vmem *vm;
    uint64_t base;
} image_reader;

/* The image as loaded in the dump: pages that were not saved read as absent. */
static int read_image(void *ctx, uint32_t rva, void *buf, size_t len, ls_error *err)
{
    image_reader *r = ctx;
    return ls_vmem_read(r->vm, r->base + rva, buf, len, err);
}

/* The image from the symbol path's servers, by time stamp and size (only when servers are
 * used: plain folders were never searched for images, and reports stay as they were). 1 when
 * there is no server to ask, 0 found, else the reason in err. */
static int server_image(ls_analysis *a, const ls_module *m, module_syms *ms, ls_error *err)
{
    if (!a->symbols || !m->timestamp || !ls_sympath_server_count(a->symbols))
        return 1;
    ls_found_file ff;
    int rc = ls_sympath_find_image(a->symbols, m->name, m->timestamp, m->size, &ff, err);
    if (rc == 0) {
        rc = ls_pe_open_fd(ff.fd, ff.path, &ms->pe, err);
        if (rc == 0)
            snprintf(ms->info.image_source, sizeof ms->info.image_source, "%s", ff.path);
        close(ff.fd);
    }
    return rc;
}

static void load_module(ls_analysis *a, const ls_module *m, module_syms *ms)
{
    memset(ms, 0, sizeof *ms);
    snprintf(ms->info.module, sizeof ms->info.module, "%s", m->name);
    ms->info.base = m->base;
    ms->size = m->size;
    ls_error err;
    char image_dir[1024] = "";
    /* An image file from --images, found by name, time stamp and size. */
    if (a->images && m->timestamp) {
        ls_found_file ff;
        if (ls_sympath_find_image(a->images, m->name, m->timestamp, m->size, &ff, &err) == 0) {
            if (ls_pe_open_fd(ff.fd, ff.path, &ms->pe, &err) == 0) {
                snprintf(ms->info.image_source, sizeof ms->info.image_source, "%s", ff.path);
                char tmp[1024];
                snprintf(tmp, sizeof tmp, "%s", ff.path);
                snprintf(image_dir, sizeof image_dir, "%s", dirname(tmp));
            }
            close(ff.fd);
        }
    }
    if (!ms->pe) {
        image_reader *r = malloc(sizeof *r);
        if (r) {
            r->vm = a->vm;
            r->base = m->base;
            if (ls_pe_open_reader(read_image, r, m->name, &ms->pe, &err) == 0) {
                snprintf(ms->info.image_source, sizeof ms->info.image_source, "dump memory");
                ms->reader = r; /* the PE object reads through it later */
            } else {
                free(r);
            }
        }
    }
    /* Not in the dump (triage dumps keep few pages): a symbol server also serves images by
     * time stamp and size, and the image's CodeView record then names its PDB. */
    ls_error srv_err;
    srv_err.msg[0] = '\0';
    if (!ms->pe && server_image(a, m, ms, &srv_err) < 0) {
        snprintf(ms->info.problem, sizeof ms->info.problem, "the image of %s is not in the dump: %s", m->name,
                 srv_err.msg);
        return;
    }
    if (!ms->pe) {
        snprintf(ms->info.problem, sizeof ms->info.problem,
                 "the image of %s is not in the dump and was not found with --images", m->name);
        return;
    }
    ms->machine = ls_pe_get_info(ms->pe)->machine;
    ls_codeview cv;
    if (ls_pe_codeview(ms->pe, &cv, &err)) {
        /* The debug directory's page may be missing from the dump: the server's copy has it. */
        ls_pe *mem_pe = ms->pe;
        ms->pe = NULL;
        int si = ms->reader ? server_image(a, m, ms, &srv_err) : 1;
        if (si == 0 && ls_pe_codeview(ms->pe, &cv, NULL) == 0) {
            ls_pe_free(mem_pe);
            free(ms->reader);
            ms->reader = NULL;
            ms->machine = ls_pe_get_info(ms->pe)->machine;
        } else {
            if (ms->pe)
                ls_pe_free(ms->pe);
            ms->pe = mem_pe;
            snprintf(ms->info.image_source, sizeof ms->info.image_source, "dump memory");
            snprintf(ms->info.problem, sizeof ms->info.problem, "%s has no usable CodeView record: %s%s%s", m->name,
                     err.msg, si < 0 ? "; and from the symbol server: " : "", si < 0 ? srv_err.msg : "");
            return;
        }
    }
    if (!a->symbols && !image_dir[0]) {
        snprintf(ms->info.problem, sizeof ms->info.problem, "no symbol path given (-y) to find %s",
                 ls_codeview_pdb_name(&cv));
        return;
    }
    if (ls_pdb_locate(&cv, a->symbols, image_dir[0] ? image_dir : NULL, a->opts.force_pdb, &ms->pdb,
                      ms->info.pdb_path, sizeof ms->info.pdb_path, &err)) {
        snprintf(ms->info.problem, sizeof ms->info.problem, "%s", err.msg);
        ms->pdb = NULL;
        ms->info.pdb_path[0] = '\0';
    }
}

static module_syms *module_for(ls_analysis *a, const ls_module *m)
{
    for (size_t i = 0; i < a->nmods; i++)
        if (a->mods[i]->info.base == m->base)
            return a->mods[i];
    if (a->nmods >= 256)
        return NULL;
    module_syms **v = realloc(a->mods, (a->nmods + 1) * sizeof *v);
    if (!v)
        return NULL;
    a->mods = v;
    module_syms *ms = malloc(sizeof *ms);
    if (!ms)
        return NULL;
    load_module(a, m, ms);
    a->mods[a->nmods++] = ms;
    return ms;
}

void ls_location_text(const ls_code_location *w, char *out, size_t n)
{
    char stem[96];
    snprintf(stem, sizeof stem, "%s", w->module);
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem)
        *dot = '\0';
    if (w->symbol[0])
        snprintf(out, n, "%s!%s+0x%" PRIx64, stem, w->symbol, w->displacement);
    else if (w->module[0])
        snprintf(out, n, "%s+0x%" PRIx64, stem, w->offset);
    else
        snprintf(out, n, "0x%" PRIx64, w->address);
}

module_syms *ls_analysis_module_syms(ls_analysis *a, uint64_t address)
{
    const ls_module *m = ls_kernel_module_at(a->kernel, address);
    return m ? module_for(a, m) : NULL;
}

void ls_analysis_free_symbols(ls_analysis *a)
{
    for (size_t i = 0; i < a->nmods; i++) {
        ls_pdb_free(a->mods[i]->pdb);
        ls_pe_free(a->mods[i]->pe);
        free(a->mods[i]->reader);
        free(a->mods[i]->pool_calls);
        free(a->mods[i]);
    }
    free(a->mods);
    a->mods = NULL;
    a->nmods = 0;
}

void ls_analysis_locate(ls_analysis *a, uint64_t address, int is_return, ls_code_location *out)
{
    memset(out, 0, sizeof *out);
    out->address = address;
    out->is_return = is_return;
    const ls_module *m = ls_kernel_module_at(a->kernel, address);
    if (!m)
        return;
    snprintf(out->module, sizeof out->module, "%s", m->name);
    out->module_base = m->base;
    out->offset = address - m->base;
    module_syms *ms = module_for(a, m);
    if (!ms)
        return;
    uint32_t rva = (uint32_t)out->offset;
    if (ms->pdb) {
        ls_pdb_location loc;
        ls_error err;
        if (ls_pdb_symbolize(ms->pdb, rva, &loc, &err) == 0 && loc.symbol) {
            snprintf(out->symbol, sizeof out->symbol, "%s", loc.symbol);
            out->displacement = loc.displacement;
        }
        uint32_t line_rva = is_return && rva ? rva - 1 : rva;
        if (ls_pdb_symbolize(ms->pdb, line_rva, &loc, &err) == 0 && loc.nframes) {
            const ls_pdb_frame *outer = &loc.frames[loc.nframes - 1];
            if (!out->symbol[0] && outer->symbol) {
                snprintf(out->symbol, sizeof out->symbol, "%s", outer->symbol);
                out->displacement = rva - loc.symbol_rva;
            }
            if (outer->file)
                snprintf(out->file, sizeof out->file, "%s", outer->file);
            out->line = outer->line;
            for (unsigned i = 0; i + 1 < loc.nframes && out->ninlines < LS_MAX_INLINES; i++) {
                ls_frame_info *f = &out->inlines[out->ninlines++];
                snprintf(f->symbol, sizeof f->symbol, "%s", loc.frames[i].symbol ? loc.frames[i].symbol : "");
                snprintf(f->file, sizeof f->file, "%s", loc.frames[i].file ? loc.frames[i].file : "");
                f->line = loc.frames[i].line;
            }
        }
        return;
    }
    if (ms->pe) { /* no PDB: the nearest export still names something */
        char name[256];
        uint32_t disp;
        if (ls_pe_export_at(ms->pe, rva, name, sizeof name, &disp, NULL) == 0) {
            snprintf(out->symbol, sizeof out->symbol, "%s", name);
            out->displacement = disp;
        }
    }
}
