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

/* Slots per entry of the interleaved storage for `runs` matrices (sim/sim.c): three runs take four
 * slots (the fourth unused), so that an entry is 32 aligned bytes which the tile gather and scatter
 * move as one vector (sim/tile.c); one and two runs take one and two. */
static inline int clnscl_sim_slots(int runs) { return runs == 3 ? 4 : runs; }

/* x[k] (k < nk, nv·8 each) ← the tile of matrices k0..k0+nk−1 of those stored interleaved with R
 * slots an entry: entry (a, c) of matrix k at S[(a·ld + c)·R + k]; batch position j is row/column
 * idx[j] (b->v for one plain matrix: R = nk = 1, k0 = 0) */
void clnscl_sim_tile_gather(const double *S, size_t ld, int R, int k0, int nk, const long *idx,
                            const clnscl_sim_batch *b, long i0, double *const *x);
/* the real anchors' lanes of x[k] (k < nk) back into matrices 0..nk−1 of S (R slots an entry;
 * with R = 4, nk = 3 the unused slot receives a copy of matrix 2's entry) */
void clnscl_sim_tile_scatter(double *S, size_t ld, int R, int nk, const long *idx, const clnscl_sim_batch *b,
                             long i0, double *const *x);
/* What a tile's columns mean for its lanes, shared by the runs' losses (clnscl_sim_tile_cols_fill).
 * A column j is "special" when it is some lane's anchor i or positive p(i) (at most 16 of them);
 * only there are the masks j = i and j = p(i) formed. Masks: all bits set where true. */
typedef struct {
    const long long *yl; /* nv labels of the batch columns (caller's)                    */
    unsigned char *special; /* nv flags (caller's storage)                               */
    clnscl_m8 IA, PA, YA; /* per lane: anchor position, positive position, label         */
    clnscl_v8 np;         /* |P(i)| = #{j ≠ i : y_j = y_i}                               */
    long ia[CLNSCL_SIM_TILE], pa[CLNSCL_SIM_TILE];
} clnscl_sim_tile_cols;

/* tc->yl and tc->special set by the caller */
void clnscl_sim_tile_cols_fill(const clnscl_sim_batch *b, long i0, clnscl_sim_tile_cols *tc);

/* lanes with y_j = y_i */
static inline clnscl_m8 clnscl_sim_tile_same(const clnscl_sim_tile_cols *tc, long j)
{
    return tc->YA == tc->yl[j];
}

/* The softmax half of one loss's gradient rows (§3.2): e (nv·8, tile layout) ← e^{x_j/τ − m_i} on
 * the denominator set D(i), 0 outside it (m_i: its maximum), *f ← 1/(|A| τ Z_i) per lane
 * (Z_i = Σ_j e_j); li (8 or NULL) ← the anchors' own losses ℓ_i. CLNSCL_EDEGENERATE when a real
 * anchor's D(i) is empty. The gradient is then G[i][j] = e_j f − w_j (clnscl_sim_tile_g). */
int clnscl_sim_tile_softmax(const double *x, const clnscl_sim_batch *b, long i0, const clnscl_sim_tile_cols *tc,
                            clnscl_sim_loss loss, clnscl_sim_form form, double tau, double *e, clnscl_v8 *f, double *li);

/* G[i][j] for column j of one tile: e_j f − w_j with w_j = w at the positive (CL, NSCL; w =
 * 1/(|A| τ)) or on P(i) (SCL; w = 1/(|A| τ |P(i)|)); +0 at j = i, where e_i = w_i = 0 */
static inline clnscl_v8 clnscl_sim_tile_g(const clnscl_sim_tile_cols *tc, int scl, long j, clnscl_v8 e, clnscl_v8 f,
                                          clnscl_v8 w)
{
    const clnscl_v8 zero = clnscl_v8_splat(0.0);
    clnscl_m8 wm;
    if (scl) {
        wm = clnscl_sim_tile_same(tc, j);
        if (tc->special[j]) wm &= ~(tc->IA == (long long)j);
    } else {
        if (!tc->special[j]) return e * f;
        wm = tc->PA == (long long)j;
    }
    return e * f - clnscl_v8_select(wm, w, zero);
}

/* the w of clnscl_sim_tile_g per lane */
static inline clnscl_v8 clnscl_sim_tile_w(const clnscl_sim_batch *b, const clnscl_sim_tile_cols *tc, int scl, double tau)
{
    const clnscl_v8 scale = clnscl_v8_splat(1.0 / ((double)b->na * tau));
    return scl ? scale / tc->np : scale;
}

/* g (nv·8, tile layout) ← the gradient rows G[i0 + l][·] of clnscl_sim_grad (clnscl_sim_tile_cols,
 * _softmax and _g); li as in clnscl_sim_tile_softmax; tc as for clnscl_sim_tile_cols_fill */
int clnscl_sim_tile_grad(const double *x, const clnscl_sim_batch *b, long i0, clnscl_sim_loss loss,
                         clnscl_sim_form form, double tau, double *g, double *li, clnscl_sim_tile_cols *tc);

#endif
