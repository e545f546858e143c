/* pdb_locate.c - finding the PDB that matches an image: the symbol path (stores and folders),
 * then the image's own folder (names compared without case), then the path the image records. */
#include "lalscan/symbols.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* A candidate from a folder is kept only if it is the image's PDB. */
static int check_candidate(void *ctx, int fd, const char *path, ls_error *err)
{
    const ls_codeview *cv = ctx;
    ls_pdb *p;
    if (ls_pdb_open_fd(fd, path, &p, err))
        return LS_EMISMATCH;
    int rc = ls_pdb_match(p, cv, err);
    ls_pdb_free(p);
    return rc ? LS_EMISMATCH : 0;
}

static int open_in_dir(const char *dir, const char *name, const ls_codeview *cv, int force, ls_pdb **out,
                       char *where, size_t wsize, ls_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return ls_error_set(err, LS_ENOTFOUND, "%s: cannot list: %s", dir, strerror(errno));
    struct dirent *e;
    int rc = ls_error_set(err, LS_ENOTFOUND, "%s not found in %s", name, dir);
    while ((e = readdir(d))) {
        if (strcasecmp(e->d_name, name) != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        ls_pdb *p;
        rc = ls_pdb_open(path, &p, err);
        if (rc)
            break;
        if (!force && (rc = ls_pdb_match(p, cv, err)) != 0) {
            ls_pdb_free(p);
            break;
        }
        snprintf(where, wsize, "%s", path);
        *out = p;
        break;
    }
    closedir(d);
    return rc;
}

int ls_pdb_locate(const ls_codeview *cv, ls_sympath *sp, const char *image_dir, int force, ls_pdb **out,
                  char *where, size_t wsize, ls_error *err)
{
    if (!cv || !out)
        return ls_error_set(err, LS_EINVAL, "ls_pdb_locate: no CodeView record");
    const char *name = ls_codeview_pdb_name(cv);
    ls_error first;
    ls_error_set(&first, LS_ENOTFOUND, "%s: no symbol path given", name);
    if (sp) {
        ls_found_file ff;
        if (!force)
            ls_sympath_set_pdb_check(sp, check_candidate, (void *)cv);
        int rc = ls_sympath_find_pdb(sp, cv, &ff, &first);
        ls_sympath_set_pdb_check(sp, NULL, NULL);
        if (rc == 0) {
            ls_pdb *p;
            rc = ls_pdb_open_fd(ff.fd, ff.path, &p, err);
            close(ff.fd);
            if (rc)
                return rc;
            if (!force && (rc = ls_pdb_match(p, cv, err)) != 0) {
                ls_pdb_free(p);
                return rc;
            }
            snprintf(where, wsize, "%s", ff.path);
            *out = p;
            return 0;
        }
    }
    if (image_dir && open_in_dir(image_dir, name, cv, force, out, where, wsize, NULL) == 0)
        return 0;
    if (cv->pdb_path[0] == '/') {
        ls_pdb *p;
        if (ls_pdb_open(cv->pdb_path, &p, NULL) == 0) {
            if (force || ls_pdb_match(p, cv, NULL) == 0) {
                snprintf(where, wsize, "%s", cv->pdb_path);
                *out = p;
                return 0;
            }
            ls_pdb_free(p);
        }
    }
    if (err)
        *err = first;
    return ls_error_prefix(err, "%s", name);
}
