/* core/alloc.c — large work buffers on transparent huge pages (include/clnscl/alloc.h). */
#include "clnscl/alloc.h"

#include <stdlib.h>
#include <sys/mman.h>

void *clnscl_alloc_big(size_t bytes)
{
    const size_t huge = (size_t)2 << 20;
    if (bytes < ((size_t)4 << 20)) return malloc(bytes ? bytes : 1);
    if (bytes > (size_t)-1 - huge) return NULL;
    size_t sz = (bytes + huge - 1) / huge * huge;
    void *p = NULL;
    if (posix_memalign(&p, huge, sz)) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, sz, MADV_HUGEPAGE);
#endif
    return p;
}
