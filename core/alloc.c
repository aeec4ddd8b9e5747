/* core/alloc.c — large work buffers on transparent huge pages (include/clnscl/alloc.h). */
#include "clnscl/alloc.h"

#include "clnscl/status.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void *clnscl_alloc_big(size_t bytes)
{
    const size_t huge = (size_t)2 << 20;
    if (bytes < ((size_t)4 << 20)) { /* cache-line aligned (the surrogate's entries are 32-byte vectors) */
        void *q = NULL;
        return posix_memalign(&q, 64, bytes ? bytes : 1) ? NULL : q;
    }
    if (bytes > (size_t)-1 - huge) return NULL;
    size_t sz = (bytes + huge - 1) / huge * huge;
    void *p = NULL;
    if (posix_memalign(&p, huge, sz)) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, sz, MADV_HUGEPAGE);
#endif
    return p;
}

int clnscl_grow(void *pp, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap) return CLNSCL_OK;
    size_t nc = *cap ? *cap : (first ? first : 1);
    while (nc < need) {
        if (nc > SIZE_MAX / 2) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        nc *= 2;
    }
    if (elem && nc > SIZE_MAX / elem) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    void *old;
    memcpy(&old, pp, sizeof old);
    void *p = realloc(old, nc * elem);
    if (!p) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    memcpy(pp, &p, sizeof p);
    *cap = nc;
    return CLNSCL_OK;
}
