/* train/loss.c — CL / NSCL / SCL / CE losses over 2B views (loss.h; THEORY.md §2).
 * Everything is computed in double; the float entry points convert. */
#include "clnscl/loss.h"
#include "clnscl/metrics.h"
#include "clnscl/softmax.h"
#include "clnscl/status.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int clnscl_loss_parse_kind(const char *name, clnscl_loss_kind *out)
{
    static const char *names[] = {"cl", "nscl", "scl", "ce"};
    for (int i = 0; i < 4; i++)
        if (name && strcmp(name, names[i]) == 0) { *out = (clnscl_loss_kind)i; return CLNSCL_OK; }
    return clnscl_fail(CLNSCL_EINVAL, "unknown loss '%s' (expected cl, nscl, scl or ce)",
                       name ? name : "");
}

int clnscl_loss_parse_form(const char *name, clnscl_loss_form *out)
{
    if (name && strcmp(name, "code") == 0) { *out = CLNSCL_FORM_CODE; return CLNSCL_OK; }
    if (name && strcmp(name, "paper") == 0) { *out = CLNSCL_FORM_PAPER; return CLNSCL_OK; }
    return clnscl_fail(CLNSCL_EINVAL, "unknown loss form '%s' (expected code or paper)",
                       name ? name : "");
}

const char *clnscl_loss_kind_name(clnscl_loss_kind k)
{
    switch (k) {
    case CLNSCL_LOSS_CL: return "cl";
    case CLNSCL_LOSS_NSCL: return "nscl";
    case CLNSCL_LOSS_SCL: return "scl";
    case CLNSCL_LOSS_CE: return "ce";
    }
    return "?";
}

const char *clnscl_loss_form_name(clnscl_loss_form f)
{
    return f == CLNSCL_FORM_PAPER ? "paper" : "code";
}

/* Row a of the denominator mask: inD[b] = 1 iff view b ∈ D(a) (loss.h table),
 * p = p(a) the positive, y the per-view labels (NULL for CL). */
static void denominator_row(unsigned char *inD, clnscl_loss_kind kind, clnscl_loss_form form,
                            size_t a, size_t p, size_t n, const int32_t *y)
{
    if (kind == CLNSCL_LOSS_NSCL) {
        const int32_t ya = y[a];
        for (size_t b = 0; b < n; b++) inD[b] = y[b] != ya;
        inD[p] = form == CLNSCL_FORM_CODE;
    } else { /* CL and SCL: every other view; paper-form CL also drops the positive */
        memset(inD, 1, n);
        if (kind == CLNSCL_LOSS_CL && form == CLNSCL_FORM_PAPER) inD[p] = 0;
    }
    inD[a] = 0;
}

int clnscl_loss_contrastive(clnscl_loss_kind kind, clnscl_loss_form form, double tau,
                            const double *z, size_t B, size_t d, const int32_t *labels,
                            double *loss, double *grad)
{
    if (kind != CLNSCL_LOSS_CL && kind != CLNSCL_LOSS_NSCL && kind != CLNSCL_LOSS_SCL)
        return clnscl_fail(CLNSCL_EINVAL, "loss %s is not a contrastive loss",
                           clnscl_loss_kind_name(kind));
    if (!(tau > 0.0) || !isfinite(tau))
        return clnscl_fail(CLNSCL_EINVAL, "temperature must be a finite number > 0 (got %g)", tau);
    if (B < 1 || d < 1)
        return clnscl_fail(CLNSCL_ESHAPE, "loss needs at least one sample and one dimension");
    if (kind != CLNSCL_LOSS_CL && !labels)
        return clnscl_fail(CLNSCL_EINVAL, "loss %s needs labels", clnscl_loss_kind_name(kind));
    const size_t n = 2 * B;
    if (n > 46340) /* n² must fit comfortably in memory and in int for BLAS */
        return clnscl_fail(CLNSCL_ENOMEM, "batch of %zu views is too large for the loss", n);
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(z[i]))
            return clnscl_fail(CLNSCL_ENONFINITE, "embeddings have NaN/Inf at row %zu, column %zu",
                               i / d, i % d);

    double *zh = calloc(n * d, sizeof(double));
    double *nrm = malloc(n * sizeof(double));
    double *S = malloc(n * n * sizeof(double));
    double *dzh = grad ? malloc(n * d * sizeof(double)) : NULL;
    unsigned char *inD = malloc(n);
    int32_t *yv = malloc(n * sizeof(int32_t)); /* label of every view */
    if (!zh || !nrm || !S || (grad && !dzh) || !inD || !yv) {
        free(zh); free(nrm); free(S); free(dzh); free(inD); free(yv);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory in loss (%zu views)", n);
    }
    for (size_t a = 0; a < n; a++) yv[a] = labels ? labels[a % B] : 0;
    /* ẑ = z / max(‖z‖, 1e-12)  (EDGE_CASES.md L5) */
    for (size_t a = 0; a < n; a++) {
        nrm[a] = fmax(clnscl_norm2(z + a * d, d), 1e-12); /* no overflow/underflow in the squares */
        if (!isfinite(nrm[a])) {
            free(zh); free(nrm); free(S); free(dzh); free(inD); free(yv);
            return clnscl_fail(CLNSCL_ENONFINITE, "view %zu: its l2 norm exceeds the double range", a);
        }
        for (size_t j = 0; j < d; j++) zh[a * d + j] = z[a * d + j] / nrm[a];
    }
    /* S_ab = ⟨ẑ_a, ẑ_b⟩ / τ: the upper triangle by dsyrk, mirrored (S is symmetric) */
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)d, 1.0 / tau, zh, (int)d, 0.0, S, (int)n);
    for (size_t a = 1; a < n; a++)
        for (size_t b = 0; b < a; b++) S[a * n + b] = S[b * n + a];

    /* Anchor a: ℓ_a = log Σ_{b∈D(a)} e^{S_ab} − Σ_{p∈P(a)} w_p S_ap  (THEORY.md §2.1–2.4).
     * The row S_a· is overwritten with G_ab = (q_ab − w_ab)/n, q = softmax over D(a). */
    int st = CLNSCL_OK;
    double total = 0.0;
    for (size_t a = 0; a < n && st == CLNSCL_OK; a++) {
        const size_t p = a < B ? a + B : a - B;
        const int32_t ya = yv[a];
        double *row = S + a * n;
        denominator_row(inD, kind, form, a, p, n, yv);
        double pos = 0.0, npos = 0.0;
        if (kind == CLNSCL_LOSS_SCL) {
            for (size_t b = 0; b < n; b++)
                if (b != a && yv[b] == ya) { pos += row[b]; npos += 1.0; }
            pos /= npos; /* npos ≥ 1: p(a) always has the anchor's label */
        } else {
            pos = row[p];
            npos = 1.0;
        }
        /* softmax over exactly D(a) (L4): −∞ outside it; the row becomes q_ab/n */
        for (size_t b = 0; b < n; b++) row[b] = inD[b] ? row[b] : -INFINITY;
        const double inv_n = 1.0 / (double)n;
        double mx, l1p;
        if (clnscl_softmax_masked(row, (long)n, inv_n, &mx, &l1p)) {
            st = clnscl_fail(CLNSCL_EDEGENERATE,
                             kind == CLNSCL_LOSS_NSCL
                                 ? "nscl paper form: anchor %zu has no negatives (every view in the "
                                   "batch has its label), the loss would be log 0; use the code form"
                                 : "cl paper form: anchor %zu has an empty denominator (one sample); "
                                   "use the code form",
                             a);
            break;
        }
        total += (mx - pos) + l1p;
        /* gradient row G_ab = (q_ab − w_ab)/n */
        if (kind == CLNSCL_LOSS_SCL) {
            for (size_t b = 0; b < n; b++)
                if (b != a && yv[b] == ya) row[b] -= inv_n / npos;
        } else {
            row[p] -= inv_n;
        }
    }
    if (st == CLNSCL_OK) {
        *loss = total / (double)n;
        if (grad) {
            /* ∂L/∂ẑ = (G + Gᵀ) ẑ / τ: the upper triangle of G + Gᵀ formed in place, one
             * symmetric product; then through the normalisation */
            for (size_t a = 0; a < n; a++) {
                S[a * n + a] *= 2.0;
                for (size_t b = a + 1; b < n; b++) S[a * n + b] += S[b * n + a];
            }
            cblas_dsymm(CblasRowMajor, CblasLeft, CblasUpper, (int)n, (int)d, 1.0 / tau, S, (int)n, zh, (int)d,
                        0.0, dzh, (int)d);
            for (size_t a = 0; a < n; a++) {
                double *g = grad + a * d;
                const double *u = zh + a * d, *du = dzh + a * d;
                if (nrm[a] > 1e-12) {
                    double dot = 0.0;
                    for (size_t j = 0; j < d; j++) dot += u[j] * du[j];
                    for (size_t j = 0; j < d; j++) g[j] = (du[j] - u[j] * dot) / nrm[a];
                } else {
                    for (size_t j = 0; j < d; j++) g[j] = du[j] / 1e-12;
                }
            }
        }
    }
    free(zh); free(nrm); free(S); free(dzh); free(inD); free(yv);
    return st;
}

/* Float entry points: double copy of the n inputs and, if wanted, a double gradient buffer. */
static int widen(const float *x, size_t n, int want_grad, double **xd, double **gd)
{
    *xd = malloc((n ? n : 1) * sizeof(double));
    *gd = want_grad ? malloc((n ? n : 1) * sizeof(double)) : NULL;
    if (!*xd || (want_grad && !*gd)) {
        free(*xd); free(*gd);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory in loss (%zu values)", n);
    }
    for (size_t i = 0; i < n; i++) (*xd)[i] = x[i];
    return CLNSCL_OK;
}

/* g ← (float) gd on success; frees both buffers; returns st */
static int narrow(int st, float *g, double *xd, double *gd, size_t n)
{
    if (st == CLNSCL_OK && g)
        for (size_t i = 0; i < n; i++) g[i] = (float)gd[i];
    free(xd); free(gd);
    return st;
}

int clnscl_loss_contrastive_f(clnscl_loss_kind kind, clnscl_loss_form form, double tau,
                              const float *z, size_t B, size_t d, const int32_t *labels,
                              double *loss, float *grad)
{
    double *zd, *gd;
    int st = widen(z, 2 * B * d, grad != NULL, &zd, &gd);
    if (st) return st;
    st = clnscl_loss_contrastive(kind, form, tau, zd, B, d, labels, loss, gd);
    return narrow(st, grad, zd, gd, 2 * B * d);
}

/* CE (THEORY.md §2.3): mean over 2B rows of logsumexp(l_a) − l_a[y]; ∂/∂l_a = (softmax − e_y)/2B */
int clnscl_loss_ce(const double *logits, size_t B, size_t C, const int32_t *labels,
                   double *loss, double *dlogits)
{
    if (B < 1 || C < 1) return clnscl_fail(CLNSCL_ESHAPE, "cross-entropy needs B ≥ 1 and C ≥ 1");
    if (!labels) return clnscl_fail(CLNSCL_EINVAL, "cross-entropy needs labels");
    for (size_t i = 0; i < B; i++)
        if (labels[i] < 0 || (size_t)labels[i] >= C)
            return clnscl_fail(CLNSCL_EINVAL, "label %d of sample %zu is outside [0, %zu)",
                               (int)labels[i], i, C);
    const size_t n = 2 * B;
    for (size_t i = 0; i < n * C; i++)
        if (!isfinite(logits[i]))
            return clnscl_fail(CLNSCL_ENONFINITE, "logits have NaN/Inf at row %zu, column %zu",
                               i / C, i % C);
    double total = 0.0;
    for (size_t a = 0; a < n; a++) {
        const double *l = logits + a * C;
        const int32_t y = labels[a % B];
        double mx = l[0];
        for (size_t c = 1; c < C; c++) if (l[c] > mx) mx = l[c];
        double se = 0.0;
        for (size_t c = 0; c < C; c++) se += exp(l[c] - mx);
        const double lse = mx + log(se);
        total += lse - l[y];
        if (dlogits)
            for (size_t c = 0; c < C; c++)
                dlogits[a * C + c] = (exp(l[c] - lse) - (c == (size_t)y ? 1.0 : 0.0)) / (double)n;
    }
    *loss = total / (double)n;
    return CLNSCL_OK;
}

int clnscl_loss_ce_f(const float *logits, size_t B, size_t C, const int32_t *labels,
                     double *loss, float *dlogits)
{
    double *ld, *gd;
    int st = widen(logits, 2 * B * C, dlogits != NULL, &ld, &gd);
    if (st) return st;
    st = clnscl_loss_ce(ld, B, C, labels, loss, gd);
    return narrow(st, dlogits, ld, gd, 2 * B * C);
}
