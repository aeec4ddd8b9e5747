/* clnscl/loss.h — contrastive and supervised losses over 2B views (THEORY.md §2).
 *
 * Layout (the authors' code, THEORY.md §2.4): z has 2B rows; rows 0..B−1 are
 * view 1 of samples 0..B−1 and rows B..2B−1 view 2, so row a and row (a+B) mod 2B
 * are the two views of sample a mod B ("positive" p(a)). labels has B entries,
 * one per sample. Every one of the 2B rows is an anchor; the loss is the mean
 * over the 2B anchors. z is UNNORMALISED: the cosine similarity is computed
 * inside (ẑ = z / max(‖z‖, 1e-12), EDGE_CASES.md L5) and the gradient is with
 * respect to z (chain rule through the normalisation).
 *
 * With s_ab = ⟨ẑ_a, ẑ_b⟩/τ, anchor a's loss is −Σ_{p∈P(a)} w_p s_ap + log Σ_{b∈D(a)} e^{s_ab}:
 *  CL   code  : P = {p(a)}, D = all b ≠ a                       (NT-Xent, positive once)
 *  CL   paper : P = {p(a)}, D = all b ∉ {a, p(a)}                (decoupled, §2.1)
 *  NSCL code  : P = {p(a)}, D = {p(a)} ∪ {b : y_b ≠ y_a}          (§2.4 NegSupConLoss)
 *  NSCL paper : P = {p(a)}, D = {b : y_b ≠ y_a}                   (§2.2)
 *  SCL        : P = {b ≠ a : y_b = y_a}, w = 1/|P|, D = all b ≠ a (SupCon L_out, §2.3)
 * SCL convention for anchors without positives: with two views per sample P(a)
 * always contains p(a), so |P(a)| ≥ 1 and every anchor stays in the mean;
 * consequently SCL with all-distinct labels equals code-form CL exactly.
 * Log-sum-exps are accumulated in double with the maximum taken over exactly
 * D(a) (EDGE_CASES.md L4). An empty D(a) (paper-form NSCL with no negatives,
 * paper-form CL with B = 1) → CLNSCL_EDEGENERATE (L3); τ ≤ 0 or non-finite →
 * CLNSCL_EINVAL; non-finite z → CLNSCL_ENONFINITE.
 * CE (§2.3): logits (2B, C), row a has label labels[a mod B];
 * loss = mean over 2B rows of −log softmax(logits_a)[y].
 */
#ifndef CLNSCL_LOSS_H
#define CLNSCL_LOSS_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    CLNSCL_LOSS_CL = 0,
    CLNSCL_LOSS_NSCL,
    CLNSCL_LOSS_SCL,
    CLNSCL_LOSS_CE
} clnscl_loss_kind;

typedef enum {
    CLNSCL_FORM_CODE = 0, /* positive once in the denominator (authors' code; default) */
    CLNSCL_FORM_PAPER     /* positive excluded (paper's equations)                   */
} clnscl_loss_form;

/* "cl", "nscl", "scl", "ce" / "code", "paper" → enum; CLNSCL_EINVAL otherwise. */
int clnscl_loss_parse_kind(const char *name, clnscl_loss_kind *out);
int clnscl_loss_parse_form(const char *name, clnscl_loss_form *out);
const char *clnscl_loss_kind_name(clnscl_loss_kind k);
const char *clnscl_loss_form_name(clnscl_loss_form f);

/* Contrastive losses (CL, NSCL, SCL) in double. z (2B, d) row-major,
 * labels (B) (may be NULL for CL), form ignored for SCL.
 * *loss = mean over the 2B anchors; grad (2B, d) (may be NULL) = ∂loss/∂z. */
int clnscl_loss_contrastive(clnscl_loss_kind kind, clnscl_loss_form form, double tau,
                            const double *z, size_t B, size_t d, const int32_t *labels,
                            double *loss, double *grad);

/* Same on float input (training): computed in double, grad (2B, d) written
 * (overwritten, not accumulated) in float when non-NULL. */
int clnscl_loss_contrastive_f(clnscl_loss_kind kind, clnscl_loss_form form, double tau,
                              const float *z, size_t B, size_t d, const int32_t *labels,
                              double *loss, float *grad);

/* Cross-entropy on logits (2B, C), labels (B) with 0 ≤ y < C.
 * dlogits (2B, C) (may be NULL) overwritten with ∂loss/∂logits. */
int clnscl_loss_ce_f(const float *logits, size_t B, size_t C, const int32_t *labels,
                     double *loss, float *dlogits);
int clnscl_loss_ce(const double *logits, size_t B, size_t C, const int32_t *labels,
                   double *loss, double *dlogits);

#endif
