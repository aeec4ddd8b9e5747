/* sim/sim.c — the surrogate similarity-descent run (THEORY.md §3.1, §3.3, §3.4) with the per-step
 * theorem checks of §4.3–4.7.
 *
 * One shared step (§3.4): draw B samples (same for every run), build V and A, compute G^CL, G^NSCL,
 * G^SCL from each run's own Σ (sim/tile.c, eight anchor rows at a time on a thread team), check
 * Lemma 7 (§4.3) on ‖G^CL − G^NSCL‖_F, update
 * Σ ← clip(Σ − η_t G, −1, 1) with Σ_aa = 1 (§3.3, optional symmetrisation), check the drift
 * recurrence (§4.4). D_t = ‖Σ^CL − Σ^NSCL‖_F is tracked incrementally over the touched V × V block
 * (O(B²) per step) and recomputed exactly at every logged step, where Theorem 1 (§4.5, with Δ_emp)
 * and Corollaries 1–2 (§4.6–4.7) are checked on the full matrices.
 */
#include "clnscl/sim.h"

#include "clnscl/alloc.h"
#include "clnscl/io.h"
#include "clnscl/metrics.h"
#include "clnscl/pool.h"
#include "clnscl/status.h"
#include "clnscl/hot.h"
#include "clnscl/lanes.h"
#include "tile.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* Σ matrices are large and accessed at random rows/columns: huge pages cut the TLB misses
 * of the batch gather/scatter. */
static double *alloc_matrix(size_t count)
{
    return clnscl_alloc_big(count * sizeof(double));
}

/* relative / absolute tolerance of every inequality check (rounding of the incremental D_t) */
#define CHECK_REL 1e-9
#define CHECK_ABS 1e-12

/* ---- reference set ---------------------------------------------------------------------- */

typedef struct {
    long N, P, C;          /* samples, points 2N, classes                         */
    int32_t *labels;       /* N                                                   */
    long *counts;          /* C                                                   */
    double *S0;            /* P × P                                               */
} refset;

static void refset_free(refset *r)
{
    free(r->labels);
    free(r->counts);
    free(r->S0);
    memset(r, 0, sizeof *r);
}

/* Σ_0 = U Uᵀ of row-normalised U (P × d); exact unit diagonal, entries clipped to [−1, 1]. */
static int cosine_matrix(double *U, long P, long d, double *S, const char *what)
{
    int st = clnscl_normalize_rows(U, (size_t)P, (size_t)d, what, U);
    if (st) return st;
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)P, (int)d, 1.0, U, (int)d, 0.0, S, (int)P);
    for (long a = 0; a < P; a++) {
        double *row = S + (size_t)a * (size_t)P;
        row[a] = 1.0;
        for (long b = a + 1; b < P; b++) {
            double x = row[b];
            x = x > 1.0 ? 1.0 : (x < -1.0 ? -1.0 : x);
            row[b] = x;
            S[(size_t)b * (size_t)P + (size_t)a] = x;
        }
    }
    return CLNSCL_OK;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int refset_build(const clnscl_sim_opts *o, clnscl_rng *rng, refset *r)
{
    memset(r, 0, sizeof *r);
    double *U = NULL;
    long d = 0;
    int st = CLNSCL_OK;
    if (o->init == CLNSCL_SIM_INIT_FILE) {
        clnscl_mat E = {0, 0, NULL};
        int32_t *lab = NULL;
        size_t nl = 0;
        if ((st = clnscl_npy_read(o->init_embeddings, &E))) return st;
        if ((st = clnscl_mat_check_finite(&E, o->init_embeddings))) goto file_fail;
        if (E.rows % 2 || E.rows < 6) {
            st = clnscl_fail(CLNSCL_ESHAPE, "%s: %zu rows; the point layout needs 2N rows (N >= 3 samples x 2 views)",
                             o->init_embeddings, E.rows);
            goto file_fail;
        }
        r->N = (long)(E.rows / 2);
        if ((st = clnscl_labels_read(o->init_labels, &lab, &nl))) goto file_fail;
        if (nl != (size_t)r->N && nl != 2 * (size_t)r->N) {
            st = clnscl_fail(CLNSCL_ESHAPE, "%s has %zu labels but %s has %zu rows (need N = %ld labels, or 2N)",
                             o->init_labels, nl, o->init_embeddings, E.rows, r->N);
            goto file_fail;
        }
        if (nl == 2 * (size_t)r->N)
            for (long s = 0; s < r->N; s++)
                if (lab[s] != lab[s + r->N]) {
                    st = clnscl_fail(CLNSCL_ESHAPE, "%s: the two views of sample %ld have different labels (%d, %d)",
                                     o->init_labels, s, (int)lab[s], (int)lab[s + r->N]);
                    goto file_fail;
                }
        /* dense relabelling 0..C−1 in increasing label order (sorted unique values) */
        int32_t *uniq = malloc((size_t)r->N * sizeof *uniq);
        r->labels = malloc((size_t)r->N * sizeof *r->labels);
        if (!uniq || !r->labels) {
            free(uniq);
            st = clnscl_fail(CLNSCL_ENOMEM, "out of memory reading labels");
            goto file_fail;
        }
        memcpy(uniq, lab, (size_t)r->N * sizeof *uniq);
        qsort(uniq, (size_t)r->N, sizeof *uniq, cmp_i32);
        long C = 0;
        for (long s = 0; s < r->N; s++)
            if (!C || uniq[s] != uniq[C - 1]) uniq[C++] = uniq[s];
        for (long s = 0; s < r->N; s++) {
            const int32_t *hit = bsearch(&lab[s], uniq, (size_t)C, sizeof *uniq, cmp_i32);
            r->labels[s] = (int32_t)(hit - uniq);
        }
        free(uniq);
        r->C = C;
        if (C < 2) {
            st = clnscl_fail(CLNSCL_EINVAL, "%s: all samples have the same label (need >= 2 classes)", o->init_labels);
            goto file_fail;
        }
        if (o->batch > r->N) {
            st = clnscl_fail(CLNSCL_EINVAL, "--batch %ld exceeds the %ld samples of %s", o->batch, r->N,
                             o->init_embeddings);
            goto file_fail;
        }
        free(lab);
        lab = NULL;
        U = E.data;
        E.data = NULL;
        d = (long)E.cols;
    file_fail:
        free(lab);
        clnscl_mat_free(&E);
        if (st) {
            free(U);
            refset_free(r);
            return st;
        }
    } else {
        r->N = o->classes * o->per_class;
        r->C = o->classes;
        d = o->dim;
        r->labels = malloc((size_t)r->N * sizeof *r->labels);
        U = malloc((size_t)(2 * r->N) * (size_t)d * sizeof *U);
        if (!r->labels || !U) {
            free(U);
            refset_free(r);
            return clnscl_fail(CLNSCL_ENOMEM, "out of memory building the reference set");
        }
        for (long s = 0; s < r->N; s++) r->labels[s] = (int32_t)(s / o->per_class);
        if (o->init == CLNSCL_SIM_INIT_RANDOM) {
            /* §3.7: cosines of independent random unit vectors in R^d (normalised below) */
            for (size_t k = 0; k < (size_t)(2 * r->N) * (size_t)d; k++) U[k] = clnscl_rng_normal(rng);
        } else {
            /* class means + sample noise + view noise, each N(0, σ² I/d) (mean norm ≈ 1) */
            double *mu = malloc((size_t)r->C * (size_t)d * sizeof *mu), *xi = malloc((size_t)d * sizeof *xi);
            if (!mu || !xi) {
                free(mu);
                free(xi);
                free(U);
                refset_free(r);
                return clnscl_fail(CLNSCL_ENOMEM, "out of memory building the mixture");
            }
            double sd = 1.0 / sqrt((double)d);
            for (size_t k = 0; k < (size_t)r->C * (size_t)d; k++) mu[k] = sd * clnscl_rng_normal(rng);
            for (long s = 0; s < r->N; s++) {
                const double *m = mu + (size_t)r->labels[s] * (size_t)d;
                for (long k = 0; k < d; k++) xi[k] = m[k] + o->mix_sample * sd * clnscl_rng_normal(rng);
                for (int v = 0; v < 2; v++) {
                    double *u = U + (size_t)(s + v * r->N) * (size_t)d;
                    for (long k = 0; k < d; k++) u[k] = xi[k] + o->mix_view * sd * clnscl_rng_normal(rng);
                }
            }
            free(mu);
            free(xi);
        }
    }
    r->P = 2 * r->N;
    r->counts = calloc((size_t)r->C, sizeof *r->counts);
    r->S0 = alloc_matrix((size_t)r->P * (size_t)r->P);
    if (!r->counts || !r->S0) {
        free(U);
        refset_free(r);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory: Σ_0 of %ld x %ld doubles", r->P, r->P);
    }
    for (long s = 0; s < r->N; s++) r->counts[r->labels[s]]++;
    st = cosine_matrix(U, r->P, d, r->S0, o->init == CLNSCL_SIM_INIT_FILE ? o->init_embeddings : "initial vectors");
    free(U);
    if (st) refset_free(r);
    return st;
}

/* ---- shared batch sequence -------------------------------------------------------------- */

typedef struct {
    clnscl_sim_sampling mode;
    long N, C, B;
    size_t *perm;      /* uniform: N; stratified: samples grouped by class */
    long *start;       /* stratified: C + 1 offsets into perm              */
    size_t *cls;       /* stratified: class order scratch (C)              */
} sampler;

static void sampler_free(sampler *s)
{
    free(s->perm);
    free(s->start);
    free(s->cls);
}

static int sampler_init(sampler *s, const clnscl_sim_opts *o, const refset *r)
{
    memset(s, 0, sizeof *s);
    s->mode = o->sampling;
    s->N = r->N;
    s->C = r->C;
    s->B = o->batch;
    s->perm = malloc((size_t)r->N * sizeof *s->perm);
    s->start = calloc((size_t)r->C + 1, sizeof *s->start);
    s->cls = malloc((size_t)r->C * sizeof *s->cls);
    if (!s->perm || !s->start || !s->cls) {
        sampler_free(s);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory (sampler)");
    }
    for (long c = 0; c < r->C; c++) s->start[c + 1] = s->start[c] + r->counts[c];
    long *fill = calloc((size_t)r->C, sizeof *fill);
    if (!fill) {
        sampler_free(s);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory (sampler)");
    }
    for (long i = 0; i < r->N; i++) {
        if (s->mode == CLNSCL_SIM_SAMPLING_UNIFORM) s->perm[i] = (size_t)i;
        else s->perm[s->start[r->labels[i]] + fill[r->labels[i]]++] = (size_t)i;
    }
    free(fill);
    for (long c = 0; c < r->C; c++) s->cls[c] = (size_t)c;
    if (s->mode == CLNSCL_SIM_SAMPLING_STRATIFIED) {
        long q = s->B / s->C, need = q + (s->B % s->C ? 1 : 0);
        for (long c = 0; c < r->C; c++)
            if (r->counts[c] < need)
                return sampler_free(s), clnscl_fail(CLNSCL_EINVAL,
                                                     "stratified batches of %ld need %ld samples of every class; "
                                                     "class %ld has %ld", s->B, need, c, r->counts[c]);
    }
    return CLNSCL_OK;
}

/* partial Fisher–Yates: the first k entries of a[0..n) become a uniform random k-subset */
static void partial_shuffle(clnscl_rng *rng, size_t *a, size_t n, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        size_t j = i + (size_t)clnscl_rng_below(rng, n - i);
        size_t t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* ascending order (memory locality of the batch's rows and columns); insertion sort for the
 * usual small batches */
static void sort_samples(long *a, long n)
{
    if (n > 64) {
        qsort(a, (size_t)n, sizeof *a, cmp_long);
        return;
    }
    for (long i = 1; i < n; i++) {
        long x = a[i], j = i;
        for (; j > 0 && a[j - 1] > x; j--) a[j] = a[j - 1];
        a[j] = x;
    }
}

/* B distinct samples: uniform without replacement, or stratified (⌊B/C⌋ from every class plus one
 * more from B mod C distinct random classes, each class without replacement). */
static void sampler_draw(sampler *s, clnscl_rng *rng, long *out)
{
    if (s->mode == CLNSCL_SIM_SAMPLING_UNIFORM) {
        partial_shuffle(rng, s->perm, (size_t)s->N, (size_t)s->B);
        for (long j = 0; j < s->B; j++) out[j] = (long)s->perm[j];
        sort_samples(out, s->B);
        return;
    }
    long q = s->B / s->C, extra = s->B % s->C, k = 0;
    partial_shuffle(rng, s->cls, (size_t)s->C, (size_t)extra);
    for (long ci = 0; ci < s->C; ci++) {
        long c = (long)s->cls[ci], take = q + (ci < extra ? 1 : 0);
        if (!take) continue;
        size_t *a = s->perm + s->start[c];
        partial_shuffle(rng, a, (size_t)(s->start[c + 1] - s->start[c]), (size_t)take);
        for (long j = 0; j < take; j++) out[k++] = (long)a[j];
    }
    sort_samples(out, s->B);
}

/* ---- helpers ------------------------------------------------------------------------------ */

static double fro_diff(const double *X, const double *Y, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *x = X + i * n, *y = Y + i * n;
        double rs = 0.0;
        for (size_t j = 0; j < n; j++) {
            double d = x[j] - y[j];
            rs += d * d;
        }
        s += rs;
    }
    return sqrt(s);
}

/* Σ (X − Y)² over two gathered nv × nv blocks */
static double block_d2(const double *X, const double *Y, size_t nn)
{
    double s = 0.0;
    for (size_t k = 0; k < nn; k++) {
        double d = X[k] - Y[k];
        s += d * d;
    }
    return s;
}

/* X = Σ_k[V][V] (nv × nv) from the interleaved storage and back: the symmetrised step works on a
 * contiguous copy of the batch block */
static void block_gather(const double *Sx, size_t P, int R, int k, const long *v, long nv, double *X)
{
    for (long i = 0; i < nv; i++) {
        const double *row = Sx + (size_t)v[i] * P * (size_t)R + (size_t)k;
        double *x = X + (size_t)i * (size_t)nv;
        for (long j = 0; j < nv; j++) x[j] = row[(size_t)v[j] * (size_t)R];
    }
}

static void block_scatter(double *Sx, size_t P, int R, int k, const long *v, long nv, const double *X)
{
    for (long i = 0; i < nv; i++) {
        double *row = Sx + (size_t)v[i] * P * (size_t)R + (size_t)k;
        const double *x = X + (size_t)i * (size_t)nv;
        for (long j = 0; j < nv; j++) row[(size_t)v[j] * (size_t)R] = x[j];
    }
}

/* §3.3 on a gathered block X (nv × nv, positions as in the batch): X[i][j] −= η G[i][j] on the
 * anchor rows, then clip to [−1,1], diagonal fixed at 1, then X ← (X+Xᵀ)/2 (the V × V block holds
 * every entry that can have become asymmetric). */
static void apply_update_symmetrized(double *X, long nv, long na, const double *G, double eta, int clip)
{
    for (long i = 0; i < na; i++) {
        double *row = X + (size_t)i * (size_t)nv;
        const double *g = G + (size_t)i * (size_t)nv;
        for (long j = 0; j < nv; j++) {
            double x = row[j] - eta * g[j];
            if (clip) x = x > 1.0 ? 1.0 : (x < -1.0 ? -1.0 : x);
            row[j] = x;
        }
        row[i] = 1.0;
    }
    for (long i = 0; i < nv; i++)
        for (long j = i + 1; j < nv; j++) {
            double *p = X + (size_t)i * (size_t)nv + (size_t)j, *q = X + (size_t)j * (size_t)nv + (size_t)i;
            double m = 0.5 * (*p + *q);
            *p = *q = m;
        }
}

static int holds(double lhs, double bound)
{
    return !(lhs > bound + CHECK_REL * fabs(bound) + CHECK_ABS);
}

/* 1 − lhs/bound in [.., 1]; 1 when the bound is infinite or both are 0 */
static double rel_slack(double lhs, double bound)
{
    if (!isfinite(bound)) return 1.0;
    if (bound <= 0.0) return lhs <= 0.0 ? 1.0 : -INFINITY;
    return 1.0 - lhs / bound;
}

static void note_violation(clnscl_sim_result *res, long *counter, const char *fmt, double a, double b, long step)
{
    (*counter)++;
    res->violations++;
    if (!res->violation_msg[0])
        snprintf(res->violation_msg, sizeof res->violation_msg, fmt, step, a, b);
}

/* clnscl_bounds value as a double for comparisons (+inf when not representable) */
static double bound_value(const clnscl_bound *b)
{
    return b->finite ? b->value : (b->log10 == -INFINITY ? 0.0 : INFINITY);
}

/* ---- storage ------------------------------------------------------------------------------ */

/* The runs' Σ live in one array, entry (a, c) of run k at Sx[(q(a)·P + q(c))·R + k] with R slots
 * an entry (clnscl_sim_slots: three runs take four, the last a copy) and the points in sample-major
 * order, q(s) = 2s and q(s + N) = 2s + 1 for sample s: a step reads and writes the same entries of
 * every run, which then share cache lines, the two views of a batch sample are neighbouring
 * columns (one 64-byte line holds both of a row at R = 4), and the tile gather moves an entry as
 * one vector. Σ of one run in plain row-major point order, for the full-matrix checks, is copied
 * out at logged steps. (At B = 32 of 200 samples the step is bound by the lines it touches.) */

/* storage index of point p of 2N */
static inline long slot_of(long p, long N) { return p < N ? 2 * p : 2 * (p - N) + 1; }

/* T ← Σ of run k (point order) */
static void sigma_of_run(const double *Sx, long P, int R, int k, double *T)
{
    const long N = P / 2;
    for (long a = 0; a < P; a++) {
        const double *row = Sx + (size_t)slot_of(a, N) * (size_t)P * (size_t)R + (size_t)k;
        double *t = T + (size_t)a * (size_t)P;
        for (long s = 0; s < N; s++) { /* q(s) = 2s, q(s + N) = 2s + 1 */
            t[s] = row[(size_t)(2 * s) * (size_t)R];
            t[s + N] = row[(size_t)(2 * s + 1) * (size_t)R];
        }
    }
}

/* every slot of every entry ← S0 (point order) */
static void sigma_store_all(double *Sx, long P, int R, const double *S0)
{
    const long N = P / 2;
    for (long a = 0; a < P; a++) {
        double *row = Sx + (size_t)slot_of(a, N) * (size_t)P * (size_t)R;
        const double *s0 = S0 + (size_t)a * (size_t)P;
        for (long c = 0; c < P; c++)
            for (int k = 0; k < R; k++) row[(size_t)slot_of(c, N) * (size_t)R + (size_t)k] = s0[c];
    }
}

/* ---- one run ------------------------------------------------------------------------------ */

/* one step's batch, drawn ahead (draw_batch) */
typedef struct {
    clnscl_sim_batch b;    /* point indices and labels           */
    long *bq;              /* the points' storage indices         */
    long long *yl;         /* the labels as the tile masks read them (int32 → int64 once a step) */
    long *samples;         /* the B sample ids                    */
    double f;              /* its maximum same-class fraction (§4.2) */
} batch_buf;

typedef struct {
    const clnscl_sim_opts *o;
    const refset *ref;
    clnscl_schedule sched;
    long P, na;
    int runs;              /* CL, NSCL (, SCL)                   */
    int R;                 /* slots an entry of Sx (clnscl_sim_slots) */
    double *Sx;            /* their Σ, interleaved (sigma_of_run) */
    double *T[2];          /* two Σ in point order (logged steps) */
    batch_buf bufs[2];     /* this step's batch and the next one's  */
    int cur;               /* which of them is this step's          */
    sampler *smp;          /* the batch sampler and its stream      */
    clnscl_rng *rng_batch;
    int draw_next;         /* the step's team also draws the next batch */
    double D2;             /* ‖Σ^CL − Σ^NSCL‖²_F (incremental)   */
    double S_eta, S_comp;  /* Σ η (Neumaier)                     */
    double log_W;          /* ln Σ_t η_t Π_{s>t} (1 + η_s/(2τ²|A|)) */
    double f_max, f_batch, eta_last, lemma7_lhs;
    double lemma7_slack, rec_slack;
    /* the tiled step (step_tiles): a thread team, per-thread tile scratch, per-tile results */
    clnscl_pool *pool;
    int nthreads;
    double *scratch;       /* per thread: 3 runs × {x, e} tiles of nv·8, column masks */
    size_t scratch_per_thread; /* doubles */
    double *part;          /* per tile: the lanes of ‖ΔG‖², ‖ΔΣ‖² before, after */
    int *tile_st;          /* per tile: status                         */
    char (*tile_err)[256]; /* per tile: the failure's message          */
    double eta;            /* this step's step size                    */
    /* the symmetrised step: the batch block of every run */
    double *G[3];          /* na × nv                            */
    double *X[3];          /* gathered nv × nv batch blocks      */
    clnscl_sim_batch lb;   /* the same batch on the block (v = 0..nv−1) */
} run_state;

/* The non-symmetrised step (§3.3), one tile of eight anchor rows at a time (sim/tile.h): row v_i
 * of every run only feeds anchor i's gradient and only it changes, so each tile is gathered once,
 * its gradients formed, Lemma 7's ‖G^CL − G^NSCL‖² and the rows' ‖Σ^CL − Σ^NSCL‖² before and
 * after the update accumulated, the rows updated (clip; G[i][i] = 0 keeps the unit diagonal) and
 * scattered back. Rows of non-anchor points (anchors = samples) do not move and would add the same
 * to "before" and "after", so they are left out of both. The sums run per lane over the columns,
 * tile after tile: one order whatever the CPU. */
/* a tile's x and e scratch for all runs up to this size is gathered in one pass (L1d: 32–48 KiB) */
#define SMALL_TILE_BYTES (32 * 1024)

/* one tile of anchors (a clnscl_pool task): gather, gradients, update with the Lemma 7 and D_t
 * sums, scatter; its partial sums go to rs->part[tile] */
CLNSCL_HOT static void step_tile(void *ctx, long tile, int thread)
{
    enum { W = CLNSCL_SIM_TILE };
    static const clnscl_sim_loss losses[3] = {CLNSCL_SIM_CL, CLNSCL_SIM_NSCL, CLNSCL_SIM_SCL};
    run_state *rs = ctx;
    const batch_buf *bt = &rs->bufs[rs->cur];
    const clnscl_sim_batch *b = &bt->b;
    const long nv = b->nv, i0 = tile * W, nruns = rs->runs;
    const size_t P = (size_t)rs->P, tsz = (size_t)nv * W;
    double *X[3] = {NULL, NULL, NULL}, *E[3] = {NULL, NULL, NULL};
    double *scr = rs->scratch + (size_t)thread * rs->scratch_per_thread;
    for (int k = 0; k < nruns; k++) {
        X[k] = scr + (size_t)k * 2 * tsz;
        E[k] = X[k] + tsz;
    }
    clnscl_sim_tile_cols tc = {.yl = bt->yl, .special = (unsigned char *)(scr + 6 * tsz)};
    clnscl_sim_tile_cols_fill(b, i0, &tc);
    /* small tiles: every run's at once (they share cache lines); large ones run by run, so that a
     * run's tile and exponentials stay in L1 while they are used */
    const int together = tsz * sizeof(double) * 2 * (size_t)nruns <= SMALL_TILE_BYTES;
    if (together) clnscl_sim_tile_gather(rs->Sx, P, rs->R, 0, nruns, bt->bq, b, i0, X);
    clnscl_v8 f[3], w[3];
    for (int k = 0; k < nruns; k++) {
        if (!together) clnscl_sim_tile_gather(rs->Sx, P, rs->R, k, 1, bt->bq, b, i0, X + k);
        int st = clnscl_sim_tile_softmax(X[k], b, i0, &tc, losses[k], rs->o->form, rs->o->tau, E[k], &f[k], NULL);
        if (st) { /* the message is on this thread: keep it with the tile */
            rs->tile_st[tile] = st;
            snprintf(rs->tile_err[tile], sizeof rs->tile_err[tile], "%s", clnscl_last_error());
            return;
        }
        w[k] = clnscl_sim_tile_w(b, &tc, losses[k] == CLNSCL_SIM_SCL, rs->o->tau);
    }
    /* G = e·f − w column by column (sim/tile.h), then the update */
    const clnscl_v8 zero = clnscl_v8_splat(0.0), vmeta = clnscl_v8_splat(-rs->eta);
    const int clip = rs->o->clip;
    const clnscl_v8 hi = clnscl_v8_splat(clip ? 1.0 : INFINITY), lo = clnscl_v8_splat(clip ? -1.0 : -INFINITY);
    double *x0 = X[0], *x1 = X[1];
    const double *e0 = E[0], *e1 = E[1];
    /* even and odd columns in separate accumulators (nv = 2B is even) */
    clnscl_v8 t2[2] = {zero, zero}, t0[2] = {zero, zero}, t1[2] = {zero, zero};
    for (long j = 0; j < nv; j += 2)
        for (long h = 0; h < 2; h++) {
            const size_t q = (size_t)(j + h) * W;
            const clnscl_v8 a0 = clnscl_v8_load(x0 + q), a1 = clnscl_v8_load(x1 + q);
            const clnscl_v8 h0 = clnscl_sim_tile_g(&tc, 0, j + h, clnscl_v8_load(e0 + q), f[0], w[0]);
            const clnscl_v8 h1 = clnscl_sim_tile_g(&tc, 0, j + h, clnscl_v8_load(e1 + q), f[1], w[1]);
            const clnscl_v8 dg = h0 - h1, db = a0 - a1;
            t2[h] += dg * dg;
            t0[h] += db * db;
            const clnscl_v8 c0 = clnscl_v8_clamp(a0 + vmeta * h0, lo, hi), c1 = clnscl_v8_clamp(a1 + vmeta * h1, lo, hi);
            const clnscl_v8 da = c0 - c1;
            t1[h] += da * da;
            clnscl_v8_store(x0 + q, c0);
            clnscl_v8_store(x1 + q, c1);
        }
    for (int k = 2; k < nruns; k++)
        for (long j = 0; j < nv; j++) {
            const size_t q = (size_t)j * W;
            const clnscl_v8 g = clnscl_sim_tile_g(&tc, 1, j, clnscl_v8_load(E[k] + q), f[k], w[k]);
            clnscl_v8_store(X[k] + q, clnscl_v8_clamp(clnscl_v8_load(X[k] + q) + vmeta * g, lo, hi));
        }
    clnscl_sim_tile_scatter(rs->Sx, P, rs->R, (int)nruns, bt->bq, b, i0, X);
    /* padding lanes (past the last anchor) repeat a real row: not counted */
    const long nl = clnscl_sim_tile_lanes(b, i0);
    clnscl_v8 s2 = t2[0] + t2[1], s0 = t0[0] + t0[1], s1 = t1[0] + t1[1];
    for (long l = nl; l < W; l++) s2[l] = s0[l] = s1[l] = 0.0;
    double *out = rs->part + (size_t)tile * 3 * W;
    clnscl_v8_store(out, s2);
    clnscl_v8_store(out + W, s0);
    clnscl_v8_store(out + 2 * W, s1);
    rs->tile_st[tile] = CLNSCL_OK;
}

/* the next step's batch into the buffer not in use: B samples from the batch stream, their
 * points, storage indices, labels and same-class fraction */
static void draw_batch(run_state *rs, batch_buf *bb)
{
    const clnscl_sim_opts *o = rs->o;
    sampler_draw(rs->smp, rs->rng_batch, bb->samples);
    clnscl_sim_batch_fill(&bb->b, bb->samples, o->batch, rs->ref->N, rs->ref->labels, o->anchors);
    for (long j = 0; j < bb->b.nv; j++) {
        bb->bq[j] = slot_of(bb->b.v[j], rs->ref->N);
        bb->yl[j] = bb->b.y[j];
    }
    bb->f = clnscl_sim_same_class_fraction(&bb->b, o->form);
}

/* the step's tasks: its tiles, then (with draw_next) drawing the next batch, which only reads and
 * writes the other buffer and the batch stream: the stream's draws keep their order whichever
 * thread runs it, and the tail of a step's work balances on it */
static void step_task(void *ctx, long task, int thread)
{
    run_state *rs = ctx;
    if (task * CLNSCL_SIM_TILE >= rs->bufs[rs->cur].b.na) draw_batch(rs, &rs->bufs[rs->cur ^ 1]);
    else step_tile(ctx, task, thread);
}

/* All tiles on the thread team, then their sums combined in tile order (so the result does not
 * depend on the number of threads); the first failing tile's message. */
static int step_tiles(run_state *rs, double eta, double *lhs2, double *before, double *after)
{
    enum { W = CLNSCL_SIM_TILE };
    const long ntiles = (rs->bufs[rs->cur].b.na + W - 1) / W;
    rs->eta = eta;
    clnscl_pool_run(rs->pool, ntiles + (rs->draw_next ? 1 : 0), step_task, rs);
    clnscl_v8 l2 = clnscl_v8_splat(0.0), d0 = l2, d1 = l2;
    for (long t = 0; t < ntiles; t++) {
        if (rs->tile_st[t]) return clnscl_fail(rs->tile_st[t], "%s", rs->tile_err[t]);
        const double *p = rs->part + (size_t)t * 3 * W;
        l2 += clnscl_v8_load(p);
        d0 += clnscl_v8_load(p + W);
        d1 += clnscl_v8_load(p + 2 * W);
    }
    *lhs2 = clnscl_v8_sum(l2);
    *before = clnscl_v8_sum(d0);
    *after = clnscl_v8_sum(d1);
    return CLNSCL_OK;
}

/* The symmetrised step (§3.3 with Σ ← (Σ+Σᵀ)/2): on the whole gathered V × V block of each run,
 * since the symmetrisation mixes anchor and non-anchor rows; the same sums as step_tiles. */
static int step_block(run_state *rs, double eta, double *lhs2, double *before, double *after)
{
    static const clnscl_sim_loss losses[3] = {CLNSCL_SIM_CL, CLNSCL_SIM_NSCL, CLNSCL_SIM_SCL};
    const clnscl_sim_opts *o = rs->o;
    const batch_buf *bt = &rs->bufs[rs->cur];
    const long nv = bt->b.nv, na = bt->b.na;
    rs->lb.B = bt->b.B;
    rs->lb.nv = nv;
    rs->lb.na = na;
    rs->lb.y = bt->b.y;
    for (long j = 0; j < nv; j++) rs->lb.v[j] = j;
    for (int k = 0; k < rs->runs; k++) {
        block_gather(rs->Sx, (size_t)rs->P, rs->R, k, bt->bq, nv, rs->X[k]);
        int st = clnscl_sim_grad(rs->X[k], (size_t)nv, &rs->lb, losses[k], o->form, o->tau, rs->G[k], NULL);
        if (st) return st;
    }
    double l2 = 0.0;
    for (size_t k = 0; k < (size_t)na * (size_t)nv; k++) {
        double d = rs->G[0][k] - rs->G[1][k];
        l2 += d * d;
    }
    *lhs2 = l2;
    *before = block_d2(rs->X[0], rs->X[1], (size_t)nv * (size_t)nv);
    for (int k = 0; k < rs->runs; k++) apply_update_symmetrized(rs->X[k], nv, na, rs->G[k], eta, o->clip);
    *after = block_d2(rs->X[0], rs->X[1], (size_t)nv * (size_t)nv);
    for (int k = 0; k < rs->runs; k++) block_scatter(rs->Sx, (size_t)rs->P, rs->R, k, bt->bq, nv, rs->X[k]);
    return CLNSCL_OK;
}

/* ln(e^x + e^y) */
static double log_add(double x, double y)
{
    if (x == -INFINITY) return y;
    if (y == -INFINITY) return x;
    double m = x > y ? x : y;
    return m + log1p(exp(-fabs(x - y)));
}

static int make_row_(run_state *rs, long repeat, long step, clnscl_sim_result *res, clnscl_sim_row *row)
{
    const clnscl_sim_opts *o = rs->o;
    const size_t n = (size_t)rs->P;
    int st;
    memset(row, 0, sizeof *row);
    row->repeat = repeat;
    row->step = step;
    row->eta = rs->eta_last;
    row->eta_sum = rs->S_eta + rs->S_comp;
    row->f_batch = rs->f_batch;
    row->f_max = rs->f_max;
    double log_delta;
    if ((st = clnscl_bounds_log_delta(rs->f_max, o->tau, &log_delta))) return st;
    row->log10_delta_emp = log_delta / M_LN10;
    double *S0 = rs->T[0], *S1 = rs->T[1];
    sigma_of_run(rs->Sx, rs->P, rs->R, 0, S0);
    sigma_of_run(rs->Sx, rs->P, rs->R, 1, S1);
    double gap = fro_diff(S0, S1, n);
    rs->D2 = gap * gap; /* exact resynchronisation of the incremental D_t */
    row->gap_fro = gap;
    /* §4.4 unrolled with Δ_emp: D_t ≤ Δ_emp/(τ√|A|) · W_t */
    double ln_rec = log_delta - log(o->tau) - 0.5 * log((double)rs->na) + rs->log_W;
    if (isnan(ln_rec)) ln_rec = -INFINITY;
    if ((st = clnscl_bounds_from_log(ln_rec, &row->bound_recurrence))) return st;
    if ((st = clnscl_bounds_theorem1(log_delta, o->tau, rs->na, row->eta_sum, &row->bound_theorem1))) return st;
    if (!holds(gap, bound_value(&row->bound_recurrence)))
        note_violation(res, &res->viol_theorem1, "step %ld: gap %.6g exceeds the unrolled recurrence bound %.6g", gap,
                       bound_value(&row->bound_recurrence), step);
    if (!holds(gap, bound_value(&row->bound_theorem1)))
        note_violation(res, &res->viol_theorem1, "step %ld: gap %.6g exceeds the Theorem 1 bound %.6g", gap,
                       bound_value(&row->bound_theorem1), step);
    /* Corollary 1 (§4.6) and 2 (§4.7): measured ρ, r, then ρ, r bounded through Theorem 1 */
    clnscl_bound lb, q;
    double k1, a1;
    const double M = (double)n * (double)(n - 1) / 2.0;
    if ((st = clnscl_gram_compare(S0, S1, n, &row->cka, &row->rho, &k1))) return st;
    if ((st = clnscl_bounds_cka_lower(row->rho, &lb))) return st;
    row->cka_lower = lb.value;
    if ((st = clnscl_bounds_corollary1(&row->bound_theorem1, k1, &q, &lb))) return st;
    row->cka_lower_thm1 = lb.value;
    if (!holds(row->rho, bound_value(&q)))
        note_violation(res, &res->viol_cor1, "step %ld: rho %.6g exceeds its Theorem-1 bound %.6g", row->rho,
                       bound_value(&q), step);
    /* the Corollaries are stated for ρ < 1 and r < 1 (THEORY.md §7 item 6): beyond, the lower
     * bound is negative and not valid in general (L = −εK), so it is reported but not checked
     * (only --no-clip runs get there) */
    if (row->rho < 1.0 && !holds(row->cka_lower, row->cka))
        note_violation(res, &res->viol_cor1, "step %ld: CKA lower bound %.6g exceeds CKA %.6g", row->cka_lower, row->cka,
                       step);
    if ((st = clnscl_rdm_compare(S0, S1, n, &row->rsa, &row->r, &a1))) return st;
    if ((st = clnscl_bounds_rsa_lower(row->r, &lb))) return st;
    row->rsa_lower = lb.value;
    if ((st = clnscl_bounds_corollary2(&row->bound_theorem1, a1 / sqrt(M), M, &q, &lb))) return st;
    row->rsa_lower_thm1 = lb.value;
    if (!holds(row->r, bound_value(&q)))
        note_violation(res, &res->viol_cor2, "step %ld: r %.6g exceeds its Theorem-1 bound %.6g", row->r, bound_value(&q),
                       step);
    if (row->r < 1.0 && !holds(row->rsa_lower, row->rsa))
        note_violation(res, &res->viol_cor2, "step %ld: RSA lower bound %.6g exceeds RSA %.6g", row->rsa_lower, row->rsa,
                       step);
    if (o->scl) {
        double rho, r;
        row->has_scl = 1;
        sigma_of_run(rs->Sx, rs->P, rs->R, 2, S1);
        row->gap_fro_scl = fro_diff(S0, S1, n);
        if ((st = clnscl_gram_compare(S0, S1, n, &row->cka_scl, &rho, &k1))) return st;
        if ((st = clnscl_bounds_cka_lower(rho, &lb))) return st;
        row->cka_lower_scl = lb.value;
        if (rho < 1.0 && !holds(row->cka_lower_scl, row->cka_scl))
            note_violation(res, &res->viol_cor1, "step %ld: CKA(CL,SCL) lower bound %.6g exceeds CKA %.6g",
                           row->cka_lower_scl, row->cka_scl, step);
        if ((st = clnscl_rdm_compare(S0, S1, n, &row->rsa_scl, &r, &a1))) return st;
        if ((st = clnscl_bounds_rsa_lower(r, &lb))) return st;
        row->rsa_lower_scl = lb.value;
        if (r < 1.0 && !holds(row->rsa_lower_scl, row->rsa_scl))
            note_violation(res, &res->viol_cor2, "step %ld: RSA(CL,SCL) lower bound %.6g exceeds RSA %.6g",
                           row->rsa_lower_scl, row->rsa_scl, step);
    }
    row->lemma7_lhs = rs->lemma7_lhs;
    row->lemma7_slack = rs->lemma7_slack;
    row->recurrence_slack = rs->rec_slack;
    row->violations = res->violations;
    rs->lemma7_slack = rs->rec_slack = 1.0;
    return CLNSCL_OK;
}

/* make_row_ with the step in the error message (e.g. a constant Σ_0 has no CKA) */
static int make_row(run_state *rs, long repeat, long step, clnscl_sim_result *res, clnscl_sim_row *row)
{
    int st = make_row_(rs, repeat, step, res, row);
    if (st) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", clnscl_last_error());
        clnscl_fail(st, "step %ld: %s", step, msg);
    }
    return st;
}

static void run_free(run_state *rs)
{
    for (int k = 0; k < 3; k++) {
        free(rs->G[k]);
        free(rs->X[k]);
    }
    free(rs->Sx);
    free(rs->T[0]);
    free(rs->T[1]);
    free(rs->lb.v);
    for (int k = 0; k < 2; k++) {
        free(rs->bufs[k].b.v);
        free(rs->bufs[k].b.y);
        free(rs->bufs[k].bq);
        free(rs->bufs[k].yl);
        free(rs->bufs[k].samples);
    }
    clnscl_pool_free(rs->pool);
    free(rs->scratch);
    free(rs->part);
    free(rs->tile_st);
    free(rs->tile_err);
}

/* one run (clnscl_sim_run) with OpenBLAS on one thread; blas_threads: its count outside */
static int sim_run(const clnscl_sim_opts *o, long repeat_index, clnscl_sim_row_fn row_fn, void *ctx,
                   clnscl_sim_result *res, int blas_threads)
{
    int st = clnscl_sim_opts_check(o);
    if (st) return st;
    memset(res, 0, sizeof *res);
    clnscl_rng root, rng_init, rng_batch;
    clnscl_rng_seed(&root, o->seed + (uint64_t)repeat_index);
    rng_init = clnscl_rng_split(&root);
    rng_batch = clnscl_rng_split(&root);

    refset ref;
    if ((st = refset_build(o, &rng_init, &ref))) return st;
    sampler smp;
    if ((st = sampler_init(&smp, o, &ref))) {
        refset_free(&ref);
        return st;
    }
    run_state rs;
    memset(&rs, 0, sizeof rs);
    rs.o = o;
    rs.ref = &ref;
    rs.smp = &smp;
    rs.rng_batch = &rng_batch;
    rs.P = ref.P;
    rs.na = o->anchors == CLNSCL_SIM_ANCHORS_VIEWS ? 2 * o->batch : o->batch;
    clnscl_sim_opts_schedule(o, ref.N, &rs.sched);
    if ((st = clnscl_schedule_check(&rs.sched))) goto done;
    const int nruns = o->scl ? 3 : 2;
    const size_t PP = (size_t)ref.P * (size_t)ref.P, nv = 2 * (size_t)o->batch;
    rs.runs = nruns;
    rs.R = clnscl_sim_slots(nruns);
    rs.Sx = alloc_matrix(PP * (size_t)rs.R);
    rs.T[0] = ref.S0; /* the first point-order buffer takes Σ_0's storage */
    ref.S0 = NULL;
    rs.T[1] = alloc_matrix(PP);
    if (!rs.Sx || !rs.T[1]) {
        st = clnscl_fail(CLNSCL_ENOMEM, "out of memory: %d matrices of %ld x %ld doubles", rs.R + 2, ref.P, ref.P);
        goto done;
    }
    sigma_store_all(rs.Sx, ref.P, rs.R, rs.T[0]); /* shared initialisation Σ_0 */
    for (int k = 0; k < nruns; k++) {
        rs.G[k] = malloc((size_t)rs.na * nv * sizeof(double)); /* the symmetrised step's batch block */
        rs.X[k] = malloc(nv * nv * sizeof(double));
        if (!rs.G[k] || !rs.X[k]) {
            st = clnscl_fail(CLNSCL_ENOMEM, "out of memory (batch blocks)");
            goto done;
        }
    }
    {
        const size_t ntiles = ((size_t)rs.na + CLNSCL_SIM_TILE - 1) / CLNSCL_SIM_TILE;
        /* at most a thread per tile and per online CPU (the team spins between steps) */
        int want = o->threads > 0 ? (int)o->threads : blas_threads;
        const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        if (cpus > 0 && want > cpus) want = (int)cpus;
        if ((size_t)want > ntiles) want = (int)ntiles;
        rs.pool = clnscl_pool_new(want);
        rs.nthreads = clnscl_pool_threads(rs.pool);
        /* per thread: 3 runs × {x, e} tiles of nv·8 doubles, the tile's special-column flags */
        rs.scratch_per_thread = 6 * nv * CLNSCL_SIM_TILE + (nv + 63) / 64 * 8;
        rs.scratch = aligned_alloc(64, (size_t)rs.nthreads * rs.scratch_per_thread * sizeof(double));
        rs.part = malloc(ntiles * 3 * CLNSCL_SIM_TILE * sizeof(double));
        rs.tile_st = calloc(ntiles, sizeof *rs.tile_st);
        rs.tile_err = calloc(ntiles, sizeof *rs.tile_err);
        if (!rs.pool || !rs.scratch || !rs.part || !rs.tile_st || !rs.tile_err) {
            st = clnscl_fail(CLNSCL_ENOMEM, "out of memory (step scratch)");
            goto done;
        }
    }
    for (int k = 0; k < 2; k++) {
        batch_buf *bb = &rs.bufs[k];
        bb->b.v = malloc(nv * sizeof *bb->b.v);
        bb->b.y = malloc(nv * sizeof *bb->b.y);
        bb->bq = malloc(nv * sizeof *bb->bq);
        bb->yl = malloc(nv * sizeof *bb->yl);
        bb->samples = malloc((size_t)o->batch * sizeof *bb->samples);
        if (!bb->b.v || !bb->b.y || !bb->bq || !bb->yl || !bb->samples) {
            st = clnscl_fail(CLNSCL_ENOMEM, "out of memory (batch)");
            goto done;
        }
    }
    rs.lb.v = malloc(nv * sizeof *rs.lb.v);
    if (!rs.lb.v) {
        st = clnscl_fail(CLNSCL_ENOMEM, "out of memory (batch)");
        goto done;
    }
    res->N = ref.N;
    res->points = ref.P;
    res->anchors = rs.na;
    res->C = ref.C;
    long n_max, total, classes;
    if ((st = clnscl_bounds_pi_from_counts(ref.counts, ref.C, &res->pi_max, &n_max, &total, &classes))) goto done;
    if ((st = clnscl_bounds_epsilon(o->steps, o->batch, o->delta, &res->epsilon))) goto done;

    const long T = o->steps;
    const long log_every = o->log_every > 0 ? o->log_every : (T >= 100 ? T / 100 : 1);
    const double tau = o->tau, lip = 1.0 / (2.0 * tau * tau * (double)rs.na);
    rs.log_W = -INFINITY;
    rs.lemma7_slack = rs.rec_slack = 1.0;
    rs.lemma7_lhs = 0.0;
    clnscl_sim_row row;
    if ((st = make_row(&rs, repeat_index, 0, res, &row))) goto done;
    if (row_fn && (st = row_fn(&row, ctx))) goto done;
    res->final = row;
    for (long t = 0; t < T; t++) {
        const double eta = clnscl_schedule_eta(&rs.sched, t);
        /* this step's batch (drawn during the last step, or now for the first); the team draws the
         * next one with the tiles (the symmetrised step: after it) */
        if (t == 0) draw_batch(&rs, &rs.bufs[rs.cur]);
        rs.draw_next = t + 1 < T && !o->symmetrize;
        /* the gradients, Lemma 7's ‖G^CL − G^NSCL‖_F, the update (§3.3) and the block's share of
         * D_t and D_{t+1}, checked below */
        double lhs2 = 0.0, before = 0.0, after = 0.0;
        if (o->symmetrize) {
            st = step_block(&rs, eta, &lhs2, &before, &after);
            if (!st && t + 1 < T) draw_batch(&rs, &rs.bufs[rs.cur ^ 1]);
        } else {
            st = step_tiles(&rs, eta, &lhs2, &before, &after);
        }
        if (st) {
            char msg[512];
            snprintf(msg, sizeof msg, "step %ld: %s", t + 1, clnscl_last_error()); /* steps count from 1 */
            clnscl_fail(st, "%s", msg);
            goto done;
        }
        /* batch composition (§4.2; after the gradients, which name an empty denominator first) and
         * Δ_t = 2e^{2/τ} f_t/(1−f_t) */
        const double f = rs.bufs[rs.cur].f;
        rs.cur ^= 1;
        rs.f_batch = f;
        if (f > rs.f_max) rs.f_max = f;
        double log_dt;
        if ((st = clnscl_bounds_log_delta(f, tau, &log_dt))) goto done;
        const double Dt = exp(log_dt);
        if (!isfinite(lhs2) || !isfinite(after)) { /* only without clipping can Σ leave the box and overflow */
            st = clnscl_fail(CLNSCL_ENONFINITE, "step %ld: the similarity matrices (or their squared distance) left "
                                                "the double range (--no-clip with step size %g diverges)", t + 1, eta);
            goto done;
        }
        const double lhs = sqrt(lhs2), D_t = sqrt(rs.D2 > 0 ? rs.D2 : 0.0);
        const double b7 = clnscl_bounds_lemma7(Dt, tau, rs.na, D_t);
        rs.lemma7_lhs = lhs;
        double sl = rel_slack(lhs, b7);
        if (sl < rs.lemma7_slack) rs.lemma7_slack = sl;
        if (!holds(lhs, b7))
            note_violation(res, &res->viol_lemma7, "step %ld: Lemma 7 fails: ||G_CL - G_NSCL|| = %.6g > bound %.6g", lhs,
                           b7, t + 1);
        rs.D2 = rs.D2 - before + after;
        if (rs.D2 < 0) rs.D2 = 0;
        /* drift recurrence (§4.4) with this step's Δ_t */
        const double D_next = sqrt(rs.D2), brec = clnscl_bounds_recurrence_step(D_t, eta, Dt, tau, rs.na);
        sl = rel_slack(D_next, brec);
        if (sl < rs.rec_slack) rs.rec_slack = sl;
        if (!holds(D_next, brec))
            note_violation(res, &res->viol_recurrence, "step %ld: recurrence fails: D_{t+1} = %.6g > bound %.6g", D_next,
                           brec, t + 1);
        /* S_η (Neumaier) and W_{t+1} = (1 + η_t/(2τ²|A|)) W_t + η_t in log space */
        {
            double u = rs.S_eta + eta;
            rs.S_comp += fabs(rs.S_eta) >= eta ? (rs.S_eta - u) + eta : (eta - u) + rs.S_eta;
            rs.S_eta = u;
        }
        rs.log_W = log_add(log1p(eta * lip) + rs.log_W, eta > 0 ? log(eta) : -INFINITY);
        rs.eta_last = eta;
        if (o->strict && res->violations) {
            res->stopped = 1;
            if ((st = make_row(&rs, repeat_index, t + 1, res, &row))) goto done;
            if (row_fn && (st = row_fn(&row, ctx))) goto done;
            res->final = row;
            break;
        }
        if ((t + 1) % log_every == 0 || t + 1 == T) {
            if ((st = make_row(&rs, repeat_index, t + 1, res, &row))) goto done;
            if (row_fn && (st = row_fn(&row, ctx))) goto done;
            res->final = row;
            if (o->strict && res->violations) {
                res->stopped = 1;
                break;
            }
        }
    }
    /* Theorem 1 with Δ_{π,δ} (§4.2, §4.5) and Corollary 3's event, for --repeat */
    {
        double p = res->pi_max + res->epsilon;
        res->batch_event_held = res->final.f_max <= p;
        if (p < 1.0) {
            double ld;
            if ((st = clnscl_bounds_log_delta(p, tau, &ld))) goto done;
            if ((st = clnscl_bounds_theorem1(ld, tau, rs.na, res->final.eta_sum, &res->bound_theorem1_pi))) goto done;
            res->theorem1_pi_held = holds(res->final.gap_fro, bound_value(&res->bound_theorem1_pi));
        } else {
            res->bound_theorem1_pi.log10 = INFINITY;
            res->bound_theorem1_pi.vacuous = 1;
            res->theorem1_pi_held = 1;
        }
    }
done:
    run_free(&rs);
    sampler_free(&smp);
    refset_free(&ref);
    return st;
}

/* OpenBLAS (the dsyrk that builds Σ_0; the logged metrics are plain loops) runs on one thread for
 * the whole run: its workers spin for ~0.1 s after a multi-threaded call, on the cores the step
 * team is then using (bench_sim's runs of a tenth of a second lost up to a third of their speed,
 * 2 cores). Its default count still sizes the team. */
int clnscl_sim_run(const clnscl_sim_opts *o, long repeat_index, clnscl_sim_row_fn row_fn, void *ctx,
                   clnscl_sim_result *res)
{
    const int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    int st = sim_run(o, repeat_index, row_fn, ctx, res, blas_threads);
    openblas_set_num_threads(blas_threads);
    return st;
}
