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

/* `bytes` of uninitialised memory, or NULL; release with free(). Below 4 MiB a plain
 * malloc. */
void *clnscl_alloc_big(size_t bytes);

#endif
