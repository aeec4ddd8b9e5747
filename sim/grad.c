/* sim/grad.c — batch losses and their closed-form gradients in Σ-space (THEORY.md §3.2).
 *
 * Batch positions j ∈ [0, 2B): j < B is view 1 of sample j, B + j its view 2; positive of j is
 * (j + B) mod 2B; anchors are positions 0..|A|−1 (see clnscl/sim.h).
 *
 * Per-anchor loss as a function of row i of Σ (x_j = Σ[v_i][v_j], entries independent):
 *   ℓ_i = −Σ_j w_i(j) x_j/τ + log Σ_{j∈D(i)} exp(x_j/τ),   ℓ̄ = (1/|A|) Σ_i ℓ_i,
 * with the denominator sets (§3.2, §2.4)
 *   CL   paper: D = {j : s(j) ≠ s(i)}            code: D ∪ {p(i)}
 *   NSCL paper: D = {j : y(j) ≠ y(i)}            code: D ∪ {p(i)}
 *   SCL  (SupCon L_out, §2.3, both forms): D = {j ≠ i}
 * and positive weights w_i = e_{p(i)} (CL, NSCL) or uniform 1/|P(i)| on P(i) = {j ≠ i : y(j) = y(i)}
 * (SCL; P(i) ∋ p(i), so never empty). SCL's Σ-space gradient follows exactly as in §3.2: the log
 * term does not depend on p, so averaging over P(i) leaves one log-sum-exp and spreads the
 * positive mass, giving
 *   ∂ℓ̄/∂x_j = (q_i(j)·1[j∈D(i)] − w_i(j)) / (|A| τ),
 * whose rows again sum to 0 (Σ_j q = Σ_j w = 1) and whose Jacobian (diag q − q qᵀ)/(|A|τ²) has
 * spectral norm ≤ 1/(2|A|τ²) (§3.5), the same Lipschitz constant as CL and NSCL.
 */
#include "clnscl/sim.h"
#include "tile.h"
#include "clnscl/status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void clnscl_sim_batch_fill(clnscl_sim_batch *b, const long *samples, long B, long N,
                           const int32_t *labels, clnscl_sim_anchors anchors)
{
    b->B = B;
    b->nv = 2 * B;
    b->na = anchors == CLNSCL_SIM_ANCHORS_VIEWS ? 2 * B : B;
    for (long j = 0; j < B; j++) {
        b->v[j] = samples[j];
        b->v[B + j] = samples[j] + N;
        b->y[j] = b->y[B + j] = labels[samples[j]];
    }
}

/* tile by tile (sim/tile.c), the rows copied out of the tile layout */
int clnscl_sim_grad(const double *S, size_t ld, const clnscl_sim_batch *b, clnscl_sim_loss loss,
                    clnscl_sim_form form, double tau, double *G, double *loss_out)
{
    const size_t tile = (size_t)b->nv * CLNSCL_SIM_TILE;
    double total = 0.0, li[CLNSCL_SIM_TILE], *x = malloc(2 * tile * sizeof *x), *g = x + tile;
    long long *yl = malloc((size_t)b->nv * sizeof *yl);
    unsigned char *special = malloc((size_t)b->nv);
    if (!x || !yl || !special) {
        free(x);
        free(yl);
        free(special);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    }
    for (long j = 0; j < b->nv; j++) yl[j] = b->y[j];
    clnscl_sim_tile_cols tc = {.yl = yl, .special = special};
    int st = CLNSCL_OK;
    for (long i0 = 0; i0 < b->na && !st; i0 += CLNSCL_SIM_TILE) {
        clnscl_sim_tile_gather(S, ld, 1, 0, 1, b->v, b, i0, &x);
        if ((st = clnscl_sim_tile_grad(x, b, i0, loss, form, tau, g, loss_out ? li : NULL, &tc))) break;
        const long nl = clnscl_sim_tile_lanes(b, i0);
        for (long l = 0; l < nl; l++) {
            if (G)
                for (long j = 0; j < b->nv; j++)
                    G[(size_t)(i0 + l) * (size_t)b->nv + (size_t)j] = g[j * CLNSCL_SIM_TILE + l];
            if (loss_out) total += li[l];
        }
    }
    free(x);
    free(yl);
    free(special);
    if (!st && loss_out) *loss_out = total / (double)b->na;
    return st;
}

int clnscl_sim_loss_value(const double *S, size_t ld, const clnscl_sim_batch *b, clnscl_sim_loss loss,
                          clnscl_sim_form form, double tau, double *loss_out)
{
    return clnscl_sim_grad(S, ld, b, loss, form, tau, NULL, loss_out);
}

double clnscl_sim_same_class_fraction(const clnscl_sim_batch *b, clnscl_sim_form form)
{
    /* every anchor of a class with k samples in the batch has s = 2(k−1) same-class entries in
     * D^CL (both views of the others) out of |D^CL| = 2(B−1) (+1 for the positive, code form).
     * k_max: runs of equal labels when the batch's labels are sorted (the surrogate's batches of
     * a class-ordered reference set), else all pairs */
    long kmax = 1, sorted = 1;
    for (long j = 1; j < b->B && sorted; j++) sorted = b->y[j - 1] <= b->y[j];
    if (sorted) {
        for (long j = 1, run = 1; j < b->B; j++) {
            run = b->y[j] == b->y[j - 1] ? run + 1 : 1;
            if (run > kmax) kmax = run;
        }
    } else {
        for (long j = 0; j < b->B; j++) {
            long k = 0;
            for (long l = 0; l < b->B; l++) k += b->y[l] == b->y[j];
            if (k > kmax) kmax = k;
        }
    }
    double d = 2.0 * (double)(b->B - 1) + (form == CLNSCL_SIM_FORM_CODE ? 1.0 : 0.0);
    return 2.0 * (double)(kmax - 1) / d;
}
