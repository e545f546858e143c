/* bugcheck_c4.c - the subcodes of bug check 0xC4 DRIVER_VERIFIER_DETECTED_VIOLATION, one row per
 * parameter-1 value of verifier.md §1.2 and §1.4, with what P2..P4 hold.
 *
 * Names are lalscan's own words and part of the JSON contract (bugcheck.subcode.name): once
 * released they do not change. Rule: lower-case words (digits allowed) joined by single '-', the
 * violation as "thing-what-happened" (for example "pool-leak-at-unload"). Rows the spec does not
 * tell apart share one name and one description. Descriptions are one plain sentence ending with
 * a period. P1 is always the subcode; "always 0" marks a parameter the spec says is zero. */
#include "bugcheck_table.h"

#define R(lo, hi, name, desc, p2, p3, p4, cls) { lo, hi, name, desc, { BC_SUB, p2, p3, p4 }, cls }
#define R1(v, name, desc, p2, p3, p4, cls) { v, v, name, desc, { BC_SUB, p2, p3, p4 }, cls }

#define POOL LS_BC_POOL
#define LEAK (LS_BC_POOL | LS_BC_LEAK_AT_UNLOAD)
#define LALIST LS_BC_LOOKASIDE

/* DDI compliance rules: P2 is the rule's condition text; P3/P4 come in three shapes (§1.4).
 * Their names are "ddi-" and the rule's name split into words at capitals and digits. */
#define BC_S1 BC_A("optional pointer to the rule state"), BC_RSV
#define BC_S2 BC_V("rule state (!ruleinfo 2nd arg)"), BC_V("supplemental states (3rd arg)")
#define BC_S3 BC_UNUSED, BC_UNUSED
#define DDI(v, name, rule, shape) \
    { v, v, name, "The driver broke the DDI compliance rule " rule ".", { BC_SUB, BC_A("violated condition (string)"), shape }, 0 }

/* 0x62: P2 points at the driver's UTF-16 base name (no length at P2 itself), P3 is Verifier's
 * per-driver record (MI_VERIFIER_DRIVER_ENTRY up to Vista, VF_TARGET_VERIFIED_DRIVER_DATA from
 * Windows 7), P4 counts allocations not freed, paged + nonpaged; when a Windows 8+ driver leaks
 * contiguous memory P4 is that memory's byte count instead (verifier.md §1.2, era table). */
#define BC_DRIVER_NAME { "address of the driver's name", LS_PARAM_DRIVER_NAME }
#define BC_VERIFIER_ENTRY { "Verifier's per-driver record", LS_PARAM_VERIFIER_ENTRY }

#define TRACKED_BAD "Verifier's tracking data for the block being freed held a wrong value."
#define STACK_SWITCH "The driver switched stacks in a way the kernel does not support."

const struct ls_bc_row ls_bc_c4_rows[] = {
    /* Pool allocation and free. */
    R1(0x00, "zero-byte-allocation", "The driver asked for a pool allocation of zero bytes.", BC_IRQL, BC_PTYPE, BC_B("bytes requested"), POOL),
    R1(0x01, "paged-alloc-above-apc", "The driver allocated paged pool at an IRQL above APC_LEVEL.", BC_IRQL, BC_PTYPE, BC_B("bytes requested"), POOL),
    R1(0x02, "nonpaged-alloc-above-dispatch", "The driver allocated nonpaged pool at an IRQL above DISPATCH_LEVEL.", BC_IRQL, BC_PTYPE, BC_B("bytes requested"), POOL),
    R1(0x03, "must-succeed-over-one-page", "The driver asked for more than one page of must-succeed pool.", BC_UNUSED, BC_UNUSED, BC_UNUSED, POOL),
    R1(0x10, "free-unallocated-address", "The driver freed an address that no pool allocation returned.", BC_A("address being freed"), BC_ZERO, BC_ZERO, POOL),
    R1(0x11, "paged-free-above-apc", "The driver freed paged pool at an IRQL above APC_LEVEL.", BC_IRQL, BC_PTYPE, BC_A("block being freed"), POOL),
    R1(0x12, "nonpaged-free-above-dispatch", "The driver freed nonpaged pool at an IRQL above DISPATCH_LEVEL.", BC_IRQL, BC_PTYPE, BC_A("block being freed"), POOL),
    R(0x13, 0x14, "double-free", "The driver freed a pool block that was already free.", BC_RSV, BC_A("pool header"), BC_V("pool header contents"), POOL),
    R1(0x15, "freed-pool-active-timer", "The driver freed pool that still holds an active kernel timer.", BC_A("timer"), BC_PTYPE, BC_A("block being freed"), POOL),
    R1(0x16, "free-bad-address-or-arguments", "The driver freed a bad address or passed bad arguments to a memory routine.", BC_RSV, BC_A("address"), BC_ZERO, POOL),
    R1(0x17, "freed-pool-active-eresource", "The driver freed pool that still holds an active ERESOURCE.", BC_A("ERESOURCE"), BC_PTYPE, BC_A("block being freed"), POOL),

    /* IRQL and synchronization. */
    R1(0x30, "raise-irql-to-lower-level", "The driver called KeRaiseIrql with a level below the current one, or an invalid level.", BC_IRQL, BC_IRQ("requested IRQL"), BC_ZERO, 0),
    R1(0x31, "lower-irql-to-higher-level", "The driver called KeLowerIrql with a level above the current one, or an invalid level.", BC_IRQL, BC_IRQ("requested IRQL"), BC_V("0 bad level, 1 invalid in a DPC"), 0),
    R1(0x32, "spin-lock-release-not-dispatch", "The driver released a spin lock while not at DISPATCH_LEVEL.", BC_IRQL, BC_A("spin lock"), BC_ZERO, 0),
    R1(0x33, "fast-mutex-acquire-above-apc", "The driver acquired a fast mutex at an IRQL above APC_LEVEL.", BC_IRQL, BC_A("fast mutex"), BC_ZERO, 0),
    R1(0x34, "fast-mutex-release-not-apc", "The driver released a fast mutex while not at APC_LEVEL.", BC_IRQL, BC_V("APC-disable count"), BC_A("fast mutex"), 0),
    R1(0x35, "kernel-spin-lock-release-not-dispatch", "The kernel released a spin lock while not at DISPATCH_LEVEL.", BC_IRQL, BC_A("spin lock"), BC_IRQ("old IRQL"), 0),
    R1(0x36, "queued-spin-lock-release-not-dispatch", "The kernel released a queued spin lock while not at DISPATCH_LEVEL.", BC_IRQL, BC_V("queued lock number"), BC_IRQ("old IRQL"), 0),
    R1(0x37, "resource-acquire-apcs-enabled", "The driver acquired an executive resource with normal kernel APCs enabled.", BC_IRQL, BC_V("APC-disable count"), BC_A("resource"), 0),
    R1(0x38, "resource-release-apcs-enabled", "The driver released an executive resource with normal kernel APCs enabled.", BC_IRQL, BC_V("APC-disable count"), BC_A("resource"), 0),
    R1(0x39, "unsafe-mutex-acquire-not-apc", "The driver acquired a mutex with the unsafe routine while not at APC_LEVEL.", BC_IRQL, BC_V("APC-disable count"), BC_A("mutex"), 0),
    R1(0x3A, "unsafe-mutex-release-not-apc", "The driver released a mutex with the unsafe routine while not at APC_LEVEL.", BC_IRQL, BC_V("APC-disable count"), BC_A("mutex"), 0),
    R1(0x3B, "wait-at-dispatch", "The driver called a KeWaitXxx routine at DISPATCH_LEVEL or above.", BC_IRQL, BC_A("object waited on"), BC_V("timeout"), 0),
    R1(0x3C, "reference-bad-handle", "The driver passed a bad handle to ObReferenceObjectByHandle.", BC_V("handle"), BC_A("object type"), BC_ZERO, 0),
    R1(0x3D, "unaligned-resource", "The driver passed an unaligned resource to ExAcquireResourceExclusive.", BC_ZERO, BC_ZERO, BC_A("resource"), 0),
    R1(0x3E, "leave-critical-region-outside", "The driver called KeLeaveCriticalRegion while not inside a critical region.", BC_ZERO, BC_ZERO, BC_ZERO, 0),
    R1(0x3F, "object-reference-count-zero", "The driver referenced or dereferenced an object whose reference count was already zero.", BC_A("object"), BC_V("new reference count (-1 or 1)"), BC_ZERO, 0),
    R1(0x40, "spin-lock-acquire-dpc-below-dispatch", "The driver called KeAcquireSpinLockAtDpcLevel below DISPATCH_LEVEL.", BC_IRQL, BC_A("spin lock"), BC_ZERO, 0),
    R1(0x41, "spin-lock-release-dpc-below-dispatch", "The driver called KeReleaseSpinLockFromDpcLevel below DISPATCH_LEVEL.", BC_IRQL, BC_A("spin lock"), BC_ZERO, 0),
    R1(0x42, "spin-lock-acquire-above-dispatch", "The driver called KeAcquireSpinLock above DISPATCH_LEVEL.", BC_IRQL, BC_A("spin lock"), BC_ZERO, 0),

    /* Pool tracking: overruns found at free time, and leaks at unload (§1.2). */
    R1(0x51, "pool-overrun-at-free", "When the block was freed, Verifier found it had been written past its end.", BC_A("allocation base"), BC_A("address referenced past the end"), BC_B("charged bytes"), POOL),
    R1(0x52, "pool-overrun-bad-tracking-entry", "When the block was freed it looked overrun and its tracking entry was wrong.", BC_A("allocation base"), BC_A("hash (tracking) entry"), BC_B("charged bytes"), POOL),
    R1(0x53, "pool-overrun-bad-verifier-header", "When the block was freed it looked overrun and Verifier's header for it was damaged.", BC_A("allocation base"), BC_A("Verifier's per-block header"), BC_RSV, POOL),
    R1(0x54, "pool-overrun-bad-trailer-index", "When the block was freed it looked overrun and its tracking index was outside the table.", BC_A("allocation base"), BC_RSV, BC_V("pool hash size"), POOL),
    R1(0x59, "pool-overrun-bad-list-index", "When the block was freed it looked overrun and its ListIndex field was wrong.", BC_A("allocation base"), BC_V("ListIndex"), BC_RSV, POOL),
    R1(0x60, "pool-leak-at-unload-bytes", "The driver unloaded while it still held pool allocations (older form that reports byte totals).", BC_B("paged bytes still allocated"), BC_B("nonpaged bytes still allocated"), BC_N("allocations not freed"), LEAK),
    R1(0x61, "pool-alloc-during-unload", "A driver thread allocated pool while the driver was unloading.", BC_B("paged bytes still allocated"), BC_B("nonpaged bytes still allocated"), BC_N("allocations not freed"), LEAK),
    R1(0x62, "pool-leak-at-unload", "The driver unloaded while it still held pool allocations (from Windows 8.1 on, also unfreed work items).", BC_DRIVER_NAME, BC_VERIFIER_ENTRY, BC_N("allocations not freed"), LEAK),

    /* Memory descriptor lists, mappings and I/O space. */
    R1(0x6F, "mdl-pages-outside-pfn-database", "MmProbeAndLockPages was given pages that lie outside the PFN database.", BC_MDL, BC_V("physical page"), BC_V("highest physical page"), 0),
    R1(0x70, "probe-lock-above-dispatch", "The driver called MmProbeAndLockPages above DISPATCH_LEVEL.", BC_IRQL, BC_MDL, BC_V("access mode"), 0),
    R1(0x71, "probe-lock-process-above-dispatch", "The driver called MmProbeAndLockProcessPages above DISPATCH_LEVEL.", BC_IRQL, BC_MDL, BC_A("process"), 0),
    R1(0x72, "probe-lock-selected-above-dispatch", "The driver called MmProbeAndLockSelectedPages above DISPATCH_LEVEL.", BC_IRQL, BC_MDL, BC_A("process"), 0),
    R1(0x73, "map-io-space-above-dispatch", "The driver called MmMapIoSpace above DISPATCH_LEVEL.", BC_IRQL, BC_V("physical address (low 32 on x86)"), BC_B("bytes"), 0),
    R1(0x74, "map-locked-kernel-above-dispatch", "The driver called MmMapLockedPages for kernel mode above DISPATCH_LEVEL.", BC_IRQL, BC_MDL, BC_V("access mode"), 0),
    R1(0x75, "map-locked-user-above-apc", "The driver called MmMapLockedPages for user mode above APC_LEVEL.", BC_IRQL, BC_MDL, BC_V("access mode"), 0),
    R1(0x76, "map-locked-cache-kernel-above-dispatch", "The driver called MmMapLockedPagesSpecifyCache for kernel mode above DISPATCH_LEVEL.", BC_IRQL, BC_MDL, BC_V("access mode"), 0),
    R1(0x77, "map-locked-cache-user-above-apc", "The driver called MmMapLockedPagesSpecifyCache for user mode above APC_LEVEL.", BC_IRQL, BC_MDL, BC_V("access mode"), 0),
    R1(0x78, "unlock-pages-above-dispatch", "The driver called MmUnlockPages above DISPATCH_LEVEL.", BC_IRQL, BC_MDL, BC_ZERO, 0),
    R1(0x79, "unmap-locked-kernel-above-dispatch", "The driver called MmUnmapLockedPages for kernel mode above DISPATCH_LEVEL.", BC_IRQL, BC_A("virtual address being unmapped"), BC_MDL, 0),
    R1(0x7A, "unmap-locked-user-above-apc", "The driver called MmUnmapLockedPages for user mode above APC_LEVEL.", BC_IRQL, BC_A("virtual address being unmapped"), BC_MDL, 0),
    R1(0x7B, "unmap-io-space-above-apc", "The driver called MmUnmapIoSpace above APC_LEVEL.", BC_IRQL, BC_A("virtual address being unmapped"), BC_B("bytes"), 0),
    R1(0x7C, "unlock-never-locked-mdl", "The driver called MmUnlockPages on an MDL that was never locked.", BC_MDL, BC_V("MDL flags"), BC_ZERO, 0),
    R1(0x7D, "unlock-nonpaged-pool-mdl", "The driver called MmUnlockPages on an MDL that describes nonpaged pool.", BC_MDL, BC_V("MDL flags"), BC_ZERO, 0),
    R1(0x7E, "mdl-page-call-above-dispatch", "The driver called MmAllocatePagesForMdl(Ex) or MmFreePagesFromMdl above DISPATCH_LEVEL.", BC_IRQL, BC_IRQ("DISPATCH_LEVEL"), BC_ZERO, 0),
    R1(0x7F, "build-mdl-on-paged-memory", "The driver called MmBuildMdlForNonPagedPool on paged memory.", BC_IRQL, BC_MDL, BC_V("MDL flags"), 0),
    R1(0x80, "set-event-above-dispatch", "The driver called KeSetEvent above DISPATCH_LEVEL.", BC_IRQL, BC_A("event"), BC_ZERO, 0),
    R1(0x81, "map-locked-pages-used", "The driver called MmMapLockedPages where MmMapLockedPagesSpecifyCache with BugCheckOnFailure FALSE is required.", BC_MDL, BC_V("MDL flags"), BC_ZERO, 0),
    R1(0x82, "map-locked-bugcheck-on-failure", "The driver called MmMapLockedPagesSpecifyCache with BugCheckOnFailure TRUE.", BC_MDL, BC_V("MDL flags"), BC_ZERO, 0),
    R1(0x83, "map-io-space-unlocked-ram", "The driver used MmMapIoSpace on RAM that is not locked.", BC_V("physical start address"), BC_B("bytes"), BC_V("first page number not locked"), 0),
    R1(0x85, "map-locked-pages-not-locked", "The driver called MmMapLockedPages on an MDL whose pages are not locked.", BC_MDL, BC_N("pages"), BC_V("first page number not locked"), 0),
    R1(0x89, "mdl-non-ram-not-io", "An MDL that is not marked as I/O space describes pages that are not RAM.", BC_MDL, BC_A("non-memory page entry (pointer)"), BC_V("that page number"), 0),
    R1(0x90, "unsupported-stack-switch", STACK_SWITCH, BC_UNUSED, BC_UNUSED, BC_UNUSED, 0),
    R1(0x91, "unsupported-stack-switch", STACK_SWITCH, BC_RSV, BC_RSV, BC_RSV, 0),
    R1(0xA0, "disk-crc-mismatch", "Disk integrity checking found a sector whose CRC does not match.", BC_IRP, BC_A("lower device object"), BC_V("sector"), 0),
    R1(0xA1, "disk-crc-mismatch-async", "Disk integrity checking found a sector whose CRC does not match, after the request completed.", BC_A("copy of the IRP"), BC_A("lower device object"), BC_V("sector"), 0),
    R1(0xA2, "disk-checksum-copies-disagree", "Disk integrity checking found that its copies of a sector checksum disagree.", BC_A("IRP or its copy"), BC_A("lower device object"), BC_V("sector"), 0),
    R1(0xB0, "probe-lock-wrong-mdl-flags", "The driver called MmProbeAndLockPages on an MDL with the wrong flags.", BC_MDL, BC_V("MDL flags"), BC_V("wrong flags"), 0),
    R1(0xB1, "probe-lock-process-wrong-mdl-flags", "The driver called MmProbeAndLockProcessPages on an MDL with the wrong flags.", BC_MDL, BC_V("MDL flags"), BC_V("wrong flags"), 0),
    R1(0xB2, "map-locked-mdl-already-mapped", "The driver called MmMapLockedPages on an MDL that is already mapped or not locked.", BC_MDL, BC_V("MDL flags"), BC_V("wrong flags"), 0),
    R1(0xB3, "map-locked-mdl-not-locked", "The driver called MmMapLockedPages on an MDL that is not locked.", BC_MDL, BC_V("MDL flags"), BC_V("missing flags"), 0),
    R1(0xB4, "unlock-partial-mdl", "The driver unlocked a partial MDL.", BC_MDL, BC_V("MDL flags"), BC_V("partial flag"), 0),
    R1(0xB5, "unmap-partial-mdl", "The driver unmapped a partial MDL.", BC_MDL, BC_V("MDL flags"), BC_V("partial flag"), 0),
    R1(0xB6, "unmap-mdl-not-system-mapped", "The driver unmapped an MDL that is not mapped to system space.", BC_MDL, BC_V("MDL flags"), BC_V("missing flag"), 0),
    R1(0xB7, "bios-corrupted-low-memory", "The BIOS corrupted low memory while the system was asleep.", BC_N("pages corrupted"), BC_V("first page"), BC_V("last page"), 0),
    R1(0xB8, "free-mdl-still-mapped", "The driver called IoFreeMdl while the MDL's pages were still mapped.", BC_MDL, BC_V("MDL flags"), BC_RSV, 0),
    R1(0xB9, "unmap-bad-user-address", "The driver called MmUnmapLockedPages with a bad user address.", BC_A("virtual address"), BC_MDL, BC_RSV, 0),

    /* Calls with interrupts disabled, APC-disable balance. */
    R1(0xC0, "call-driver-interrupts-disabled", "IoCallDriver was called with interrupts disabled.", BC_IRP, BC_ZERO, BC_RSV, 0),
    R1(0xC1, "dispatch-returned-interrupts-disabled", "A dispatch routine returned with interrupts disabled.", BC_CODE("dispatch routine"), BC_RSV, BC_RSV, 0),
    R1(0xC2, "fast-io-called-interrupts-disabled", "A Fast I/O routine was called with interrupts disabled.", BC_ZERO, BC_ZERO, BC_ZERO, 0),
    R1(0xC3, "fast-io-returned-interrupts-disabled", "A Fast I/O routine returned with interrupts disabled.", BC_CODE("Fast I/O routine"), BC_RSV, BC_RSV, 0),
    R1(0xC5, "dispatch-changed-apc-disable-count", "A dispatch routine returned with a different APC-disable count than it was called with.", BC_CODE("dispatch routine"), BC_V("current APC-disable count"), BC_V("count before the call"), 0),
    R1(0xC6, "fast-io-changed-apc-disable-count", "A Fast I/O routine returned with a different APC-disable count than it was called with.", BC_CODE("Fast I/O routine"), BC_V("current APC-disable count"), BC_V("count before the call"), 0),

    /* Lookaside lists (§1.2, §4). */
    R1(0xCA, "lookaside-initialized-twice", "The driver initialized a lookaside list that was already initialized.", BC_A("lookaside list"), BC_RSV, BC_RSV, LALIST),
    R1(0xCB, "lookaside-delete-uninitialized", "The driver deleted a lookaside list that was never initialized.", BC_A("lookaside list"), BC_RSV, BC_RSV, LALIST),
    R1(0xCC, "freed-pool-active-lookaside", "The driver freed a pool block that still contains an active lookaside list.", BC_A("lookaside list"), BC_A("start of the pool block freed"), BC_B("size of the pool block"), LALIST | POOL),
    R1(0xCD, "lookaside-entry-too-small", "The driver created a lookaside list whose entry size is below the supported minimum.", BC_A("lookaside list"), BC_B("block size requested"), BC_B("minimum supported size"), LALIST),

    /* Resources, remove locks, WMI and ETW. */
    R1(0xD0, "eresource-initialized-twice", "The driver initialized an ERESOURCE that was already initialized.", BC_A("ERESOURCE"), BC_RSV, BC_RSV, 0),
    R1(0xD1, "eresource-delete-uninitialized", "The driver deleted an ERESOURCE that was never initialized.", BC_A("ERESOURCE"), BC_RSV, BC_RSV, 0),
    R1(0xD2, "eresource-in-freed-pool", "The driver freed a pool range that still holds an active ERESOURCE.", BC_A("ERESOURCE"), BC_A("start of the pool being freed"), BC_B("size of the pool being freed"), POOL),
    R1(0xD5, "remove-lock-release-tag-mismatch", "IoReleaseRemoveLock was given a different tag from the one used to acquire the lock.", BC_A("remove lock (checked-build shape)"), BC_V("current release tag"), BC_RSV, 0),
    R1(0xD6, "remove-lock-release-wait-tag-mismatch", "IoReleaseRemoveLockAndWait was given a different tag from the one used to acquire the lock.", BC_A("remove lock"), BC_V("mismatching tag"), BC_V("previous acquire tag"), 0),
    R1(0xD7, "remove-lock-reinitialized", "The driver initialized a remove lock again after releasing it with IoReleaseRemoveLockAndWait.", BC_A("Verifier's internal remove lock"), BC_A("the driver's remove lock"), BC_RSV, 0),
    R1(0xDA, "unload-wmi-callback-registered", "The driver unloaded with its WMI callback still registered.", BC_CODE("driver start address"), BC_CODE("WMI callback in the driver"), BC_RSV, 0),
    R1(0xDB, "device-deleted-wmi-registered", "The driver deleted a device object that was still registered with WMI.", BC_A("device object"), BC_RSV, BC_RSV, 0),
    R1(0xDC, "etw-unregister-bad-handle", "The driver passed a bad registration handle to EtwUnregister.", BC_RSV, BC_RSV, BC_RSV, 0),
    R1(0xDD, "unload-etw-registered", "The driver unloaded without calling EtwUnregister.", BC_CODE("address of the EtwRegister call"), BC_CODE("start of the unloading driver"), BC_V("ETW RegHandle (Windows 8+)"), 0),

    /* Addresses and handles passed across the user/kernel line. */
    R1(0xDF, "sync-object-in-session-space", "The driver used a synchronization object that lives in session space.", BC_A("synchronization object"), BC_ZERO, BC_ZERO, 0),
    R1(0xE0, "user-address-to-kernel-api", "A kernel routine was given a user-mode address.", BC_A("user address"), BC_B("size"), BC_RSV, 0),
    R1(0xE1, "sync-object-bad-address", "The driver used a synchronization object at an invalid or pageable address.", BC_A("synchronization object"), BC_RSV, BC_RSV, 0),
    R1(0xE2, "kernel-irp-user-address", "A kernel-mode IRP carried a user-mode address.", BC_IRP, BC_A("user address in the IRP"), BC_RSV, 0),
    R1(0xE3, "zw-call-user-address", "The driver called a ZwXxx routine with a user-mode address.", BC_CODE("call site"), BC_A("user address"), BC_RSV, 0),
    R1(0xE4, "zw-call-bad-unicode-string", "The driver called a ZwXxx routine with a malformed UNICODE_STRING.", BC_CODE("call site"), BC_A("malformed UNICODE_STRING"), BC_RSV, 0),
    R1(0xE5, "kernel-api-wrong-irql", "A kernel routine was called at an IRQL it does not allow.", BC_IRQL, BC_RSV, BC_RSV, 0),
    R1(0xE6, "zw-call-not-passive-apcs-enabled", "The driver called a ZwXxx routine above PASSIVE_LEVEL with special kernel APCs enabled.", BC_CODE("call site"), BC_IRQL, BC_V("special kernel APCs"), 0),
    R1(0xEA, "pushlock-acquire-apcs-enabled", "The driver acquired a pushlock with normal kernel APCs enabled.", BC_IRQL, BC_V("APC-disable count"), BC_A("pushlock"), 0),
    R1(0xEB, "pushlock-release-apcs-enabled", "The driver released a pushlock with normal kernel APCs enabled.", BC_IRQL, BC_V("APC-disable count"), BC_A("pushlock"), 0),
    R1(0xF0, "memcpy-overlapping-buffers", "The driver called memcpy with overlapping source and destination buffers.", BC_A("destination"), BC_A("source"), BC_B("bytes"), 0),
    R1(0xF5, "reference-null-handle", "The driver passed a NULL handle to ObReferenceObjectByHandle.", BC_A("address of the NULL handle"), BC_A("object type"), BC_RSV, 0),
    R1(0xF6, "user-handle-referenced-as-kernel", "The driver referenced a user-mode handle as if it were a kernel handle.", BC_V("handle"), BC_A("current process"), BC_CODE("referencing code"), 0),
    R1(0xF7, "kernel-handle-user-reference", "A user-mode reference was made to a kernel handle of the System process.", BC_V("handle"), BC_A("object type"), BC_V("access mode"), 0),
    R1(0xFA, "completion-changed-irql", "An I/O completion routine returned at a different IRQL than it was called at.", BC_CODE("completion routine"), BC_IRQ("IRQL before"), BC_IRQ("IRQL after"), 0),
    R1(0xFB, "completion-changed-apc-disable-count", "An I/O completion routine returned with a different APC-disable count.", BC_CODE("completion routine"), BC_V("current APC-disable count"), BC_V("count before the call"), 0),
    R1(0xFC, "zw-notify-bad-apc-context", "The driver called ZwNotifyChangeKey from kernel mode with an ApcContext that is not supported.", BC_CODE("call site"), BC_V("ApcContext"), BC_RSV, 0),

    /* IRPs as pool, pool quota. */
    R1(0x105, "irp-freed-as-pool", "The driver released an IRP with ExFreePool instead of IoFreeIrp.", BC_IRP, BC_ZERO, BC_ZERO, POOL),
    R1(0x10A, "quota-charged-to-idle-process", "Pool quota was charged to the Idle process.", BC_ZERO, BC_ZERO, BC_ZERO, POOL),
    R1(0x10B, "quota-charged-from-dpc", "Pool quota was charged from a DPC.", BC_ZERO, BC_ZERO, BC_ZERO, POOL),

    /* Interrupt service routines, shutdown, critical regions, waits, work items. */
    R1(0x110, "isr-corrupted-extended-context", "An interrupt service routine corrupted the thread's extended context.", BC_CODE("interrupt service routine"), BC_V("extended context before"), BC_V("extended context after"), 0),
    R1(0x111, "isr-changed-irql", "An interrupt service routine returned at a different IRQL than it was called at.", BC_CODE("interrupt service routine"), BC_IRQ("IRQL before"), BC_IRQ("IRQL after"), 0),
    R1(0x115, "shutdown-timeout", "Shutdown had still not finished after 20 minutes.", BC_A("thread"), BC_ZERO, BC_ZERO, 0),
    R1(0x11A, "enter-critical-region-above-apc", "The driver called KeEnterCriticalRegion above APC_LEVEL.", BC_IRQL, BC_ZERO, BC_ZERO, 0),
    R1(0x11B, "leave-critical-region-above-apc", "The driver called KeLeaveCriticalRegion above APC_LEVEL.", BC_IRQL, BC_ZERO, BC_ZERO, 0),
    R1(0x120, "wait-above-dispatch", "The driver waited at an IRQL above DISPATCH_LEVEL.", BC_A("address of the IRQL value"), BC_A("object"), BC_A("address of the timeout"), 0),
    R1(0x121, "wait-at-dispatch-null-timeout", "The driver waited at DISPATCH_LEVEL with no timeout.", BC_A("address of the IRQL value"), BC_A("object"), BC_A("address of the timeout"), 0),
    R1(0x122, "wait-at-dispatch-nonzero-timeout", "The driver waited at DISPATCH_LEVEL with a timeout that is not zero.", BC_A("address of the IRQL value"), BC_A("object"), BC_A("address of the timeout"), 0),
    R1(0x123, "user-wait-on-kernel-stack-object", "A UserMode wait was made on an object that lives on the kernel stack.", BC_A("object"), BC_ZERO, BC_ZERO, 0),
    R1(0x130, "work-item-in-session-space", "The driver used a work item that lives in session space.", BC_A("work item"), BC_ZERO, BC_ZERO, 0),
    R1(0x131, "work-item-in-pageable-memory", "The driver used a work item that lives in pageable memory.", BC_A("work item"), BC_ZERO, BC_ZERO, 0),
    R1(0x135, "cancelled-irp-not-completed", "A cancelled IRP was not completed within the time allowed.", BC_IRP, BC_V("milliseconds allowed"), BC_ZERO, 0),

    /* Pool tracking checks at free time (§1.2). */
    R1(0x13A, "pool-tracking-corrupt", TRACKED_BAD, BC_A("block being freed"), BC_V("the wrong value"), BC_A("where the wrong value is"), POOL),
    R1(0x13B, "pool-tracking-corrupt-page", "Verifier's tracking data for the block being freed pointed at a wrong memory page.", BC_A("block being freed"), BC_A("address of the wrong value"), BC_A("pointer to the wrong memory page"), POOL),
    R1(0x13C, "pool-tracking-corrupt", TRACKED_BAD, BC_A("block being freed"), BC_V("the wrong value"), BC_A("where the wrong value is"), POOL),
    R1(0x13D, "pool-tracking-corrupt-expected", "Verifier's tracking data for the block being freed did not hold the value it expected.", BC_A("block being freed"), BC_A("address of the wrong value"), BC_V("the value that was expected"), POOL),
    R1(0x13E, "free-address-mismatch", "The free was given a different address from the one that was allocated.", BC_A("address passed to the free"), BC_A("address Verifier tracked"), BC_A("pointer to the tracked address"), POOL),
    R1(0x13F, "free-size-mismatch", "The size being freed does not match the size Verifier tracked for the block.", BC_A("block being freed"), BC_B("bytes being freed"), BC_A("pointer to the tracked byte count"), POOL),
    R1(0x140, "unlocked-mdl-over-pageable-memory", "The driver built an MDL that is not locked over pageable or tradable memory.", BC_IRQL, BC_MDL, BC_A("virtual address"), 0),
    R1(0x141, "memory-below-4gb-requested", "The driver explicitly asked for memory below 4 GB.", BC_V("highest physical address requested"), BC_B("bytes"), BC_ZERO, 0),

    /* Deadlock detection and I/O verification internals. */
    R1(0x1000, "deadlock-self", "A thread acquired exclusively a resource it already owned shared, deadlocking itself.", BC_A("resource"), BC_RSV, BC_RSV, 0),
    R1(0x1001, "deadlock-lock-hierarchy", "Deadlock detection found locks taken in an order that can deadlock (see !deadlock).", BC_A("resource that closed the cycle"), BC_RSV, BC_RSV, 0),
    R1(0x1002, "deadlock-acquire-uninitialized", "A resource was acquired before it was initialized.", BC_A("resource"), BC_RSV, BC_RSV, 0),
    R1(0x1003, "deadlock-out-of-order-release", "Resources were released in the wrong order.", BC_A("resource released"), BC_A("resource to release first"), BC_RSV, 0),
    R1(0x1004, "deadlock-release-by-wrong-thread", "A resource was released by a thread other than the one that acquired it.", BC_A("resource"), BC_A("acquiring thread"), BC_A("current thread"), 0),
    R1(0x1005, "deadlock-initialized-twice", "A resource was initialized twice.", BC_A("resource"), BC_RSV, BC_RSV, 0),
    R1(0x1007, "deadlock-release-not-acquired", "A resource was released without having been acquired.", BC_A("resource"), BC_RSV, BC_RSV, 0),
    R1(0x1008, "deadlock-acquire-wrong-api", "A lock was acquired through a routine meant for another lock type.", BC_A("lock"), BC_RSV, BC_RSV, 0),
    R1(0x1009, "deadlock-release-wrong-api", "A lock was released through a routine meant for another lock type.", BC_A("lock"), BC_RSV, BC_RSV, 0),
    R1(0x100A, "deadlock-thread-ended-owning-lock", "A thread terminated while it still owned a lock.", BC_A("owner thread"), BC_RSV, BC_UNUSED, 0),
    R1(0x100B, "deadlock-deleted-lock-owned", "A lock was deleted while it was still owned.", BC_A("lock"), BC_A("owner thread"), BC_RSV, 0),
    R1(0x1010, "mdl-invariant-changed-write", "The contents of an MDL buffer that must not change were modified during a write.", BC_A("device object"), BC_IRP, BC_A("system address of the MDL buffer"), 0),
    R1(0x1011, "mdl-invariant-changed-read", "The contents of an MDL buffer that must not change were modified during a read.", BC_A("device object"), BC_IRP, BC_A("system address of the MDL buffer"), 0),
    R1(0x1012, "verifier-extension-corrupted", "Driver Verifier's extension storage was corrupted.", BC_A("description string"), BC_V("data"), BC_V("data"), 0),
    R1(0x1013, "io-callbacks-corrupted", "Driver Verifier's captured copy of the driver's I/O callbacks was corrupted.", BC_A("driver object"), BC_A("captured original I/O callbacks"), BC_RSV, 0),

    /* Code integrity: executable memory and image sections. */
    R1(0x2000, "executable-pool-requested", "The driver asked for an executable pool type where NonPagedPoolNx was expected.", BC_CODE("code address"), BC_PTYPE, BC_V("pool tag"), POOL),
    R1(0x2001, "executable-protection-requested", "The driver asked for executable page protection.", BC_CODE("code address"), BC_V("page protection"), BC_ZERO, 0),
    R1(0x2002, "executable-mdl-mapping-requested", "The driver asked for an executable MDL mapping.", BC_CODE("code address"), BC_V("page priority / MdlMapping flags"), BC_ZERO, 0),
    R1(0x2003, "section-writable-and-executable", "An image section is both writable and executable.", BC_A("image name (UNICODE_STRING)"), BC_A("section header"), BC_A("section name (UTF-8)"), 0),
    R1(0x2004, "section-not-page-aligned", "An image section does not start on a page boundary.", BC_A("image name (UNICODE_STRING)"), BC_A("section header"), BC_A("section name (UTF-8)"), 0),
    R1(0x2005, "iat-in-executable-section", "The image's import address table lies inside an executable section.", BC_A("image name (UNICODE_STRING)"), BC_A("IAT directory"), BC_A("section name (UTF-8)"), 0),

    /* Hyper-V extensible switch verification (the spec gives the range, not each value). */
    R(0xA001, 0xA00E, "vm-switch-violation", "A Hyper-V extensible switch extension broke a VM switch verification rule.", BC_A("NBL, port/NIC or switch object"), BC_A("NBL, port/NIC or switch object"), BC_A("NBL, port/NIC or switch object"), 0),

    /* DDI compliance rules. */
    DDI(0x20002, "ddi-irql-apc-lte", "IrqlApcLte", BC_S1),
    DDI(0x20003, "ddi-irql-dispatch", "IrqlDispatch", BC_S1),
    DDI(0x20004, "ddi-irql-ex-allocate-pool", "IrqlExAllocatePool", BC_S1),
    DDI(0x20005, "ddi-irql-ex-apc-lte-1", "IrqlExApcLte1", BC_S1),
    DDI(0x20006, "ddi-irql-ex-apc-lte-2", "IrqlExApcLte2", BC_S1),
    DDI(0x20007, "ddi-irql-ex-apc-lte-3", "IrqlExApcLte3", BC_S1),
    DDI(0x20008, "ddi-irql-ex-passive", "IrqlExPassive", BC_S1),
    DDI(0x20009, "ddi-irql-io-apc-lte", "IrqlIoApcLte", BC_S1),
    DDI(0x2000A, "ddi-irql-io-passive-1", "IrqlIoPassive1", BC_S1),
    DDI(0x2000B, "ddi-irql-io-passive-2", "IrqlIoPassive2", BC_S1),
    DDI(0x2000C, "ddi-irql-io-passive-3", "IrqlIoPassive3", BC_S1),
    DDI(0x2000D, "ddi-irql-io-passive-4", "IrqlIoPassive4", BC_S1),
    DDI(0x2000E, "ddi-irql-io-passive-5", "IrqlIoPassive5", BC_S1),
    DDI(0x2000F, "ddi-irql-ke-apc-lte-1", "IrqlKeApcLte1", BC_S1),
    DDI(0x20010, "ddi-irql-ke-apc-lte-2", "IrqlKeApcLte2", BC_S1),
    DDI(0x20011, "ddi-irql-ke-dispatch-lte", "IrqlKeDispatchLte", BC_S1),
    DDI(0x20015, "ddi-irql-ke-release-spin-lock", "IrqlKeReleaseSpinLock", BC_S1),
    DDI(0x20016, "ddi-irql-ke-set-event", "IrqlKeSetEvent", BC_S1),
    DDI(0x20019, "ddi-irql-mm-apc-lte", "IrqlMmApcLte", BC_S1),
    DDI(0x2001A, "ddi-irql-mm-dispatch", "IrqlMmDispatch", BC_S1),
    DDI(0x2001B, "ddi-irql-ob-passive", "IrqlObPassive", BC_S1),
    DDI(0x2001C, "ddi-irql-ps-passive", "IrqlPsPassive", BC_S1),
    DDI(0x2001D, "ddi-irql-return", "IrqlReturn", BC_S2),
    DDI(0x2001E, "ddi-irql-rtl-passive", "IrqlRtlPassive", BC_S1),
    DDI(0x2001F, "ddi-irql-zw-passive", "IrqlZwPassive", BC_S1),
    DDI(0x20022, "ddi-irql-io-dispatch", "IrqlIoDispatch", BC_S3),
    DDI(0x20023, "ddi-irql-io-rtl-zw-passive", "IrqlIoRtlZwPassive", BC_S3),
    DDI(0x20024, "ddi-irql-ntifs-apc-passive", "IrqlNtifsApcPassive", BC_S3),
    DDI(0x20025, "ddi-irql-ke-more", "IrqlKeMore", BC_S3),
    DDI(0x40003, "ddi-critical-regions", "CriticalRegions", BC_S2),
    DDI(0x40006, "ddi-queued-spin-lock", "QueuedSpinLock", BC_S2),
    DDI(0x40007, "ddi-queued-spin-lock-release", "QueuedSpinLockRelease", BC_S2),
    DDI(0x40009, "ddi-spin-lock", "SpinLock", BC_S2),
    DDI(0x4000A, "ddi-spinlock-release", "SpinlockRelease", BC_S2),
    DDI(0x4000E, "ddi-guarded-regions", "GuardedRegions", BC_S2),
    DDI(0x4100B, "ddi-requested-power-irp", "RequestedPowerIrp", BC_S3),
    DDI(0x4100F, "ddi-io-set-completion-ex-complete-irp", "IoSetCompletionExCompleteIrp", BC_S2),
    DDI(0x43006, "ddi-pnp-remove", "PnpRemove", BC_S3),
    DDI(0x81001, "ddi-ks-device-mutex", "KsDeviceMutex", BC_S2),
    DDI(0x81002, "ddi-ks-stream-pointer-clone", "KsStreamPointerClone", BC_S2),
    DDI(0x81003, "ddi-ks-stream-pointer-lock", "KsStreamPointerLock", BC_S3),
    DDI(0x81004, "ddi-ks-stream-pointer-unlock", "KsStreamPointerUnlock", BC_S2),
    DDI(0x81005, "ddi-ks-callback-return", "KsCallbackReturn", BC_S3),
    DDI(0x81006, "ddi-ks-irql-device-callbacks", "KsIrqlDeviceCallbacks", BC_S2),
    DDI(0x81007, "ddi-ks-irql-filter-callbacks", "KsIrqlFilterCallbacks", BC_S2),
    DDI(0x81008, "ddi-ks-irql-pin-callbacks", "KsIrqlPinCallbacks", BC_S2),
    DDI(0x81009, "ddi-ks-irql-ddis", "KsIrqlDDIs", BC_S3),
    DDI(0x8100A, "ddi-ks-filter-mutex", "KsFilterMutex", BC_S2),
    DDI(0x8100B, "ddi-ks-processing-mutex", "KsProcessingMutex", BC_S2),
    DDI(0x8100C, "ddi-ks-invalid-stream-pointer", "KsInvalidStreamPointer", BC_S2),
    DDI(0x82001, "ddi-ks-timed-pin-set-device-state", "KsTimedPinSetDeviceState", BC_S2),
    DDI(0x82002, "ddi-ks-timed-device-callbacks", "KsTimedDeviceCallbacks", BC_S2),
    DDI(0x82003, "ddi-ks-timed-filter-callbacks", "KsTimedFilterCallbacks", BC_S2),
    DDI(0x82004, "ddi-ks-timed-pin-callbacks", "KsTimedPinCallbacks", BC_S2),
    DDI(0x82005, "ddi-ks-timed-processing-mutex", "KsTimedProcessingMutex", BC_S2),
    DDI(0x91001, "ddi-ndis-oid-complete", "NdisOidComplete", BC_S2),
    DDI(0x91002, "ddi-ndis-oid-double-complete", "NdisOidDoubleComplete", BC_S2),
    DDI(0x9100E, "ddi-ndis-oid-double-request", "NdisOidDoubleRequest", BC_S2),
    DDI(0x92003, "ddi-ndis-timed-oid-complete", "NdisTimedOidComplete", BC_S2),
    DDI(0x9200D, "ddi-ndis-timed-data-send", "NdisTimedDataSend", BC_S2),
    DDI(0x9200F, "ddi-ndis-timed-data-hang", "NdisTimedDataHang", BC_S2),
    DDI(0x92010, "ddi-ndis-filter-timed-pause-complete", "NdisFilterTimedPauseComplete", BC_S2),
    DDI(0x92011, "ddi-ndis-filter-timed-data-send", "NdisFilterTimedDataSend", BC_S2),
    DDI(0x92012, "ddi-ndis-filter-timed-data-receive", "NdisFilterTimedDataReceive", BC_S2),
    DDI(0x93004, "ddi-wlan-association", "WlanAssociation", BC_S2),
    DDI(0x93005, "ddi-wlan-connection-roaming", "WlanConnectionRoaming", BC_S2),
    DDI(0x93006, "ddi-wlan-disassociation", "WlanDisassociation", BC_S2),
    DDI(0x93101, "ddi-wlan-assert", "WlanAssert", BC_S3),
    DDI(0x94007, "ddi-wlan-timed-association", "WlanTimedAssociation", BC_S2),
    DDI(0x94008, "ddi-wlan-timed-connection-roaming", "WlanTimedConnectionRoaming", BC_S2),
    DDI(0x94009, "ddi-wlan-timed-connect-request", "WlanTimedConnectRequest", BC_S2),
    DDI(0x9400B, "ddi-wlan-timed-link-quality", "WlanTimedLinkQuality", BC_S2),
    DDI(0x9400C, "ddi-wlan-timed-scan", "WlanTimedScan", BC_S2),
    { 0, 0, NULL, NULL, { BC_RSV, BC_RSV, BC_RSV, BC_RSV }, 0 },
};
