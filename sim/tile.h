/* sim/tile.h — the surrogate's gradient kernel works on tiles of eight anchor rows (sim/tile.c).
 *
 * The tile starting at anchor position i0 holds the batch columns of anchors i0..i0+7 transposed:
 * x[j·8 + l] = Σ[v_{i0+l}][v_j] for j < nv (lane l = anchor i0 + l). Lanes past the last anchor
 * (|A| − i0 < 8) repeat anchor i0's row; they are computed and ignored.
 */
#ifndef CLNSCL_SIM_TILE_H
#define CLNSCL_SIM_TILE_H

#include "clnscl/lanes.h"
#include "clnscl/sim.h"

#include <stddef.h>

#define CLNSCL_SIM_TILE CLNSCL_LANES

/* anchors in the tile starting at i0 (1..8) */
static inline long clnscl_sim_tile_lanes(const clnscl_sim_batch *b, long i0)
{
    return b->na - i0 < CLNSCL_SIM_TILE ? b->na - i0 : CLNSCL_SIM_TILE;
}

/* x[k] (k < nk, nv·8 each) ← the tile of matrices k0..k0+nk−1 of R stored interleaved: entry
 * (a, c) of matrix k at S[(a·ld + c)·R + k]; batch position j is row/column idx[j] (b->v for one
 * plain matrix: R = nk = 1, k0 = 0) */
void clnscl_sim_tile_gather(const double *S, size_t ld, int R, int k0, int nk, const long *idx,
                            const clnscl_sim_batch *b, long i0, double *const *x);
/* the real anchors' lanes of x[k] back into S */
void clnscl_sim_tile_scatter(double *S, size_t ld, int R, const long *idx, const clnscl_sim_batch *b,
                             long i0, double *const *x);
/* g (nv·8, tile layout) ← the gradient rows G[i0 + l][·] of clnscl_sim_grad; li (8 or NULL) ← the
 * anchors' own losses ℓ_i. CLNSCL_EDEGENERATE when a real anchor's denominator set is empty. */
int clnscl_sim_tile_grad(const double *x, const clnscl_sim_batch *b, long i0, clnscl_sim_loss loss,
                         clnscl_sim_form form, double tau, double *g, double *li);

#endif
