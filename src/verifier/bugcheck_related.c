/* bugcheck_related.c - the bug checks lalscan decodes (verifier.md §1.5 and 0xC4): one row per
 * check with its classes and fixed parameters, and the subcode tables of checks that have them.
 *
 * Subcode names follow the rule of bugcheck_c4.c: lalscan's own stable words, lower-case words
 * joined by '-', one name per meaning. The selecting parameter is P1 except for 0xC1 (P4). */
#include "bugcheck_table.h"

/* Rows whose selector is P1 / P4. */
#define S1(lo, hi, name, desc, p2, p3, p4) { lo, hi, name, desc, { BC_SUB, p2, p3, p4 }, 0 }
#define S4(lo, hi, name, desc, p1, p2, p3) { lo, hi, name, desc, { p1, p2, p3, BC_SUB }, 0 }
#define END { 0, 0, NULL, NULL, { BC_RSV, BC_RSV, BC_RSV, BC_RSV }, 0 }

#define POOL LS_BC_POOL

#define BC_RW BC_V("0 = read, 1 = write")
#define BC_REF BC_A("memory referenced")

/* 0xC1 SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION: P4 selects the case. */
static const struct ls_bc_row c1_rows[] = {
    S4(0x20, 0x20, "special-pool-free-never-allocated", "The driver freed special pool that was never allocated.", BC_A("address freed"), BC_RSV, BC_ZERO),
    S4(0x21, 0x22, "special-pool-free-bad-address", "The driver freed a bad special pool address.", BC_A("address freed"), BC_B("bytes requested"), BC_B("bytes actually given")),
    S4(0x23, 0x23, "special-pool-nearby-corruption", "Bytes on the same page as the block, outside it, were overwritten.", BC_A("address freed"), BC_A("address of the corruption"), BC_RSV),
    S4(0x24, 0x24, "special-pool-overrun", "Bytes after the end of the block were overwritten.", BC_A("address freed"), BC_A("address of the corruption"), BC_RSV),
    S4(0x30, 0x30, "special-pool-alloc-bad-irql", "The driver allocated special pool at an IRQL that is not allowed.", BC_IRQL, BC_PTYPE, BC_B("bytes requested")),
    S4(0x31, 0x31, "special-pool-free-bad-irql", "The driver freed special pool at an IRQL that is not allowed.", BC_IRQL, BC_PTYPE, BC_A("address freed")),
    S4(0x32, 0x32, "special-pool-bit-flip", "A single bit changed near the block, which suggests a hardware error.", BC_A("address freed"), BC_A("address of the flipped bit"), BC_RSV),
    END,
};

/* 0xC2 BAD_POOL_CALLER. */
static const struct ls_bc_row c2_rows[] = {
    S1(0x00, 0x00, "zero-byte-request", "The caller asked for a pool block of zero bytes.", BC_ZERO, BC_PTYPE, BC_V("pool tag")),
    S1(0x01, 0x02, "pool-header-corrupt", "The pool header of the block is corrupted.", BC_A("pool header"), BC_V("first part of the header"), BC_ZERO),
    S1(0x04, 0x04, "pool-header-corrupt", "The pool header of the block is corrupted.", BC_A("pool header"), BC_V("first part of the header"), BC_ZERO),
    S1(0x06, 0x06, "double-free-header", "The caller freed a block that was already free (reported with its header).", BC_RSV, BC_A("pool header"), BC_V("pool header contents")),
    S1(0x07, 0x07, "double-free-block", "The caller freed a block that was already free (reported with the block).", BC_RSV, BC_V("pool header contents"), BC_A("block")),
    S1(0x08, 0x08, "alloc-bad-irql", "The caller allocated pool at an IRQL that is not allowed.", BC_IRQL, BC_PTYPE, BC_B("bytes requested")),
    S1(0x09, 0x09, "free-bad-irql", "The caller freed pool at an IRQL that is not allowed.", BC_IRQL, BC_PTYPE, BC_A("block")),
    S1(0x0A, 0x0A, "free-wrong-tag", "The caller freed a block with a tag different from the one it was allocated with.", BC_A("block"), BC_V("tag used by the allocator"), BC_V("tag used in the free")),
    S1(0x0B, 0x0D, "quota-release-corrupt-block", "Pool quota was released for a block whose quota data is corrupted.", BC_A("block"), BC_V("pool tag"), BC_A("bad quota process pointer")),
    S1(0x40, 0x40, "free-user-address", "The caller freed a user-mode address as pool.", BC_A("start address"), BC_A("start of system space"), BC_ZERO),
    S1(0x41, 0x41, "free-nonpaged-not-allocated-pfn", "The caller freed a nonpaged address that is not allocated.", BC_A("start address"), BC_V("page frame number"), BC_V("highest page frame number")),
    S1(0x42, 0x43, "free-not-pool-address", "The address being freed was never part of any pool.", BC_A("address"), BC_ZERO, BC_ZERO),
    S1(0x44, 0x44, "free-nonpaged-not-allocated", "The caller freed a nonpaged address that is not allocated.", BC_A("start address"), BC_RSV, BC_ZERO),
    S1(0x46, 0x46, "free-invalid-pool-address", "The address being freed is not a valid pool address.", BC_A("start address"), BC_ZERO, BC_ZERO),
    S1(0x47, 0x47, "free-nonpaged-not-allocated-pfn", "The caller freed a nonpaged address that is not allocated.", BC_A("start address"), BC_V("page frame number"), BC_V("highest page frame number")),
    S1(0x48, 0x48, "free-paged-not-allocated", "The caller freed a paged address that is not allocated.", BC_A("start address"), BC_RSV, BC_RSV),
    S1(0x50, 0x50, "free-paged-not-allocated-offset", "The caller freed a paged address that is not allocated (reported with its page offset).", BC_A("start address"), BC_V("page offset into paged pool"), BC_B("paged pool size")),
    S1(0x60, 0x60, "bad-contiguous-free", "MmFreeContiguousMemory was given a bad pointer.", BC_A("start address"), BC_ZERO, BC_ZERO),
    S1(0x99, 0x99, "free-invalid-address", "The caller freed an invalid address, or the block's header is corrupt.", BC_A("address"), BC_ZERO, BC_ZERO),
    S1(0x9A, 0x9A, "must-succeed-request", "The caller asked for must-succeed pool, which is no longer supported.", BC_PTYPE, BC_B("bytes requested"), BC_V("pool tag")),
    S1(0x9B, 0x9B, "zero-tag", "The caller allocated pool with a tag of 0.", BC_PTYPE, BC_B("bytes requested"), BC_CODE("caller")),
    S1(0x9C, 0x9C, "big-tag", "The caller allocated pool with the reserved tag \"BIG\".", BC_PTYPE, BC_B("bytes requested"), BC_CODE("caller")),
    S1(0x9D, 0x9D, "tag-without-letters-or-digits", "The caller used a pool tag that contains no letters or digits.", BC_V("bad tag"), BC_PTYPE, BC_CODE("caller")),
    S1(0x41286, 0x41286, "free-paged-mid-allocation", "The caller freed a paged address in the middle of an allocation.", BC_RSV, BC_RSV, BC_V("page offset into paged pool")),
    END,
};

/* 0xC7 TIMER_OR_DPC_INVALID: P1 is the kind of object. Kinds 3-5 are not in the spec. */
static const struct ls_bc_row c7_rows[] = {
    S1(0, 0, "active-timer-in-freed-memory", "An active kernel timer lies in memory being freed or unloaded.", BC_A("timer"), BC_A("start of the range being freed"), BC_A("end of the range being freed")),
    S1(1, 1, "active-dpc-in-freed-memory", "An active DPC lies in memory being freed or unloaded.", BC_A("DPC"), BC_A("start of the range being freed"), BC_A("end of the range being freed")),
    S1(2, 2, "dpc-routine-in-freed-memory", "A DPC routine lies in memory being freed or unloaded.", BC_CODE("DPC routine"), BC_A("start of the range being freed"), BC_A("end of the range being freed")),
    END,
};

/* 0x19 BAD_POOL_HEADER. */
#define FREED_HDR "The header of a freed block was modified, usually by an overrun from the block before it."
static const struct ls_bc_row b19_rows[] = {
    S1(0x2, 0x2, "special-pool-pattern-failed", "A special-pool pattern check failed for the block.", BC_A("pool entry"), BC_B("block size"), BC_ZERO),
    S1(0x3, 0x3, "free-list-corrupt", "A pool free list is corrupt; P2, P3 and P4 should have agreed.", BC_A("pool entry"), BC_A("Flink read back"), BC_A("Blink read back")),
    S1(0x5, 0x5, "adjacent-headers-disagree", "Two neighbouring pool headers contradict each other.", BC_A("pool entry"), BC_RSV, BC_A("other pool entry")),
    S1(0x6, 0x6, "previous-size-too-large", "A pool header's PreviousSize field is too large.", BC_A("pool entry"), BC_RSV, BC_A("bad pool entry")),
    S1(0x7, 0x7, "block-size-corrupt", "A pool header's BlockSize field is corrupt.", BC_ZERO, BC_RSV, BC_A("bad pool entry")),
    S1(0x8, 0x8, "block-size-zero", "A pool header's BlockSize field is zero.", BC_ZERO, BC_RSV, BC_A("bad pool entry")),
    S1(0x9, 0x9, "block-size-too-large", "A pool header's BlockSize field is too large.", BC_A("pool entry"), BC_RSV, BC_A("bad pool entry")),
    S1(0xA, 0xA, "block-size-corrupt-in-page", "A pool header's BlockSize field is corrupt (reported with the page).", BC_A("expected pool entry"), BC_RSV, BC_A("page virtual address")),
    S1(0xD, 0xF, "freed-header-modified", FREED_HDR, BC_RSV, BC_RSV, BC_RSV),
    S1(0x20, 0x20, "block-size-corrupt-next-entry", "A pool header's BlockSize field is corrupt (reported with the next entry).", BC_A("expected pool entry"), BC_A("next pool entry"), BC_RSV),
    S1(0x21, 0x21, "overrun-found-at-free", "When the block was freed, bytes after its end were found changed.", BC_A("pointer being freed"), BC_B("bytes allocated"), BC_V("corrupt value after the block")),
    S1(0x22, 0x22, "free-untracked-address", "No tracking entry exists for the address being freed (double free or never allocated).", BC_A("address freed"), BC_RSV, BC_RSV),
    S1(0x23, 0x25, "freed-header-modified", FREED_HDR, BC_RSV, BC_RSV, BC_RSV),
    END,
};

/* 0xC9 DRIVER_VERIFIER_IOMANAGER_VIOLATION. */
static const struct ls_bc_row c9_rows[] = {
    S1(0x01, 0x01, "free-non-irp-as-irp", "An object that is not an IRP was freed as an IRP.", BC_IRP, BC_ZERO, BC_ZERO),
    S1(0x02, 0x02, "free-irp-tied-to-thread", "An IRP that is still tied to a thread was freed.", BC_IRP, BC_ZERO, BC_ZERO),
    S1(0x03, 0x03, "call-driver-bad-irp-type", "IoCallDriver was given an IRP of a bad type.", BC_IRP, BC_ZERO, BC_ZERO),
    S1(0x04, 0x04, "call-driver-bad-device", "IoCallDriver was given an invalid device object.", BC_A("device object"), BC_ZERO, BC_ZERO),
    S1(0x05, 0x05, "dispatch-changed-irql", "A dispatch routine returned at a different IRQL than it was called at.", BC_A("device object"), BC_IRQ("IRQL before"), BC_IRQ("IRQL after")),
    S1(0x06, 0x06, "completed-with-pending-status", "An IRP was completed with a pending status (or -1).", BC_V("IRP status"), BC_IRP, BC_ZERO),
    S1(0x07, 0x07, "completed-with-cancel-routine", "An IRP was completed while its cancel routine was still set.", BC_CODE("cancel routine"), BC_IRP, BC_ZERO),
    S1(0x08, 0x08, "build-fsd-request-bad-buffer", "IoBuildAsynchronousFsdRequest was given a bad buffer.", BC_A("device object"), BC_V("major function"), BC_V("exception code")),
    S1(0x09, 0x09, "build-ioctl-request-bad-buffer", "IoBuildDeviceIoControlRequest was given a bad buffer.", BC_A("device object"), BC_V("IOCTL code"), BC_V("exception code")),
    S1(0x0A, 0x0A, "timer-initialized-twice", "IoInitializeTimer was called on a timer that was already initialized.", BC_A("device object"), BC_ZERO, BC_ZERO),
    S1(0x0C, 0x0C, "io-status-block-on-unwound-stack", "An I/O status block lies on a stack that has already unwound.", BC_A("I/O status block"), BC_ZERO, BC_ZERO),
    S1(0x0D, 0x0D, "user-event-on-unwound-stack", "A user event lies on a stack that has already unwound.", BC_A("user event"), BC_ZERO, BC_ZERO),
    S1(0x0E, 0x0E, "complete-request-above-dispatch", "IoCompleteRequest was called above DISPATCH_LEVEL.", BC_IRQL, BC_IRP, BC_ZERO),
    S1(0x0F, 0x0F, "create-with-closed-file-object", "A create request was sent with a file object that was closed or cancelled.", BC_A("device object"), BC_IRP, BC_A("file object")),
    S1(0x10, 0x10, "call-driver-above-dispatch", "IoCallDriver was called above DISPATCH_LEVEL.", BC_IRQL, BC_RSV, BC_RSV),
    S1(0x11, 0x11, "fast-io-irql-above-dispatch", "Around a call to a Fast I/O routine the IRQL was above DISPATCH_LEVEL.", BC_CODE("Fast I/O routine"), BC_IRQ("IRQL before"), BC_IRQ("current IRQL")),
    S1(0x12, 0x12, "dispatch-irql-above-dispatch", "Around a call to a dispatch routine the IRQL was above DISPATCH_LEVEL.", BC_CODE("dispatch routine"), BC_IRQ("IRQL before"), BC_IRQ("current IRQL")),
    S1(0x200, 0x2FF, "wdm-driver-error", "I/O Verification found a WDM driver error (0x200 = unknown; the 0xC9 reference page lists each code).", BC_CODE("error site in the driver (usually)"), BC_A("IRP, device object or other"), BC_UNUSED),
    END,
};

/* Checks with a subcode take their parameters from the row; the check's own p[] is unused. */
#define SEL(code, name, sel, cls, rows) { code, name, sel, NULL, { BC_RSV, BC_RSV, BC_RSV, BC_RSV }, cls, rows }
#define FIXED(code, name, desc, params, cls) { code, name, -1, desc, params, cls, NULL }
#define P4(a, b, c, d) { a, b, c, d }
#define FAULT P4(BC_REF, BC_RW, BC_CODE("code address, if known"), BC_RSV)

const struct ls_bc_check ls_bc_checks[] = {
    SEL(0x19, "BAD_POOL_HEADER", 0, POOL, b19_rows),
    SEL(0xC1, "SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION", 3, POOL, c1_rows),
    SEL(0xC2, "BAD_POOL_CALLER", 0, POOL, c2_rows),
    SEL(0xC4, "DRIVER_VERIFIER_DETECTED_VIOLATION", 0, LS_BC_VERIFIER, ls_bc_c4_rows),
    FIXED(0xC5, "DRIVER_CORRUPTED_EXPOOL", "A driver touched an invalid pool address, usually because the pool was corrupted.", P4(BC_REF, BC_IRQL, BC_RW, BC_CODE("code address that referenced it")), POOL),
    FIXED(0xC6, "DRIVER_CAUGHT_MODIFYING_FREED_POOL", "A driver touched pool memory after freeing it.", P4(BC_REF, BC_RW, BC_V("0 = kernel mode, 1 = user mode"), BC_RSV), POOL),
    SEL(0xC7, "TIMER_OR_DPC_INVALID", 0, 0, c7_rows),
    SEL(0xC9, "DRIVER_VERIFIER_IOMANAGER_VIOLATION", 0, LS_BC_VERIFIER, c9_rows),
    FIXED(0xCB, "DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS", "A driver left pages locked that it should have unlocked (found by Pool Tracking or TrackLockedPages).", P4(BC_A("lock-tracking record (or caller)"), BC_V("0 (older docs: caller's caller)"), BC_MDL, BC_N("locked page count")), 0),
    FIXED(0xCC, "PAGE_FAULT_IN_FREED_SPECIAL_POOL", "Special pool memory was touched after it had been freed.", FAULT, POOL),
    FIXED(0xCD, "PAGE_FAULT_BEYOND_END_OF_ALLOCATION", "Memory past the end of a special pool allocation was touched.", FAULT, POOL),
    FIXED(0xCE, "DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS", "A driver unloaded without cancelling its pending work (lookaside lists, DPCs, worker threads and the like), and its memory was touched afterwards.", FAULT, 0),
    FIXED(0xD0, "DRIVER_CORRUPTED_MMPOOL", "A driver touched an invalid memory-manager pool address, usually because the pool was corrupted.", P4(BC_REF, BC_IRQL, BC_RW, BC_CODE("code address that referenced it")), POOL),
    FIXED(0xD5, "DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL", "A driver touched special pool memory after freeing it (its name is in nt!KiBugCheckDriver).", FAULT, POOL),
    FIXED(0xD6, "DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION", "A driver touched memory past the end of its special pool allocation (its name is in nt!KiBugCheckDriver).", FAULT, POOL),
    { 0, NULL, -1, NULL, { BC_RSV, BC_RSV, BC_RSV, BC_RSV }, 0, NULL },
};
