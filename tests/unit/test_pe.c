/* test_pe.c - the PE reader on real images from $SHARED/realworld (expected values taken from
 * llvm-readobj --file-headers --coff-debug-directory --coff-imports), in file and loaded layout. */
#include "check.h"
#include "lalscan/symbols.h"

#include <stdlib.h>

typedef struct {
    const char *path; /* under $SHARED/realworld */
    uint16_t machine;
    int pe32plus;
    uint32_t timestamp, size_of_image, entry;
    uint64_t image_base;
    unsigned nsections;
    const char *pdb_key, *pdb_path;
    size_t nimports;
    uint32_t slot;     /* an IAT slot ... */
    const char *dll, *func; /* ... and what it imports (func NULL: by ordinal) */
    uint16_t hint;
} expect;

static const expect images[] = {
    {"drv-kprocesshacker-2016-amd64/kprocesshacker.sys", 0x8664, 1, 0x57089DA8, 45056, 0x9064, 0x10000, 7,
     "7F458D92CC6E4B9B9D2A87403D20D4C12", "d:\\projects\\processhacker2\\kprocesshacker\\bin\\amd64\\kprocesshacker.pdb",
     83, 0x2290, "ntoskrnl.exe", "ExAllocatePoolWithTag", 115},
    {"drv-kprocesshacker-2016-i386/kprocesshacker.sys", 0x14c, 0, 0x57089DB7, 40960, 0x703E, 0x10000, 7,
     "3B3CBA51F6384C3C82AF40A9156060282", "d:\\projects\\processhacker2\\kprocesshacker\\bin\\i386\\kprocesshacker.pdb",
     90, 0x215c, "ntoskrnl.exe", "ExAllocatePoolWithTag", 115},
    {"drv-systeminformer-amd64/systeminformer.sys", 0x8664, 1, 0x4FAC1C0C, 311296, 0x46000, 0x140000000, 11,
     "95435CEC4AB104C5E86BFBEA4416C4A31",
     "C:\\Users\\aione\\source\\repos\\systeminformer\\KSystemInformer\\bin\\Release64\\SystemInformer.pdb", 269, 0xb1f8,
     "ntoskrnl.exe", "ExAllocatePoolWithTag", 207},
    {"drv-wfp-driverproject-x64/driver.sys", 0x8664, 1, 0x680E29FF, 1089536, 0x1A10, 0x140000000, 6,
     "535435EA1BEF4A3D925B193823865E8C7a", "F:\\driver\\x64\\Debug\\driver.pdb", 22, 0x5068, "ntoskrnl.exe",
     "ExAllocatePool2", 203},
    {"drv-systeminformer-amd64/ksi.dll", 0x8664, 1, 0x4C6A6128, 40960, 0, 0x180000000, 9,
     "BB6CC84C4440748B563EEDDBECB095A21",
     "C:\\Users\\aione\\source\\repos\\systeminformer\\KSystemInformer\\bin\\Release64\\ksi.pdb", 21, 0x2000,
     "ntoskrnl.exe", "KeInsertQueueDpc", 1287},
    {"drv-wfp-driverproject-x64/usermode.exe", 0x8664, 1, 0x67FF9ED5, 167936, 0x1130C, 0x140000000, 10,
     "894E5FA6CDC44518A1ECFE602B9787FC66", "F:\\driver\\x64\\Debug\\usermode.pdb", 91, 0x23208, "WS2_32.dll", NULL,
     111},
    {"um-msvc-seh-tests/arm64/xcpt4.exe", 0xaa64, 1, 0x62524D61, 61440, 0x48F0, 0x140000000, 6,
     "5526BC1BD120496B9462C93F96D330441", "C:\\Users\\gustavo\\source\\windows_seh_tests\\src\\ARM64\\Release\\xcpt4.pdb",
     43, 0x8000, "KERNEL32.dll", "RaiseException", 1142},
    {"um-msvc-seh-tests/x64/xcpt4.exe", 0x8664, 1, 0x62524D63, 57344, 0x42CC, 0x140000000, 6,
     "C8C2329E0E9949E68B6F132BECA69E7E1", "C:\\Users\\gustavo\\source\\windows_seh_tests\\src\\x64\\Release\\xcpt4.pdb",
     55, 0x7000, "KERNEL32.dll", "RaiseException", 1147},
    {"um-msvc-seh-tests/x86/xcpt4.exe", 0x14c, 0, 0x62524D66, 49152, 0x5B3D, 0x400000, 5,
     "45F3D6F7BD6A4EE2B56A5C6BFE3AE3781", "C:\\Users\\gustavo\\source\\windows_seh_tests\\src\\Release\\xcpt4.pdb", 53,
     0x7000, "KERNEL32.dll", "RaiseException", 1143},
};

/* A loaded image in memory with one page knocked out, served through ls_pe_read_fn. */
typedef struct {
    uint8_t *img;
    uint32_t size;
    uint32_t missing_page; /* RVA of a page that reads as not present, or 0 */
} loaded;

static int read_loaded(void *ctx, uint32_t rva, void *buf, size_t len, ls_error *err)
{
    loaded *l = ctx;
    if (!ls_in_bounds(rva, len, l->size))
        return ls_error_set(err, LS_ENODATA, "RVA 0x%x outside", rva);
    if (l->missing_page && rva < l->missing_page + 4096u && rva + len > l->missing_page)
        return ls_error_set(err, LS_ENODATA, "page at RVA 0x%x not in dump", l->missing_page);
    memcpy(buf, l->img + rva, len);
    return 0;
}

static int load_image(ls_pe *file, loaded *l)
{
    const ls_pe_info *in = ls_pe_get_info(file);
    l->size = in->size_of_image;
    l->img = calloc(1, l->size);
    if (!l->img)
        return -1;
    /* headers then each section, as the loader would map them */
    if (ls_pe_read(file, 0, l->img, 0x400, NULL) < 0)
        return -1;
    unsigned n;
    const ls_pe_section *s = ls_pe_sections(file, &n);
    for (unsigned i = 0; i < n; i++) {
        uint32_t len = s[i].virtual_size ? s[i].virtual_size : s[i].raw_size;
        if (s[i].rva + (uint64_t)len > l->size || ls_pe_read(file, s[i].rva, l->img + s[i].rva, len, NULL) < 0)
            return -1;
    }
    return 0;
}

static void check_image(const char *shared, const expect *x)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/realworld/%s", shared, x->path);
    ls_error err = {0};
    ls_pe *pe = NULL;
    int rc = ls_pe_open_file(path, &pe, &err);
    CHECK(rc == 0, "%s: opens (%s)", x->path, err.msg);
    if (rc < 0)
        return;
    const ls_pe_info *in = ls_pe_get_info(pe);
    CHECK_EQ_U64(in->machine, x->machine, "%s: machine", x->path);
    CHECK_EQ_U64(in->pe32plus, x->pe32plus, "%s: PE32+", x->path);
    CHECK_EQ_U64(in->timestamp, x->timestamp, "%s: TimeDateStamp", x->path);
    CHECK_EQ_U64(in->size_of_image, x->size_of_image, "%s: SizeOfImage", x->path);
    CHECK_EQ_U64(in->entry_rva, x->entry, "%s: entry", x->path);
    CHECK_EQ_U64(in->image_base, x->image_base, "%s: ImageBase", x->path);
    CHECK_EQ_U64(in->nsections, x->nsections, "%s: sections", x->path);
    ls_codeview cv;
    char key[41] = "";
    rc = ls_pe_codeview(pe, &cv, &err);
    CHECK(rc == 0 && cv.kind == LS_CV_RSDS, "%s: RSDS record (%s)", x->path, rc ? err.msg : "");
    ls_codeview_key(&cv, key);
    CHECK_STR(key, x->pdb_key, "%s: store key", x->path);
    CHECK_STR(cv.pdb_path, x->pdb_path, "%s: PDB path", x->path);
    const ls_pe_import *imp;
    size_t n;
    rc = ls_pe_imports(pe, &imp, &n, &err);
    CHECK(rc == 0, "%s: imports parse (%s)", x->path, rc ? err.msg : "");
    CHECK_EQ_U64(n, x->nimports, "%s: import count", x->path);
    const ls_pe_import *at = ls_pe_import_at(pe, x->slot);
    CHECK(at && strcmp(at->dll, x->dll) == 0 &&
              (x->func ? at->name && strcmp(at->name, x->func) == 0 : at->name == NULL) && at->ordinal == x->hint,
          "%s: IAT slot 0x%x is %s!%s (%u)", x->path, x->slot, x->dll, x->func ? x->func : "#", x->hint);
    CHECK(ls_pe_import_at(pe, x->slot + 1) == NULL, "%s: IAT slot + 1 is no import", x->path);

    /* The same image as loaded, with the page of the import name strings missing. */
    loaded l = {0};
    if (load_image(pe, &l) == 0) {
        ls_pe *m = NULL;
        rc = ls_pe_open_reader(read_loaded, &l, x->path, &m, &err);
        CHECK(rc == 0, "%s: opens as loaded (%s)", x->path, rc ? err.msg : "");
        if (m) {
            ls_codeview cv2;
            CHECK(ls_pe_codeview(m, &cv2, &err) == 0 && memcmp(cv2.guid, cv.guid, 16) == 0 && cv2.age == cv.age,
                  "%s: loaded: same CodeView", x->path);
            const ls_pe_import *imp2;
            size_t n2;
            CHECK(ls_pe_imports(m, &imp2, &n2, &err) == 0 && n2 == x->nimports, "%s: loaded: same imports", x->path);
            CHECK(ls_pe_notes(m)[0] == 0, "%s: loaded: nothing missing", x->path);
            ls_pe_free(m);
        }
        /* knock out the page holding the first import's name */
        uint32_t dirva, dsz;
        uint8_t d[4];
        if (ls_pe_directory(pe, 1, &dirva, &dsz) == 0 && ls_pe_read(pe, dirva + 12, d, 4, NULL) == 0) {
            l.missing_page = ls_le32(d) & ~0xfffu;
            if (l.missing_page) {
                m = NULL;
                rc = ls_pe_open_reader(read_loaded, &l, x->path, &m, &err);
                CHECK(rc == 0 && m && ls_pe_notes(m)[0] != 0, "%s: loaded with page 0x%x missing: opens, notes \"%s\"",
                      x->path, l.missing_page, m ? ls_pe_notes(m) : err.msg);
                ls_pe_free(m);
            }
        }
    }
    free(l.img);
    ls_pe_free(pe);
}

/* rva_to_offset and reads on one known layout (kprocesshacker amd64: .text at RVA 0x1000). */
static void check_layout(const char *shared)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/realworld/drv-wfp-driverproject-x64/driver.sys", shared);
    ls_pe *pe = NULL;
    ls_error err = {0};
    if (ls_pe_open_file(path, &pe, &err) < 0) {
        CHECK(0, "driver.sys opens: %s", err.msg);
        return;
    }
    unsigned n;
    const ls_pe_section *s = ls_pe_sections(pe, &n);
    CHECK_STR(s[0].name, ".text", "driver.sys: first section .text");
    uint64_t off = 0;
    CHECK(ls_pe_rva_to_offset(pe, s[0].rva + 0x10, &off, &err) == 0 && off == s[0].raw_offset + 0x10u,
          "driver.sys: rva_to_offset in .text");
    CHECK(ls_pe_rva_to_offset(pe, 0x40, &off, &err) == 0 && off == 0x40, "driver.sys: rva_to_offset in headers");
    CHECK(ls_pe_rva_to_offset(pe, 0xfffffff0u, &off, &err) == LS_ENODATA, "driver.sys: RVA past the image: %s",
          err.msg);
    uint8_t b[4];
    CHECK(ls_pe_read(pe, ls_pe_get_info(pe)->size_of_image - 2, b, 4, &err) == LS_ENODATA,
          "driver.sys: read across SizeOfImage: %s", err.msg);
    CHECK(ls_pe_read(pe, 0, b, 2, &err) == 0 && b[0] == 'M', "driver.sys: read headers");
    CHECK_STR(ls_pe_machine_name(0x8664), "x64", "machine name x64");
    CHECK(ls_pe_machine_name(0x1c4) == NULL, "machine name ARMNT unsupported");
    char key[20];
    ls_pe_image_key(0x680E29FF, 1089536, key);
    CHECK_STR(key, "680E29FF10a000", "image store key");
    ls_pe_free(pe);
}

/* exports of ksi.dll (llvm-readobj --coff-exports: 16 names, KsiInitialize at 0x16F0,
 * DllInitialize 0x1720, KsiInitializeApc 0x1180) */
static void check_exports(const char *shared)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/realworld/drv-systeminformer-amd64/ksi.dll", shared);
    ls_pe *pe = NULL;
    ls_error err = {0};
    if (ls_pe_open_file(path, &pe, &err) < 0) {
        CHECK(0, "ksi.dll opens: %s", err.msg);
        return;
    }
    uint32_t rva = 0, disp = 0;
    CHECK(ls_pe_export_find(pe, "KsiInitialize", &rva, &err) == 0 && rva == 0x16f0, "export KsiInitialize at 0x16f0");
    CHECK(ls_pe_export_find(pe, "DllInitialize", &rva, &err) == 0 && rva == 0x1720, "export DllInitialize at 0x1720");
    CHECK(ls_pe_export_find(pe, "KsiInitializeApc", &rva, &err) == 0 && rva == 0x1180,
          "export KsiInitializeApc at 0x1180");
    CHECK(ls_pe_export_find(pe, "NoSuchExport", &rva, &err) == LS_ENOTFOUND, "no such export: %s", err.msg);
    char name[64];
    CHECK(ls_pe_export_at(pe, 0x16f5, name, sizeof name, &disp, &err) == 0 && strcmp(name, "KsiInitialize") == 0 &&
              disp == 5,
          "RVA 0x16f5 is KsiInitialize+5 (%s+%u)", name, disp);
    CHECK(ls_pe_export_at(pe, 0x100, name, sizeof name, &disp, &err) == LS_ENOTFOUND, "RVA 0x100: below every export");
    ls_pe_free(pe);
    snprintf(path, sizeof path, "%s/realworld/drv-wfp-driverproject-x64/driver.sys", shared);
    if (ls_pe_open_file(path, &pe, &err) == 0) {
        CHECK(ls_pe_export_find(pe, "DriverEntry", &rva, &err) == LS_ENOTFOUND && strstr(err.msg, "no export directory"),
              "driver.sys has no exports: %s", err.msg);
        ls_pe_free(pe);
    }
}

int main(void)
{
    const char *shared = getenv("SHARED");
    if (!shared) {
        CHECK(0, "SHARED is not set (run through tests/run.sh)");
        return CHECK_DONE();
    }
    for (size_t i = 0; i < sizeof images / sizeof images[0]; i++)
        check_image(shared, &images[i]);
    check_layout(shared);
    check_exports(shared);
    return CHECK_DONE();
}
