/* tests/test_sim.c — sim/: Σ-space gradients (THEORY.md §3.2) against finite differences and
 * hand-computed losses (EDGE_CASES.md L1, L3, L4), row sums, the 1/(2τ²|A|) Lipschitz constant and
 * the reweighting bound (§3.5), CL ≡ NSCL without same-class pairs (§7 claim 12), zero violations
 * over random configurations, the §3.7 trends, determinism, file initialisation, bad parameters. */
#include "check.h"

#include "clnscl/bounds.h"
#include "clnscl/io.h"
#include "clnscl/metrics.h"
#include "clnscl/rng.h"
#include "clnscl/sim.h"
#include "clnscl/softmax.h"
#include "clnscl/status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const clnscl_sim_loss LOSSES[3] = {CLNSCL_SIM_CL, CLNSCL_SIM_NSCL, CLNSCL_SIM_SCL};
static const char *const LNAME[3] = {"CL", "NSCL", "SCL"};

/* random P × P matrix in [−1,1] with unit diagonal (not symmetric: the entries are independent) */
static void random_sigma(clnscl_rng *r, double *S, long P)
{
    for (long a = 0; a < P; a++)
        for (long b = 0; b < P; b++) S[a * P + b] = a == b ? 1.0 : 2.0 * clnscl_rng_uniform(r) - 1.0;
}

typedef struct {
    long N, B;
    long samples[64];
    int32_t labels[64];
    long v[128];
    int32_t y[128];
    clnscl_sim_batch b;
} batch_fix;

static void make_batch(batch_fix *f, clnscl_rng *r, long N, long C, long B, clnscl_sim_anchors anchors)
{
    f->N = N;
    f->B = B;
    for (long s = 0; s < N; s++) f->labels[s] = (int32_t)clnscl_rng_below(r, (uint64_t)C);
    size_t perm[64];
    for (long s = 0; s < N; s++) perm[s] = (size_t)s;
    clnscl_rng_shuffle(r, perm, (size_t)N);
    for (long j = 0; j < B; j++) f->samples[j] = (long)perm[j];
    f->b.v = f->v;
    f->b.y = f->y;
    clnscl_sim_batch_fill(&f->b, f->samples, B, N, f->labels, anchors);
}

/* ---- EDGE_CASES L1 / L3 / L4: hand-computed loss values --------------------------------------- */
static void test_golden_losses(void)
{
    /* z = [[1,0],[1,0],[0,1],[0,1]]: sample 0 = rows 0,1, sample 1 = rows 2,3. In the point layout
     * (2 samples): point 0 = s0 v1, 1 = s1 v1, 2 = s0 v2, 3 = s1 v2; Σ = cosines. */
    double S[16] = {1, 0, 1, 0, /**/ 0, 1, 0, 1, /**/ 1, 0, 1, 0, /**/ 0, 1, 0, 1};
    long samples[2] = {0, 1};
    int32_t labels[2] = {0, 1};
    long v[4];
    int32_t y[4];
    clnscl_sim_batch b = {0, 0, 0, v, y};
    clnscl_sim_batch_fill(&b, samples, 2, 2, labels, CLNSCL_SIM_ANCHORS_VIEWS);
    CHECK(b.nv == 4 && b.na == 4 && v[0] == 0 && v[1] == 1 && v[2] == 2 && v[3] == 3);
    double l;
    CHECK_STATUS(clnscl_sim_loss_value(S, 4, &b, CLNSCL_SIM_CL, CLNSCL_SIM_FORM_CODE, 0.5, &l), CLNSCL_OK);
    CHECK_CLOSE(l, 0.2395447662218845, 1e-14, 0);
    CHECK_STATUS(clnscl_sim_loss_value(S, 4, &b, CLNSCL_SIM_CL, CLNSCL_SIM_FORM_PAPER, 0.5, &l), CLNSCL_OK);
    CHECK_CLOSE(l, -1.3068528194400548, 1e-14, 0);
    /* distinct labels: NSCL = CL; SupCon (P = {positive}, denominator = all non-self) = code CL */
    CHECK_STATUS(clnscl_sim_loss_value(S, 4, &b, CLNSCL_SIM_NSCL, CLNSCL_SIM_FORM_PAPER, 0.5, &l), CLNSCL_OK);
    CHECK_CLOSE(l, -1.3068528194400548, 1e-14, 0);
    CHECK_STATUS(clnscl_sim_loss_value(S, 4, &b, CLNSCL_SIM_SCL, CLNSCL_SIM_FORM_PAPER, 0.5, &l), CLNSCL_OK);
    CHECK_CLOSE(l, 0.2395447662218845, 1e-14, 0);
    /* L4: τ = 0.005, no overflow, log-sum-exp over the unmasked set only */
    CHECK_STATUS(clnscl_sim_loss_value(S, 4, &b, CLNSCL_SIM_CL, CLNSCL_SIM_FORM_CODE, 0.005, &l), CLNSCL_OK);
    CHECK_CLOSE(l, 2.7677930534734e-87, 1e-10, 0);
    CHECK_STATUS(clnscl_sim_loss_value(S, 4, &b, CLNSCL_SIM_CL, CLNSCL_SIM_FORM_PAPER, 0.005, &l), CLNSCL_OK);
    CHECK_CLOSE(l, -199.30685281944005, 1e-14, 0);
    /* L2: collinear (Σ ≡ 1): code CL = log(2B−1), paper CL = log(2B−2) */
    double one[16];
    for (int k = 0; k < 16; k++) one[k] = 1.0;
    CHECK_STATUS(clnscl_sim_loss_value(one, 4, &b, CLNSCL_SIM_CL, CLNSCL_SIM_FORM_CODE, 0.5, &l), CLNSCL_OK);
    CHECK_CLOSE(l, log(3.0), 1e-14, 0);
    CHECK_STATUS(clnscl_sim_loss_value(one, 4, &b, CLNSCL_SIM_CL, CLNSCL_SIM_FORM_PAPER, 0.5, &l), CLNSCL_OK);
    CHECK_CLOSE(l, log(2.0), 1e-14, 0);
    /* L3: one class — NSCL code form is exactly 0, paper form is an error, never NaN */
    int32_t same[2] = {3, 3};
    clnscl_sim_batch_fill(&b, samples, 2, 2, same, CLNSCL_SIM_ANCHORS_VIEWS);
    CHECK_STATUS(clnscl_sim_loss_value(S, 4, &b, CLNSCL_SIM_NSCL, CLNSCL_SIM_FORM_CODE, 0.5, &l), CLNSCL_OK);
    CHECK(fabs(l) < 1e-15);
    CHECK_STATUS(clnscl_sim_loss_value(S, 4, &b, CLNSCL_SIM_NSCL, CLNSCL_SIM_FORM_PAPER, 0.5, &l), CLNSCL_EDEGENERATE);
    CHECK(strstr(clnscl_last_error(), "no negatives") != NULL);
    double G[16];
    CHECK_STATUS(clnscl_sim_grad(S, 4, &b, CLNSCL_SIM_NSCL, CLNSCL_SIM_FORM_PAPER, 0.5, G, NULL), CLNSCL_EDEGENERATE);
}

/* ---- the softmax exponential against libm ---------------------------------------------------- */
static void test_exp(void)
{
    double worst = 0.0;
    clnscl_rng r;
    clnscl_rng_seed(&r, 4);
    for (int k = 0; k < 200000; k++) {
        double x = k < 100000 ? -708.0 * clnscl_rng_uniform(&r) : -4.0 * clnscl_rng_uniform(&r);
        double e = clnscl_exp_nonpos(x), ref = exp(x);
        double rel = fabs(e - ref) / ref;
        if (rel > worst) worst = rel;
    }
    CHECK_MSG(worst <= 2.5e-16, "worst relative error %g", worst);
    CHECK(clnscl_exp_nonpos(0.0) == 1.0);
    CHECK(clnscl_exp_nonpos(-INFINITY) == 0.0);
    CHECK(clnscl_exp_nonpos(-800.0) == 0.0);
    CHECK_CLOSE(clnscl_exp_nonpos(-1.0), 0.36787944117144233, 2.5e-16, 0);
    /* the block form (32 interleaved, subtrahends per entry, and shorter blocks) gives the same
     * bits as one at a time, including −∞ and the −708 edge */
    double g[CLNSCL_EXP_BLOCK], s[CLNSCL_EXP_BLOCK], x[CLNSCL_EXP_BLOCK];
    for (int rep = 0; rep < 200; rep++) {
        for (int i = 0; i < CLNSCL_EXP_BLOCK; i++) {
            s[i] = 3.0 * clnscl_rng_uniform(&r);
            x[i] = s[i] - (rep % 2 ? 720.0 : 30.0) * clnscl_rng_uniform(&r);
        }
        x[rep % CLNSCL_EXP_BLOCK] = -INFINITY;
        x[(rep + 7) % CLNSCL_EXP_BLOCK] = s[(rep + 7) % CLNSCL_EXP_BLOCK] - 708.0;
        x[(rep + 9) % CLNSCL_EXP_BLOCK] = s[(rep + 9) % CLNSCL_EXP_BLOCK];
        const int n = rep % 3 ? CLNSCL_EXP_BLOCK : 1 + rep % CLNSCL_EXP_BLOCK;
        memcpy(g, x, sizeof g);
        clnscl_exp_nonpos_n(g, s, n);
        for (int i = 0; i < n; i++) {
            const double one = clnscl_exp_nonpos(x[i] - s[i]);
            CHECK_MSG(memcmp(&g[i], &one, sizeof one) == 0, "block exp %d/%d: %.17g vs %.17g", i, n, g[i], one);
        }
    }
}

/* ---- gradients against central finite differences of ℓ̄ ----------------------------------------- */
static void test_finite_differences(void)
{
    clnscl_rng r;
    clnscl_rng_seed(&r, 11);
    const long N = 12, C = 3, B = 6, P = 2 * N;
    double *S = malloc((size_t)(P * P) * sizeof *S), *G = malloc(12 * 12 * sizeof *G);
    int bad = 0, checked = 0;
    for (int an = 0; an < 2; an++)
        for (int form = 0; form < 2; form++)
            for (int k = 0; k < 3; k++) {
                batch_fix f;
                random_sigma(&r, S, P);
                make_batch(&f, &r, N, C, B, (clnscl_sim_anchors)an);
                /* make sure the batch has two classes (NSCL paper form needs negatives) */
                f.labels[f.samples[0]] = 0;
                f.labels[f.samples[1]] = 1;
                f.labels[f.samples[2]] = 1;
                clnscl_sim_batch_fill(&f.b, f.samples, B, N, f.labels, (clnscl_sim_anchors)an);
                const double tau = 0.3 + 0.7 * clnscl_rng_uniform(&r), h = 1e-5;
                int st = clnscl_sim_grad(S, (size_t)P, &f.b, LOSSES[k], (clnscl_sim_form)form, tau, G, NULL);
                CHECK(st == CLNSCL_OK);
                /* every entry of the batch rows, anchors or not, plus a column outside V */
                for (long i = 0; i < f.b.nv; i++)
                    for (long j = 0; j <= f.b.nv; j++) {
                        long a = f.b.v[i], c;
                        if (j < f.b.nv) c = f.b.v[j];
                        else { /* a point outside the batch */
                            c = -1;
                            for (long q = 0; q < P && c < 0; q++) {
                                int in = 0;
                                for (long u = 0; u < f.b.nv; u++) in |= f.b.v[u] == q;
                                if (!in) c = q;
                            }
                        }
                        if (a == c) continue;
                        double keep = S[a * P + c], lp, lm;
                        S[a * P + c] = keep + h;
                        clnscl_sim_loss_value(S, (size_t)P, &f.b, LOSSES[k], (clnscl_sim_form)form, tau, &lp);
                        S[a * P + c] = keep - h;
                        clnscl_sim_loss_value(S, (size_t)P, &f.b, LOSSES[k], (clnscl_sim_form)form, tau, &lm);
                        S[a * P + c] = keep;
                        double fd = (lp - lm) / (2 * h);
                        double an_g = (i < f.b.na && j < f.b.nv) ? G[i * f.b.nv + j] : 0.0;
                        checked++;
                        if (!(fabs(fd - an_g) <= 1e-8)) {
                            if (bad++ < 5)
                                fprintf(stderr, "FD mismatch %s form %d anchors %d (%ld,%ld): fd %.12g grad %.12g\n",
                                        LNAME[k], form, an, i, j, fd, an_g);
                        }
                    }
            }
    CHECK_MSG(bad == 0, "%d of %d finite-difference checks failed", bad, checked);
    CHECK(checked > 1500);
    free(S);
    free(G);
}

/* ---- row sums, entry bounds, Lipschitz 1/(2τ²|A|), reweighting Δ_emp/(τ√|A|) ------------------- */
static void test_gradient_properties(void)
{
    clnscl_rng r;
    clnscl_rng_seed(&r, 12);
    const long N = 40, P = 2 * N;
    double *S1 = malloc((size_t)(P * P) * sizeof *S1), *S2 = malloc((size_t)(P * P) * sizeof *S2);
    double *G1 = malloc(64 * 64 * sizeof *G1), *G2 = malloc(64 * 64 * sizeof *G2);
    int bad_sum = 0, bad_entry = 0, bad_lip = 0, bad_rw = 0, bad_frac = 0;
    double max_ratio = 0.0;
    for (int trial = 0; trial < 120; trial++) {
        batch_fix f;
        long C = 2 + (long)clnscl_rng_below(&r, 6), B = 4 + (long)clnscl_rng_below(&r, 20);
        clnscl_sim_anchors an = (clnscl_sim_anchors)(trial & 1);
        clnscl_sim_form form = (clnscl_sim_form)((trial >> 1) & 1);
        make_batch(&f, &r, N, C, B, an);
        f.labels[f.samples[0]] = 0;
        f.labels[f.samples[1]] = 1;
        clnscl_sim_batch_fill(&f.b, f.samples, B, N, f.labels, an);
        double tau = 0.1 + clnscl_rng_uniform(&r);
        random_sigma(&r, S1, P);
        double eps = trial % 3 == 0 ? 1.0 : (trial % 3 == 1 ? 1e-2 : 1e-5);
        for (long k = 0; k < P * P; k++) {
            double x = S1[k] + eps * (2 * clnscl_rng_uniform(&r) - 1);
            S2[k] = x > 1 ? 1 : (x < -1 ? -1 : x);
        }
        for (long a = 0; a < P; a++) S2[a * P + a] = 1.0;
        const double na = (double)f.b.na, lip = 1.0 / (2 * tau * tau * na);
        for (int k = 0; k < 3; k++) {
            CHECK(clnscl_sim_grad(S1, (size_t)P, &f.b, LOSSES[k], form, tau, G1, NULL) == CLNSCL_OK);
            CHECK(clnscl_sim_grad(S2, (size_t)P, &f.b, LOSSES[k], form, tau, G2, NULL) == CLNSCL_OK);
            double dg = 0, ds = 0;
            for (long i = 0; i < f.b.na; i++) {
                double rs = 0;
                for (long j = 0; j < f.b.nv; j++) {
                    double g = G1[i * f.b.nv + j];
                    rs += g;
                    if (fabs(g) > 1.0 / (na * tau) * (1 + 1e-12)) bad_entry++;
                    double d = g - G2[i * f.b.nv + j];
                    dg += d * d;
                }
                if (fabs(rs) > 1e-14 / tau) bad_sum++;
            }
            /* ‖Σ1 − Σ2‖_F over the whole matrix (the Lipschitz statement), and over the anchor rows
             * restricted to V (the entries G depends on: a stronger check) */
            double dfull = 0;
            for (long q = 0; q < P * P; q++) dfull += (S1[q] - S2[q]) * (S1[q] - S2[q]);
            for (long i = 0; i < f.b.na; i++)
                for (long j = 0; j < f.b.nv; j++) {
                    double d = S1[f.b.v[i] * P + f.b.v[j]] - S2[f.b.v[i] * P + f.b.v[j]];
                    ds += d * d;
                }
            if (sqrt(dg) > lip * sqrt(ds) * (1 + 1e-12) + 1e-17 || sqrt(dg) > lip * sqrt(dfull) * (1 + 1e-12) + 1e-17)
                bad_lip++;
            if (ds > 0 && sqrt(dg) / (lip * sqrt(ds)) > max_ratio) max_ratio = sqrt(dg) / (lip * sqrt(ds));
        }
        /* reweighting (§3.5): ‖G^CL(Σ) − G^NSCL(Σ)‖_F ≤ Δ_emp/(τ√|A|), Δ_emp from the batch's f */
        double fr = clnscl_sim_same_class_fraction(&f.b, form);
        /* brute force f: max over anchors of same-class non-positive entries / |D^CL| */
        double fb = 0;
        for (long i = 0; i < f.b.na; i++) {
            long s = 0, d = 0, pi = (i + f.b.B) % f.b.nv;
            for (long j = 0; j < f.b.nv; j++) {
                if (j == i || (j == pi && form == CLNSCL_SIM_FORM_PAPER)) continue;
                d++;
                if (j != pi && f.b.y[j] == f.b.y[i]) s++;
            }
            if ((double)s / d > fb) fb = (double)s / d;
        }
        if (fabs(fr - fb) > 1e-15) bad_frac++;
        double ld;
        CHECK(clnscl_bounds_log_delta(fr, tau, &ld) == CLNSCL_OK);
        clnscl_sim_grad(S1, (size_t)P, &f.b, CLNSCL_SIM_CL, form, tau, G1, NULL);
        clnscl_sim_grad(S1, (size_t)P, &f.b, CLNSCL_SIM_NSCL, form, tau, G2, NULL);
        double dd = 0;
        for (long q = 0; q < f.b.na * f.b.nv; q++) dd += (G1[q] - G2[q]) * (G1[q] - G2[q]);
        if (sqrt(dd) > exp(ld) / (tau * sqrt(na)) * (1 + 1e-12)) bad_rw++;
    }
    CHECK_MSG(bad_sum == 0, "%d anchor rows do not sum to 0", bad_sum);
    CHECK_MSG(bad_entry == 0, "%d entries exceed 1/(|A|tau)", bad_entry);
    CHECK_MSG(bad_lip == 0, "%d Lipschitz violations", bad_lip);
    CHECK_MSG(bad_rw == 0, "%d reweighting-bound violations", bad_rw);
    CHECK_MSG(bad_frac == 0, "%d same-class fractions differ from brute force", bad_frac);
    /* the constant is attained up to a modest factor on near pairs, i.e. the check is not vacuous */
    CHECK_MSG(max_ratio > 0.05 && max_ratio <= 1.0, "max Lipschitz ratio %g", max_ratio);
    free(S1);
    free(S2);
    free(G1);
    free(G2);
}

/* ---- runs ---------------------------------------------------------------------------------------- */
typedef struct {
    int n;
    clnscl_sim_row rows[64];
} rows_buf;

static int collect(const clnscl_sim_row *row, void *ctx)
{
    rows_buf *b = ctx;
    if (b->n < 64) b->rows[b->n++] = *row;
    return CLNSCL_OK;
}

static void small_opts(clnscl_sim_opts *o)
{
    clnscl_sim_opts_default(o);
    o->classes = 4;
    o->per_class = 8;
    o->batch = 8;
    o->steps = 40;
    o->log_every = 10;
}

static void test_cl_equals_nscl(void)
{
    /* stratified batches with B ≤ C hold B distinct classes: D^CL = D^NS, the runs coincide */
    for (int form = 0; form < 2; form++)
        for (int an = 0; an < 2; an++) {
            clnscl_sim_opts o;
            small_opts(&o);
            o.classes = 12;
            o.per_class = 3;
            o.batch = 10;
            o.sampling = CLNSCL_SIM_SAMPLING_STRATIFIED;
            o.form = (clnscl_sim_form)form;
            o.anchors = (clnscl_sim_anchors)an;
            rows_buf rb = {0};
            clnscl_sim_result res;
            CHECK_STATUS(clnscl_sim_run(&o, 0, collect, &rb, &res), CLNSCL_OK);
            CHECK(rb.n == 5);
            int exact = 1;
            for (int k = 0; k < rb.n; k++) exact &= rb.rows[k].gap_fro == 0.0 && rb.rows[k].f_max == 0.0;
            CHECK(exact);
            CHECK(res.violations == 0);
            CHECK_CLOSE(res.final.cka, 1.0, 1e-12, 0);
            /* and with uniform batches (same-class pairs occur) they separate */
            o.sampling = CLNSCL_SIM_SAMPLING_UNIFORM;
            o.classes = 3;
            o.per_class = 12;
            CHECK_STATUS(clnscl_sim_run(&o, 0, NULL, NULL, &res), CLNSCL_OK);
            CHECK(res.final.gap_fro > 0.0 && res.final.f_max > 0.0);
        }
}

static void test_random_configs(void)
{
    clnscl_rng r;
    clnscl_rng_seed(&r, 99);
    long total_viol = 0, runs = 0, nonzero_gap = 0;
    for (int k = 0; k < 40; k++) {
        clnscl_sim_opts o;
        clnscl_sim_opts_default(&o);
        o.classes = 2 + (long)clnscl_rng_below(&r, 8);
        o.per_class = 2 + (long)clnscl_rng_below(&r, 6);
        long N = o.classes * o.per_class;
        o.batch = 2 + (long)clnscl_rng_below(&r, (uint64_t)(N - 1));
        o.tau = 0.05 + 1.5 * clnscl_rng_uniform(&r);
        o.eta = 5.0 * clnscl_rng_uniform(&r);
        o.steps = 10 + (long)clnscl_rng_below(&r, 40);
        o.log_every = 1 + (long)clnscl_rng_below(&r, 10);
        o.seed = clnscl_rng_next(&r) >> 20;
        o.form = (clnscl_sim_form)clnscl_rng_below(&r, 2);
        o.anchors = (clnscl_sim_anchors)clnscl_rng_below(&r, 2);
        o.init = (clnscl_sim_init)clnscl_rng_below(&r, 2);
        o.symmetrize = (int)clnscl_rng_below(&r, 2);
        o.schedule = (clnscl_sched_kind)clnscl_rng_below(&r, 2);
        o.warmup_epochs = (long)clnscl_rng_below(&r, 3);
        o.dim = 2 + (long)clnscl_rng_below(&r, 20);
        if (clnscl_rng_below(&r, 2) && o.batch <= N) {
            o.sampling = CLNSCL_SIM_SAMPLING_STRATIFIED;
            while ((o.batch + o.classes - 1) / o.classes > o.per_class) o.batch--;
        }
        if (o.form == CLNSCL_SIM_FORM_PAPER && o.sampling == CLNSCL_SIM_SAMPLING_UNIFORM && o.batch < 6)
            o.form = CLNSCL_SIM_FORM_CODE; /* a one-class batch would make NSCL paper undefined */
        clnscl_sim_result res;
        int st = clnscl_sim_run(&o, 0, NULL, NULL, &res);
        CHECK_MSG(st == CLNSCL_OK, "config %d: %s", k, clnscl_last_error());
        if (st) continue;
        runs++;
        total_viol += res.violations;
        if (res.violations) fprintf(stderr, "config %d: %s\n", k, res.violation_msg);
        nonzero_gap += res.final.gap_fro > 0;
    }
    CHECK(runs == 40);
    CHECK_MSG(total_viol == 0, "%ld violations", total_viol);
    CHECK(nonzero_gap > 20);
}

/* §3.7 reference (N = 200 samples, B = 32, η = 1, T = 200, views anchors, paper form, clipping) */
static double final_gap(long C, double tau)
{
    clnscl_sim_opts o;
    clnscl_sim_opts_default(&o);
    o.classes = C;
    o.per_class = 200 / C;
    o.tau = tau;
    o.scl = 0;
    o.log_every = 200;
    clnscl_sim_result res;
    int st = clnscl_sim_run(&o, 0, NULL, NULL, &res);
    CHECK(st == CLNSCL_OK && res.violations == 0);
    return res.final.gap_fro;
}

static void test_trends(void)
{
    static const long Cs[5] = {2, 5, 10, 25, 50};
    static const double ref_C[5] = {1.23, 0.60, 0.39, 0.23, 0.16};
    static const double taus[5] = {0.1, 0.2, 0.5, 1.0, 2.0};
    static const double ref_tau[5] = {4.14, 1.43, 0.39, 0.18, 0.09};
    double prev = INFINITY;
    for (int k = 0; k < 5; k++) {
        double g = final_gap(Cs[k], 0.5);
        CHECK_MSG(g < prev, "gap not decreasing in C at C = %ld (%g after %g)", Cs[k], g, prev);
        /* same order of magnitude as §3.7 */
        CHECK_MSG(g > ref_C[k] / 10 && g < ref_C[k] * 10, "C = %ld: gap %g vs reference %g", Cs[k], g, ref_C[k]);
        prev = g;
    }
    prev = INFINITY;
    for (int k = 0; k < 5; k++) {
        double g = final_gap(10, taus[k]);
        CHECK_MSG(g < prev, "gap not decreasing in tau at %g (%g after %g)", taus[k], g, prev);
        CHECK_MSG(g > ref_tau[k] / 1.5 && g < ref_tau[k] * 1.5, "tau = %g: gap %g vs reference %g", taus[k], g,
                  ref_tau[k]);
        prev = g;
    }
}

static void test_bounds_consistency(void)
{
    /* the incrementally evaluated recurrence bound equals bounds/' unrolled recurrence over the
     * same schedule; the Theorem-1 bound dominates it; S_η matches the schedule's sum */
    clnscl_sim_opts o;
    small_opts(&o);
    o.schedule = CLNSCL_SCHED_COSINE;
    o.warmup_epochs = 2;
    o.steps = 37;
    clnscl_sim_result res;
    CHECK_STATUS(clnscl_sim_run(&o, 0, NULL, NULL, &res), CLNSCL_OK);
    clnscl_schedule s;
    clnscl_sim_opts_schedule(&o, res.N, &s);
    CHECK_CLOSE(res.final.eta_sum, clnscl_schedule_sum(&s), 1e-13, 0);
    double ld;
    CHECK(clnscl_bounds_log_delta(res.final.f_max, o.tau, &ld) == CLNSCL_OK);
    clnscl_bound rb;
    CHECK(clnscl_bounds_recurrence(ld, o.tau, res.anchors, &s, &rb) == CLNSCL_OK);
    CHECK_CLOSE(res.final.bound_recurrence.log10, rb.log10, 1e-12, 0);
    CHECK(res.final.bound_theorem1.log10 >= res.final.bound_recurrence.log10);
    CHECK(res.final.gap_fro > 0 && res.final.gap_fro <= res.final.bound_recurrence.value);
    CHECK(res.final.cka >= res.final.cka_lower && res.final.rsa >= res.final.rsa_lower);
    CHECK(res.final.cka_lower <= 1 && res.final.cka_lower > 0.5);
    CHECK(res.final.lemma7_slack > 0 && res.final.lemma7_slack <= 1);
    /* the Corollary-1 lower bound is (1−ρ)/(1+ρ) of the reported ρ */
    CHECK_CLOSE(res.final.cka_lower, (1 - res.final.rho) / (1 + res.final.rho), 1e-12, 1e-15);
    CHECK_CLOSE(res.final.rsa_lower, (1 - res.final.r) / (1 + res.final.r), 1e-12, 1e-15);
    /* ε_{B,δ} with B = samples per batch, π_max = 1/C */
    double eps;
    CHECK(clnscl_bounds_epsilon(o.steps, o.batch, o.delta, &eps) == CLNSCL_OK);
    CHECK_CLOSE(res.epsilon, eps, 1e-15, 0);
    CHECK_CLOSE(res.pi_max, 0.25, 1e-15, 0);
}

static void test_determinism(void)
{
    clnscl_sim_opts o;
    small_opts(&o);
    o.init = CLNSCL_SIM_INIT_MIXTURE;
    rows_buf a = {0}, b = {0}, c = {0};
    clnscl_sim_result ra, rb, rc;
    CHECK_STATUS(clnscl_sim_run(&o, 0, collect, &a, &ra), CLNSCL_OK);
    CHECK_STATUS(clnscl_sim_run(&o, 0, collect, &b, &rb), CLNSCL_OK);
    CHECK(a.n == b.n && a.n == 5);
    int same = 1;
    for (int k = 0; k < a.n; k++)
        same &= a.rows[k].gap_fro == b.rows[k].gap_fro && a.rows[k].cka == b.rows[k].cka &&
                a.rows[k].rsa_scl == b.rows[k].rsa_scl && a.rows[k].lemma7_lhs == b.rows[k].lemma7_lhs;
    CHECK(same);
    /* another repeat index is another seed */
    CHECK_STATUS(clnscl_sim_run(&o, 1, collect, &c, &rc), CLNSCL_OK);
    CHECK(rc.final.gap_fro != ra.final.gap_fro);
}

static void test_repeat_rates(void)
{
    /* --repeat semantics: seeds K..K+R−1; Theorem 1 with Δ_{π,δ} and Corollary 3's event should
     * hold in ≥ 1−δ of the runs; Theorem 1 with Δ_emp in all of them (no violations) */
    clnscl_sim_opts o;
    clnscl_sim_opts_default(&o);
    o.classes = 20;
    o.per_class = 5;
    o.batch = 40;
    o.steps = 30;
    o.log_every = 30;
    o.scl = 0;
    long held = 0, event = 0, viol = 0;
    const long R = 20;
    for (long r = 0; r < R; r++) {
        clnscl_sim_result res;
        CHECK_STATUS(clnscl_sim_run(&o, r, NULL, NULL, &res), CLNSCL_OK);
        held += res.theorem1_pi_held;
        event += res.batch_event_held;
        viol += res.violations;
        /* π_max + ε < 1 here, so the Δ_{π,δ} bound is a real (finite-log) number */
        CHECK(!res.bound_theorem1_pi.vacuous && isfinite(res.bound_theorem1_pi.log10));
        CHECK(res.final.f_max <= res.pi_max + res.epsilon || !res.batch_event_held);
    }
    CHECK(viol == 0);
    CHECK((double)held >= (1 - o.delta) * (double)R);
    CHECK((double)event >= (1 - o.delta) * (double)R);
}

static void test_repeat_and_outputs(void)
{
    char dir[] = "/tmp/clnscl_test_simXXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    clnscl_sim_opts o;
    small_opts(&o);
    o.repeat = 4;
    char *json = NULL;
    long viol = -1;
    int stopped = -1;
    CHECK_STATUS(clnscl_sim_execute(&o, dir, &json, &viol, &stopped), CLNSCL_OK);
    CHECK(viol == 0 && stopped == 0 && json && strstr(json, "\"theorem1_pi_held_fraction\""));
    char path[512];
    snprintf(path, sizeof path, "%s/trajectory.csv", dir);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    int lines = 0, infs = 0;
    char line[4096];
    while (f && fgets(line, sizeof line, f)) {
        lines++;
        if (strstr(line, "inf") || strstr(line, "nan")) infs++;
    }
    if (f) fclose(f);
    CHECK(lines == 1 + 4 * 5); /* header + 4 repeats × (step 0 + 4 logged steps) */
    CHECK(infs == 0);
    free(json);
    /* sweep */
    const char *specs[2] = {"tau=0.5,1", "classes=2,4"};
    CHECK_STATUS(clnscl_sim_sweep(&o, specs, 2, dir, NULL, &viol, &stopped), CLNSCL_OK);
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    f = fopen(path, "r");
    lines = 0;
    while (f && fgets(line, sizeof line, f)) lines++;
    if (f) fclose(f);
    CHECK(lines == 5);
    const char *bad[1] = {"tau=0.5,-1"};
    CHECK_STATUS(clnscl_sim_sweep(&o, bad, 1, dir, NULL, &viol, &stopped), CLNSCL_EINVAL);
    const char *bad2[1] = {"nosuch=1"};
    CHECK_STATUS(clnscl_sim_sweep(&o, bad2, 1, dir, NULL, &viol, &stopped), CLNSCL_EINVAL);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    CHECK(system(path) == 0);
}

static void test_file_init(void)
{
    char dir[] = "/tmp/clnscl_test_simXXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char epath[512], lpath[512], bad[512];
    snprintf(epath, sizeof epath, "%s/E.npy", dir);
    snprintf(lpath, sizeof lpath, "%s/L.npy", dir);
    snprintf(bad, sizeof bad, "%s/L5.npy", dir);
    clnscl_rng r;
    clnscl_rng_seed(&r, 5);
    const long N = 24, d = 5;
    double E[48 * 5];
    int32_t L[24], L5[5] = {0, 1, 0, 1, 0};
    for (long k = 0; k < 2 * N * d; k++) E[k] = clnscl_rng_normal(&r);
    for (long s = 0; s < N; s++) L[s] = (int32_t)(1000000000 * (s % 3)); /* 0, 1e9, 2e9: relabelled */
    CHECK(clnscl_npy_write_f64(epath, E, (size_t)(2 * N), (size_t)d) == CLNSCL_OK);
    CHECK(clnscl_npy_write_i32(lpath, L, (size_t)N) == CLNSCL_OK);
    CHECK(clnscl_npy_write_i32(bad, L5, 5) == CLNSCL_OK);
    clnscl_sim_opts o;
    small_opts(&o);
    CHECK(clnscl_sim_opts_set(&o, "init", "file") == CLNSCL_OK);
    CHECK(clnscl_sim_opts_set(&o, "init-embeddings", epath) == CLNSCL_OK);
    CHECK(clnscl_sim_opts_set(&o, "init-labels", lpath) == CLNSCL_OK);
    clnscl_sim_result res;
    rows_buf rb = {0};
    CHECK_STATUS(clnscl_sim_run(&o, 0, collect, &rb, &res), CLNSCL_OK);
    CHECK(res.N == N && res.C == 3 && res.violations == 0);
    CHECK_CLOSE(res.pi_max, 1.0 / 3.0, 1e-15, 0);
    CHECK(rb.n > 0 && rb.rows[0].gap_fro == 0.0);
    CHECK_CLOSE(rb.rows[0].cka, 1.0, 1e-14, 0);
    CHECK(clnscl_sim_opts_set(&o, "init-labels", bad) == CLNSCL_OK);
    CHECK_STATUS(clnscl_sim_run(&o, 0, NULL, NULL, &res), CLNSCL_ESHAPE);
    /* identical embeddings: Σ_0 ≡ 1 is constant after centring, CKA undefined → error, not NaN */
    double Ec[48 * 5];
    for (long k = 0; k < 2 * N * d; k++) Ec[k] = 1.0;
    CHECK(clnscl_npy_write_f64(epath, Ec, (size_t)(2 * N), (size_t)d) == CLNSCL_OK);
    CHECK(clnscl_sim_opts_set(&o, "init-labels", lpath) == CLNSCL_OK);
    CHECK_STATUS(clnscl_sim_run(&o, 0, NULL, NULL, &res), CLNSCL_EDEGENERATE);
    CHECK(strstr(clnscl_last_error(), "step 0:") != NULL);
    /* a zero row has no cosine */
    for (long k = 0; k < d; k++) E[3 * d + k] = 0.0;
    CHECK(clnscl_npy_write_f64(epath, E, (size_t)(2 * N), (size_t)d) == CLNSCL_OK);
    CHECK(clnscl_sim_opts_set(&o, "init-labels", lpath) == CLNSCL_OK);
    CHECK_STATUS(clnscl_sim_run(&o, 0, NULL, NULL, &res), CLNSCL_EDEGENERATE);
    E[3 * d] = NAN;
    CHECK(clnscl_npy_write_f64(epath, E, (size_t)(2 * N), (size_t)d) == CLNSCL_OK);
    CHECK_STATUS(clnscl_sim_run(&o, 0, NULL, NULL, &res), CLNSCL_ENONFINITE);
    snprintf(bad, sizeof bad, "rm -rf '%s'", dir);
    CHECK(system(bad) == 0);
}

/* One step of `clnscl sim` (tiled, interleaved storage, thread team) against the formula of §3.3
 * applied by hand: Σ_k ← clip(Σ_0 − η G^k) on the batch block with G^k from clnscl_sim_grad. With
 * B = N every sample is in the batch (V = all points, in order) and Σ_0 comes from a file, so the
 * expected gaps are computable here. 2B = 26 and B = 13 anchors leave a partial tile. Every thread
 * count gives the same bits. */
static void test_step_against_formula(void)
{
    char dir[] = "/tmp/clnscl_test_stepXXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char epath[512], lpath[512];
    snprintf(epath, sizeof epath, "%s/E.npy", dir);
    snprintf(lpath, sizeof lpath, "%s/L.npy", dir);
    enum { N = 13, P = 26, D = 4 };
    double E[P * D], U[P * D], S0[P * P];
    int32_t L[N];
    clnscl_rng r;
    clnscl_rng_seed(&r, 11);
    for (long k = 0; k < P * D; k++) E[k] = clnscl_rng_normal(&r);
    for (long s = 0; s < N; s++) L[s] = (int32_t)(s % 3);
    CHECK(clnscl_npy_write_f64(epath, E, P, D) == CLNSCL_OK);
    CHECK(clnscl_npy_write_i32(lpath, L, N) == CLNSCL_OK);
    CHECK(clnscl_normalize_rows(E, P, D, "E", U) == CLNSCL_OK);
    for (long a = 0; a < P; a++)
        for (long c = 0; c < P; c++) {
            double x = 0.0;
            for (long k = 0; k < D; k++) x += U[a * D + k] * U[c * D + k];
            S0[a * P + c] = a == c ? 1.0 : (x > 1.0 ? 1.0 : (x < -1.0 ? -1.0 : x));
        }
    long samples[N], v[P];
    int32_t y[P];
    for (long s = 0; s < N; s++) samples[s] = s;
    static const struct { clnscl_sim_anchors an; clnscl_sim_form form; double eta; } cases[] = {
        {CLNSCL_SIM_ANCHORS_VIEWS, CLNSCL_SIM_FORM_PAPER, 30.0}, /* large: entries reach the clip */
        {CLNSCL_SIM_ANCHORS_SAMPLES, CLNSCL_SIM_FORM_CODE, 0.7},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        clnscl_sim_batch b = {0, 0, 0, v, y};
        clnscl_sim_batch_fill(&b, samples, N, N, L, cases[c].an);
        double S1[3][P * P], G[P * P];
        int clipped = 0;
        for (int k = 0; k < 3; k++) {
            CHECK(clnscl_sim_grad(S0, P, &b, LOSSES[k], cases[c].form, 0.5, G, NULL) == CLNSCL_OK);
            memcpy(S1[k], S0, sizeof S0);
            for (long i = 0; i < b.na; i++)
                for (long j = 0; j < P; j++) {
                    double x = S0[i * P + j] - cases[c].eta * G[i * P + j];
                    clipped += x > 1.0 || x < -1.0;
                    S1[k][i * P + j] = i == j ? 1.0 : (x > 1.0 ? 1.0 : (x < -1.0 ? -1.0 : x));
                }
        }
        CHECK(clipped > 0 || c > 0);
        double g01 = 0.0, g02 = 0.0;
        for (long e = 0; e < P * P; e++) {
            g01 += (S1[0][e] - S1[1][e]) * (S1[0][e] - S1[1][e]);
            g02 += (S1[0][e] - S1[2][e]) * (S1[0][e] - S1[2][e]);
        }
        double cka;
        CHECK(clnscl_cka_gram(S1[0], S1[1], P, &cka) == CLNSCL_OK);
        clnscl_sim_row first = {0};
        for (long threads = 1; threads <= 3; threads++) {
            clnscl_sim_opts o;
            clnscl_sim_opts_default(&o);
            CHECK(clnscl_sim_opts_set(&o, "init", "file") == CLNSCL_OK);
            CHECK(clnscl_sim_opts_set(&o, "init-embeddings", epath) == CLNSCL_OK);
            CHECK(clnscl_sim_opts_set(&o, "init-labels", lpath) == CLNSCL_OK);
            o.batch = N;
            o.steps = 1;
            o.tau = 0.5;
            o.eta = cases[c].eta;
            o.anchors = cases[c].an;
            o.form = cases[c].form;
            o.threads = threads;
            rows_buf rb = {0};
            clnscl_sim_result res;
            CHECK_STATUS(clnscl_sim_run(&o, 0, collect, &rb, &res), CLNSCL_OK);
            CHECK(rb.n == 2 && rb.rows[1].step == 1);
            const clnscl_sim_row *row = &rb.rows[1];
            CHECK_CLOSE(row->gap_fro, sqrt(g01), 1e-12, 1e-14);
            CHECK_CLOSE(row->gap_fro_scl, sqrt(g02), 1e-12, 1e-14);
            CHECK_CLOSE(row->cka, cka, 1e-12, 0);
            if (threads == 1) first = *row;
            else CHECK(row->gap_fro == first.gap_fro && row->cka == first.cka && row->rsa == first.rsa &&
                       row->gap_fro_scl == first.gap_fro_scl && row->lemma7_lhs == first.lemma7_lhs);
        }
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

/* the one-pass metric routes used at logged steps agree with the single routes and with a naive
 * double centring / population σ */
static void test_compare_routes(void)
{
    const size_t n = 9;
    double S1[81], S2[81];
    clnscl_rng r;
    clnscl_rng_seed(&r, 21);
    for (size_t k = 0; k < n * n; k++) {
        S1[k] = 2 * clnscl_rng_uniform(&r) - 1;
        S2[k] = S1[k] + 0.3 * clnscl_rng_normal(&r);
    }
    double cka, rho, k1, rsa, rr, a1, x;
    CHECK_STATUS(clnscl_gram_compare(S1, S2, n, &cka, &rho, &k1), CLNSCL_OK);
    CHECK_STATUS(clnscl_rdm_compare(S1, S2, n, &rsa, &rr, &a1), CLNSCL_OK);
    clnscl_cka_gram(S1, S2, n, &x);
    CHECK(x == cka);
    clnscl_cka_rho(S1, S2, n, &x);
    CHECK(x == rho);
    clnscl_rsa_sim(S1, S2, n, &x);
    CHECK(x == rsa);
    clnscl_rsa_r(S1, S2, n, &x);
    CHECK(x == rr);
    double rm[9] = {0}, cm[9] = {0}, g = 0, kk = 0, ma = 0, sa = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            rm[i] += S1[i * n + j] / n;
            cm[j] += S1[i * n + j] / n;
            g += S1[i * n + j] / (n * n);
        }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double c = S1[i * n + j] - rm[i] - cm[j] + g;
            kk += c * c;
        }
    CHECK_CLOSE(k1, sqrt(kk), 1e-12, 0);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) ma += (1 - S1[i * n + j]) / 36.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) sa += (1 - S1[i * n + j] - ma) * (1 - S1[i * n + j] - ma);
    CHECK_CLOSE(a1, sqrt(sa), 1e-12, 0);
}

static void test_options(void)
{
    clnscl_sim_opts o;
    clnscl_sim_opts_default(&o);
    CHECK_STATUS(clnscl_sim_opts_check(&o), CLNSCL_OK);
    CHECK_STATUS(clnscl_sim_opts_set(&o, "tau", "abc"), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_sim_opts_set(&o, "form", "twice"), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_sim_opts_set(&o, "bogus", "1"), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_sim_opts_set(&o, "no-clip", NULL), CLNSCL_OK);
    CHECK(o.clip == 0);
    CHECK_STATUS(clnscl_sim_opts_set(&o, "scale", "sqrt"), CLNSCL_OK);
    CHECK(o.scale == CLNSCL_SCALE_SQRT);
    clnscl_sim_opts_default(&o);
    o.tau = 0;
    CHECK_STATUS(clnscl_sim_opts_check(&o), CLNSCL_EINVAL);
    clnscl_sim_opts_default(&o);
    o.batch = 1;
    CHECK_STATUS(clnscl_sim_opts_check(&o), CLNSCL_EINVAL);
    clnscl_sim_opts_default(&o);
    o.batch = 201;
    CHECK_STATUS(clnscl_sim_opts_check(&o), CLNSCL_EINVAL);
    clnscl_sim_opts_default(&o);
    o.classes = 1;
    CHECK_STATUS(clnscl_sim_opts_check(&o), CLNSCL_EINVAL);
    clnscl_sim_opts_default(&o);
    o.sampling = CLNSCL_SIM_SAMPLING_STRATIFIED;
    o.per_class = 2;
    o.classes = 10;
    o.batch = 20;
    CHECK_STATUS(clnscl_sim_opts_check(&o), CLNSCL_OK);
    o.batch = 21;
    CHECK_STATUS(clnscl_sim_opts_check(&o), CLNSCL_EINVAL);
    /* memory: estimate and refusal */
    clnscl_sim_opts_default(&o);
    /* three runs' Σ in four slots an entry + two point-order copies of 400 × 400 doubles, the
     * 400 × 16 embeddings, O(P) */
    CHECK_CLOSE(clnscl_sim_memory_bytes(&o), 6.0 * 400 * 400 * 8 + 400.0 * 16 * 8 + 64.0 * 400 * 8, 1e-12, 0);
    CHECK_STATUS(clnscl_sim_memory_check(&o), CLNSCL_OK);
    o.classes = 100000;
    o.per_class = 1000;
    CHECK_STATUS(clnscl_sim_memory_check(&o), CLNSCL_ENOMEM);
    CHECK(strstr(clnscl_last_error(), "GB") != NULL);
    clnscl_sim_opts_default(&o);
    o.max_memory_gb = 1e-4;
    CHECK_STATUS(clnscl_sim_memory_check(&o), CLNSCL_ENOMEM);
    CHECK_STATUS(clnscl_sim_execute(&o, NULL, NULL, NULL, NULL), CLNSCL_ENOMEM);
}

int main(void)
{
    clnscl_gsl_quiet();
    test_golden_losses();
    test_exp();
    test_finite_differences();
    test_gradient_properties();
    test_cl_equals_nscl();
    test_random_configs();
    test_trends();
    test_bounds_consistency();
    test_determinism();
    test_repeat_rates();
    test_repeat_and_outputs();
    test_file_init();
    test_step_against_formula();
    test_compare_routes();
    test_options();
    return check_report();
}
