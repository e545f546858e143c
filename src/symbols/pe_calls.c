/* pe_calls.c - finds the code that calls a function or an import slot in an x86/x64 image, by a
 * linear byte scan of its executable sections, so a helper's callers can be named. */
#include "pe_internal.h"

#include <stdlib.h>
#include <string.h>

/* Bytes read per step; a failing step is retried page by page so one missing page of a loaded
 * image costs only that page. */
enum {
    CHUNK = 64 * 1024,
    PAGE = 4096,
    TAIL = 16,                       /* bytes read past a step: FF 15 disp32 and a 5-byte nop */
    MAX_SCAN = 512 * 1024 * 1024,    /* executable bytes looked at, at most (corrupt sizes) */
};

/* The instruction forms looked for. `mem` forms take a 32-bit memory operand: RIP-relative
 * on x64, an absolute VA on x86; the others a rel32 from the next instruction. */
typedef struct form {
    uint8_t op[2];
    uint8_t oplen;       /* opcode bytes before the 32-bit operand */
    uint8_t mem;         /* 1: [disp32] operand, 0: rel32 */
    uint8_t call;        /* 1: call, 0: jmp */
} form;

static const form forms[] = {
    {{0xE8, 0x00}, 1, 0, 1},   /* call rel32 */
    {{0xE9, 0x00}, 1, 0, 0},   /* jmp rel32 */
    {{0xFF, 0x15}, 2, 1, 1},   /* call [disp32] (FF /2, mod 00 rm 101) */
    {{0xFF, 0x25}, 2, 1, 0},   /* jmp [disp32] (FF /4, mod 00 rm 101) */
};
#define NFORMS (sizeof forms / sizeof forms[0])

static const char *const kind_names[] = {"?", "direct", "import", "thunk", "tail"};

const char *ls_pe_call_kind_name(int kind)
{
    if (kind < LS_CALL_DIRECT || kind > LS_CALL_TAIL)
        return kind_names[0];
    return kind_names[kind];
}

typedef struct scan {
    const ls_pe *pe;
    const ls_pe_call_query *q;
    int x64;
    uint64_t base;
    int pass;                /* 1: the target itself; 2: calls to the thunks of pass 1 */
    uint32_t *thunks;        /* pass 2: sorted jmp RVAs that reach the target */
    size_t nthunks;
    ls_pe_call *out;
    size_t n, cap, max;
    int oom;
    ls_pe_scan_stats st;
} scan;

static int push(scan *s, uint32_t at, uint32_t next, uint32_t via, int kind)
{
    if (s->n >= s->max) {
        s->st.capped = 1;
        return -1;
    }
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 16;
        if (nc > s->max)
            nc = s->max;
        ls_pe_call *p = realloc(s->out, nc * sizeof *p);
        if (!p) {
            s->oom = 1;
            return -1;
        }
        s->out = p;
        s->cap = nc;
    }
    s->out[s->n++] = (ls_pe_call){at, next, via, kind};
    return 0;
}

static int find_thunk(const scan *s, uint32_t rva)
{
    size_t lo = 0, hi = s->nthunks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->thunks[mid] == rva)
            return 1;
        if (s->thunks[mid] < rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Where the operand of form f at opcode RVA `at` points, as an RVA; 0 when outside the image
 * (RVA 0 is the DOS header: never a call target or an IAT slot). */
static uint32_t operand_rva(const scan *s, const form *f, uint32_t at, uint32_t raw)
{
    uint32_t next = at + f->oplen + 4;
    int64_t r;
    if (!f->mem || s->x64)
        r = s->x64 ? (int64_t)next + (int32_t)raw : (int64_t)(uint32_t)(next + raw); /* x86 wraps mod 2^32 */
    else
        r = (int64_t)raw - (int64_t)s->base;
    if (r <= 0 || r >= (int64_t)s->pe->info.size_of_image)
        return 0;
    return (uint32_t)r;
}

/* Whether the byte before FF 15/FF 25 on x64 is the instruction's REX.W prefix. A 0x48 there
 * is just as often the last byte of the previous instruction ("mov rcx,[rsp+48h]"), so only
 * the forms compilers emit with the prefix count: a tail jump (the x64 unwinder wants
 * "rex.w jmp [rip+disp]" in an epilogue; thunks have no prefix) and an import call padded by a
 * 5-byte nop (0F 1F 44 00 00) for the kernel's import-call patching. Either way the return
 * address is the same; only call_rva is at stake. */
static int rex_prefixed(const uint8_t *buf, size_t i, size_t len, const form *f)
{
    static const uint8_t nop5[5] = {0x0F, 0x1F, 0x44, 0x00, 0x00};
    if (i == 0 || buf[i - 1] != 0x48)
        return 0;
    if (!f->call)
        return 1;
    size_t after = i + f->oplen + 4;
    return after + sizeof nop5 <= len && memcmp(buf + after, nop5, sizeof nop5) == 0;
}

/* The candidate's first byte, or UINT32_MAX when the caller's check refuses it. */
static uint32_t accept_start(scan *s, const uint8_t *buf, size_t i, size_t len, const form *f, uint32_t at)
{
    uint32_t start = s->x64 && f->mem && rex_prefixed(buf, i, len, f) ? at - 1 : at;
    if (s->q->check && !s->q->check(s->q->check_ctx, start)) {
        s->st.rejected++;
        return UINT32_MAX;
    }
    return start;
}

/* Looks for matching forms with opcodes at [lo, hi); buf holds [buf_rva, buf_rva+len). */
static void match(scan *s, const uint8_t *buf, uint32_t buf_rva, size_t len, uint32_t lo, uint32_t hi)
{
    const ls_pe_call_query *q = s->q;
    for (uint32_t at = lo; at < hi && !s->oom && !s->st.capped; at++) {
        size_t i = at - buf_rva;
        uint8_t b = buf[i];
        if (b != 0xE8 && b != 0xE9 && b != 0xFF)
            continue;
        for (size_t k = 0; k < NFORMS; k++) {
            const form *f = &forms[k];
            if (i + f->oplen + 4 > len || memcmp(buf + i, f->op, f->oplen) != 0)
                continue;
            uint32_t dest = operand_rva(s, f, at, ls_le32(buf + i + f->oplen));
            if (!dest)
                continue;
            uint32_t next = at + f->oplen + 4, via = 0;
            int kind;
            if (s->pass == 1) {
                if (dest != q->target_rva || f->mem != (q->through_slot != 0))
                    continue;
                kind = !f->call ? LS_CALL_TAIL : f->mem ? LS_CALL_IMPORT : LS_CALL_DIRECT;
            } else {
                if (f->mem || !find_thunk(s, dest))
                    continue;
                via = dest;
                kind = f->call ? LS_CALL_THUNK : LS_CALL_TAIL;
            }
            uint32_t start = accept_start(s, buf, i, len, f, at);
            if (start != UINT32_MAX)
                push(s, start, next, via, kind);
        }
    }
}

static void note_unscanned(scan *s, uint32_t rva, uint64_t len)
{
    if (s->pass != 1)
        return;
    if (!s->st.unscanned)
        s->st.first_unscanned_rva = rva;
    s->st.unscanned += len;
}

/* Scans opcodes in [a, a+len) of a section spanning [lo, hi): reads one byte before (for a
 * prefix) and a few after (operands) when they are readable. Reads pass no ls_error: a
 * missing page is expected, and formatting a message per page would cost more than the scan. */
static void scan_range(scan *s, uint8_t *buf, uint32_t a, uint32_t len, uint32_t lo, uint32_t hi)
{
    uint32_t pre = a > lo ? 1 : 0;
    uint32_t tail = hi - (a + len) < TAIL ? hi - (a + len) : TAIL;
    if (ls_pe_read(s->pe, a - pre, buf, (size_t)pre + len + tail, NULL) == 0) {
        match(s, buf, a - pre, (size_t)pre + len + tail, a, a + len);
    } else if ((pre || tail) && ls_pe_read(s->pe, a, buf, len, NULL) == 0) {
        match(s, buf, a, len, a, a + len);
    } else if (len > PAGE || (a % PAGE) + len > PAGE) {
        for (uint32_t p = a; p < a + len && p >= a;) {
            uint32_t end = (p / PAGE + 1) * PAGE;
            if (end > a + len || end < p)
                end = a + len;
            scan_range(s, buf, p, end - p, lo, hi);
            p = end;
        }
        return;
    } else {
        note_unscanned(s, a, len);
        return;
    }
    if (s->pass == 1)
        s->st.scanned += len;
}

/* How much of section sec can hold code (*len, from sec->rva): bounded by the image, and in a
 * file by the section's raw data (bytes past it are zero fill). *missing gets the part of the
 * raw data that lies past the end of a truncated file. */
static int code_span(const ls_pe *pe, const ls_pe_section *sec, uint32_t *len, uint32_t *missing)
{
    uint64_t l = sec->virtual_size ? sec->virtual_size : sec->raw_size, lost = 0;
    if (sec->rva >= pe->info.size_of_image)
        return 0;
    if (l > pe->info.size_of_image - sec->rva)
        l = pe->info.size_of_image - sec->rva;
    if (!pe->loaded) {
        if (l > sec->raw_size)
            l = sec->raw_size;
        uint64_t avail = sec->raw_offset < pe->size ? pe->size - sec->raw_offset : 0;
        if (l > avail) {
            lost = l - avail;
            l = avail;
        }
    }
    *len = (uint32_t)l;
    *missing = (uint32_t)lost;
    return l > 0 || lost > 0;
}

typedef struct span {
    uint32_t lo, hi;
} span;

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The executable sections' code spans, sorted. Pass 1 also counts the sections and notes raw
 * data lost to a truncated file. */
static size_t exec_spans(scan *s, span *out)
{
    unsigned nsec;
    const ls_pe_section *secs = ls_pe_sections(s->pe, &nsec);
    size_t n = 0;
    for (unsigned i = 0; i < nsec && i < PE_MAX_SECTIONS; i++) {
        const ls_pe_section *sec = &secs[i];
        /* IMAGE_SCN_MEM_EXECUTE or IMAGE_SCN_CNT_CODE */
        if (!(sec->characteristics & 0x20000000u) && !(sec->characteristics & 0x20u))
            continue;
        uint32_t len, missing;
        if (s->pass == 1)
            s->st.sections++;
        if (!code_span(s->pe, sec, &len, &missing))
            continue;
        if (missing)
            note_unscanned(s, sec->rva + len, missing);
        if (len)
            out[n++] = (span){sec->rva, sec->rva + len};
    }
    qsort(out, n, sizeof *out, cmp_span);
    return n;
}

/* Scans every executable byte once: overlapping sections (a corrupt table) share their bytes,
 * since a read at an RVA sees the same bytes whichever section lists it. */
static void scan_image(scan *s, uint8_t *buf)
{
    span spans[PE_MAX_SECTIONS];
    size_t n = exec_spans(s, spans);
    uint32_t done = 0;
    uint64_t budget = MAX_SCAN;
    for (size_t i = 0; i < n && !s->oom && !s->st.capped; i++) {
        uint32_t lo = spans[i].lo > done ? spans[i].lo : done, hi = spans[i].hi;
        if (lo >= hi)
            continue;
        done = hi;
        if (hi - lo > budget) {
            note_unscanned(s, lo + (uint32_t)budget, hi - lo - budget);
            hi = lo + (uint32_t)budget;
        }
        budget -= hi - lo;
        for (uint32_t a = lo; a < hi && !s->oom && !s->st.capped;) {
            uint32_t step = hi - a < CHUNK ? hi - a : CHUNK;
            scan_range(s, buf, a, step, spans[i].lo, spans[i].hi);
            a += step;
        }
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_call(const void *a, const void *b)
{
    const ls_pe_call *x = a, *y = b;
    if (x->call_rva != y->call_rva)
        return x->call_rva < y->call_rva ? -1 : 1;
    return x->kind - y->kind;
}

int ls_pe_scan_calls(const ls_pe *pe, const ls_pe_call_query *q, ls_pe_call **calls, size_t *n,
                     ls_pe_scan_stats *stats, ls_error *err)
{
    if (!pe || !q || !calls || !n)
        return ls_error_set(err, LS_EINVAL, "ls_pe_scan_calls: no image, query or output");
    uint16_t m = pe->info.machine;
    if (m != 0x14c && m != 0x8664)
        return ls_error_set(err, LS_EUNSUPPORTED, "%s: finding calls needs an x86 or x64 image (machine 0x%x)",
                            pe->name, m);
    if (q->target_rva == 0 || q->target_rva >= pe->info.size_of_image)
        return ls_error_set(err, LS_EINVAL, "%s: %s RVA 0x%x is outside the image (SizeOfImage 0x%x)", pe->name,
                            q->through_slot ? "import slot" : "function", q->target_rva, pe->info.size_of_image);
    scan s = {0};
    s.pe = pe;
    s.q = q;
    s.x64 = m == 0x8664;
    s.base = q->image_base ? q->image_base : pe->info.image_base;
    s.max = q->max_calls ? q->max_calls : LS_PE_MAX_CALLS;
    uint8_t *buf = malloc((size_t)CHUNK + 2 * TAIL);
    if (!buf)
        return ls_error_oom(err);
    s.pass = 1;
    scan_image(&s, buf);
    /* Jumps found in pass 1 may be thunks: a call to one is a call to the target. */
    size_t first_pass = s.n;
    for (size_t i = 0; i < first_pass && !s.oom; i++) {
        /* a jmp at the target itself would make every call a "thunk" call */
        if (s.out[i].kind != LS_CALL_TAIL || s.out[i].call_rva == q->target_rva)
            continue;
        if (!s.thunks) {
            s.thunks = malloc(2 * first_pass * sizeof *s.thunks);
            if (!s.thunks) {
                s.oom = 1;
                break;
            }
        }
        s.thunks[s.nthunks++] = s.out[i].call_rva;
        /* a 7-byte jmp [slot] was taken as REX-prefixed: a call may still land on the FF */
        if (q->through_slot && s.out[i].return_rva - s.out[i].call_rva == 7)
            s.thunks[s.nthunks++] = s.out[i].call_rva + 1;
    }
    if (s.nthunks && !s.oom && !s.st.capped) {
        qsort(s.thunks, s.nthunks, sizeof *s.thunks, cmp_u32);
        s.pass = 2;
            scan_image(&s, buf);
    }
    free(buf);
    free(s.thunks);
    if (s.oom) {
        free(s.out);
        return ls_error_oom(err);
    }
    if (!s.st.scanned && s.st.unscanned) {
        free(s.out);
        return ls_error_set(err, LS_ENODATA,
                            "%s: none of the 0x%llx bytes of executable sections could be read (first at RVA 0x%x)",
                            pe->name, (unsigned long long)s.st.unscanned, s.st.first_unscanned_rva);
    }
    if (s.n) {
        /* one entry per instruction: a direct call wins over the same bytes seen as a thunk call */
        qsort(s.out, s.n, sizeof *s.out, cmp_call);
        size_t k = 1;
        for (size_t i = 1; i < s.n; i++)
            if (s.out[i].call_rva != s.out[k - 1].call_rva)
                s.out[k++] = s.out[i];
        s.n = k;
    } else {
        free(s.out);
        s.out = NULL;
    }
    *calls = s.out;
    *n = s.n;
    if (stats)
        *stats = s.st;
    return 0;
}

int ls_pe_find_calls(const ls_pe *pe, uint32_t target_rva, ls_pe_call **calls, size_t *n,
                     ls_pe_scan_stats *stats, ls_error *err)
{
    ls_pe_call_query q = {.target_rva = target_rva};
    return ls_pe_scan_calls(pe, &q, calls, n, stats, err);
}

int ls_pe_find_calls_checked(const ls_pe *pe, uint32_t target_rva, ls_pe_insn_check_fn check,
                             void *ctx, ls_pe_call **calls, size_t *n, ls_pe_scan_stats *stats,
                             ls_error *err)
{
    ls_pe_call_query q = {.target_rva = target_rva, .check = check, .check_ctx = ctx};
    return ls_pe_scan_calls(pe, &q, calls, n, stats, err);
}

int ls_pe_find_import_calls(const ls_pe *pe, uint32_t iat_rva, ls_pe_call **calls, size_t *n,
                            ls_pe_scan_stats *stats, ls_error *err)
{
    ls_pe_call_query q = {.target_rva = iat_rva, .through_slot = 1};
    return ls_pe_scan_calls(pe, &q, calls, n, stats, err);
}
