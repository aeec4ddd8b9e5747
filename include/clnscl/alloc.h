/* clnscl/alloc.h — allocation of large work buffers.
 *
 * Buffers of several MiB (centred feature copies, Σ matrices, rank records) are touched
 * once per page on first use; with 4 KiB pages that is one page fault per 4 KiB (about a
 * third of a 10,000 × 512 CKA's time). clnscl_alloc_big aligns them to 2 MiB and marks them
 * for transparent huge pages (a hint: where it is unsupported nothing changes).
 */
#ifndef CLNSCL_ALLOC_H
#define CLNSCL_ALLOC_H

#include <stddef.h>

/* `bytes` of uninitialised memory, or NULL; release with free(). Below 4 MiB 64-byte aligned
 * on ordinary pages. */
void *clnscl_alloc_big(size_t bytes);

/* Make the array *pp (of elements `elem` bytes, capacity *cap elements) hold at least `need`
 * elements: the capacity doubles from `first` until it does, and the array is reallocated.
 * pp is the address of the array pointer (e.g. &list->rows). On failure *pp and *cap are
 * unchanged and CLNSCL_ENOMEM is returned with the message "out of memory". */
int clnscl_grow(void *pp, size_t *cap, size_t need, size_t elem, size_t first);

#endif
