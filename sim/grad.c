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
#include "clnscl/status.h"
#include "clnscl/hot.h"
#include "clnscl/softmax.h"

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

/* One anchor: fills g (nv scratch/output) and returns ℓ_i in *li. x is row v_i of Σ.
 * g first holds the logits x_j/τ with −∞ outside D(i), then the gradient row. */
CLNSCL_HOT static int anchor_grad(const double *x, const clnscl_sim_batch *b, long i, clnscl_sim_loss loss,
                       clnscl_sim_form form, double tau, double scale, int contiguous, double *g, double *li)
{
    const long nv = b->nv, pi = (i + b->B) % nv;
    const int32_t yi = b->y[i];
    const double inv_tau = 1.0 / tau;
    if (contiguous) /* the batch block itself (v_j = j): a vectorisable copy */
        for (long j = 0; j < nv; j++) g[j] = x[j] * inv_tau;
    else
        for (long j = 0; j < nv; j++) g[j] = x[b->v[j]] * inv_tau;
    /* mask to exactly D(i) */
    g[i] = -INFINITY;
    if (loss == CLNSCL_SIM_NSCL) {
        for (long j = 0; j < nv; j++) g[j] = b->y[j] == yi ? -INFINITY : g[j];
        if (form == CLNSCL_SIM_FORM_CODE) g[pi] = x[b->v[pi]] * inv_tau;
    } else if (loss == CLNSCL_SIM_CL && form == CLNSCL_SIM_FORM_PAPER) {
        g[pi] = -INFINITY;
    }
    /* log-sum-exp over exactly D(i): maximum of the unmasked set (EDGE_CASES L4) */
    double m, l1p;
    if (clnscl_softmax_masked(g, nv, scale, &m, &l1p))
        return clnscl_fail(CLNSCL_EDEGENERATE,
                           "%s loss (%s form) has an empty denominator: every sample of the batch has "
                           "label %d (no negatives); use --form code, more classes or a larger batch",
                           loss == CLNSCL_SIM_NSCL ? "NSCL" : "CL",
                           form == CLNSCL_SIM_FORM_PAPER ? "paper" : "code", (int)yi);
    /* positive part: w = e_{p(i)} (CL, NSCL) or uniform on P(i) (SCL) */
    double pos_term;
    if (loss == CLNSCL_SIM_SCL) {
        long np = 0;
        double sum = 0.0;
        for (long j = 0; j < nv; j++)
            if (j != i && b->y[j] == yi) {
                np++;
                sum += x[b->v[j]];
            }
        const double wp = scale / (double)np;
        for (long j = 0; j < nv; j++)
            if (j != i && b->y[j] == yi) g[j] -= wp;
        pos_term = sum / (double)np;
    } else {
        pos_term = x[b->v[pi]];
        g[pi] -= scale;
    }
    *li = (m - pos_term * inv_tau) + l1p;
    return CLNSCL_OK;
}

int clnscl_sim_grad(const double *S, size_t ld, const clnscl_sim_batch *b, clnscl_sim_loss loss,
                    clnscl_sim_form form, double tau, double *G, double *loss_out)
{
    const double scale = 1.0 / ((double)b->na * tau);
    double total = 0.0, *scratch = NULL;
    if (!G && !(scratch = malloc((size_t)b->nv * sizeof *scratch)))
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    int st = CLNSCL_OK, contiguous = 1;
    for (long j = 0; j < b->nv; j++) contiguous &= b->v[j] == j;
    for (long i = 0; i < b->na && !st; i++) {
        double li = 0.0;
        st = anchor_grad(S + (size_t)b->v[i] * ld, b, i, loss, form, tau, scale, contiguous,
                         G ? G + (size_t)i * (size_t)b->nv : scratch, &li);
        total += li;
    }
    free(scratch);
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
     * D^CL (both views of the others) out of |D^CL| = 2(B−1) (+1 for the positive, code form) */
    long kmax = 0;
    for (long j = 0; j < b->B; j++) {
        long k = 0;
        for (long l = 0; l < b->B; l++) k += b->y[l] == b->y[j];
        if (k > kmax) kmax = k;
    }
    double d = 2.0 * (double)(b->B - 1) + (form == CLNSCL_SIM_FORM_CODE ? 1.0 : 0.0);
    return 2.0 * (double)(kmax - 1) / d;
}
