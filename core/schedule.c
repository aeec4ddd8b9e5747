/* core/schedule.c — step-size sequences (see clnscl/schedule.h).
 *
 * THEORY.md §6.3: the authors' schedule, stepped once per epoch,
 *     η_e = η · min(1, (e+1)/W) · ½ (1 + cos(π e / E)),   E = number of epochs;
 * §6.5 Fig. 5: batch-size scaling η = base · B^a / ref_batch, a ∈ {1, 1/2, 1/4}, or η = base;
 * §4.5: "fixed steps" (T independent of B) vs "fixed epochs" (T = epochs · ⌊N/B⌋).
 */
#include "clnscl/schedule.h"

#include "clnscl/status.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* §6.5 Fig. 5: peak step size after the batch-size rule. */
double clnscl_schedule_peak(const clnscl_schedule *s)
{
    double B = (double)s->batch, ref = (double)s->ref_batch;
    switch (s->scale) {
    case CLNSCL_SCALE_LINEAR: return s->base * B / ref;
    case CLNSCL_SCALE_SQRT: return s->base * sqrt(B) / ref;
    case CLNSCL_SCALE_FOURTH: return s->base * sqrt(sqrt(B)) / ref;
    case CLNSCL_SCALE_CONSTANT:
    case CLNSCL_SCALE_NONE:
    default: return s->base;
    }
}

long clnscl_schedule_num_epochs(const clnscl_schedule *s)
{
    if (s->steps_per_epoch < 1) return 1;
    return (s->steps - 1) / s->steps_per_epoch + 1;
}

/* §6.3: warm-up factor min(1, (e+1)/W) times the half-cosine ½(1 + cos(π e/E)). */
static double cosine_factor(const clnscl_schedule *s, long e)
{
    double E = (double)clnscl_schedule_num_epochs(s);
    double warm = 1.0;
    if (s->warmup_epochs > 0) warm = fmin(1.0, (double)(e + 1) / (double)s->warmup_epochs);
    return warm * 0.5 * (1.0 + cos(M_PI * (double)e / E));
}

double clnscl_schedule_eta(const clnscl_schedule *s, long t)
{
    double peak = clnscl_schedule_peak(s);
    if (s->kind != CLNSCL_SCHED_COSINE) return peak;
    long spe = s->steps_per_epoch > 0 ? s->steps_per_epoch : 1;
    return peak * cosine_factor(s, t / spe);
}

long clnscl_schedule_run(const clnscl_schedule *s, long t, double *eta)
{
    *eta = clnscl_schedule_eta(s, t);
    if (t >= s->steps) return 1;
    if (s->kind != CLNSCL_SCHED_COSINE) return s->steps - t;
    long spe = s->steps_per_epoch > 0 ? s->steps_per_epoch : 1;
    long end = (t / spe + 1) * spe; /* first step of the next epoch */
    if (end > s->steps) end = s->steps;
    return end - t;
}

/* Neumaier-compensated Σ_{t<T} η_t, one term per constant run. */
double clnscl_schedule_sum(const clnscl_schedule *s)
{
    double sum = 0.0, comp = 0.0;
    for (long t = 0; t < s->steps;) {
        double eta;
        long n = clnscl_schedule_run(s, t, &eta);
        double x = eta * (double)n;
        double u = sum + x;
        if (fabs(sum) >= fabs(x)) comp += (sum - u) + x;
        else comp += (x - u) + sum;
        sum = u;
        t += n;
        if (!isfinite(sum)) return INFINITY; /* overflow: no compensation (inf − inf is NaN) */
    }
    return sum + comp;
}

int clnscl_schedule_check(const clnscl_schedule *s)
{
    if (!isfinite(s->base) || s->base < 0)
        return clnscl_fail(CLNSCL_EINVAL, "step size must be finite and >= 0 (got %g)", s->base);
    if (s->kind != CLNSCL_SCHED_CONSTANT && s->kind != CLNSCL_SCHED_COSINE)
        return clnscl_fail(CLNSCL_EINVAL, "unknown schedule kind %d", (int)s->kind);
    if (s->scale < CLNSCL_SCALE_NONE || s->scale > CLNSCL_SCALE_FOURTH)
        return clnscl_fail(CLNSCL_EINVAL, "unknown batch-size scaling rule %d", (int)s->scale);
    if (s->scale != CLNSCL_SCALE_NONE && s->scale != CLNSCL_SCALE_CONSTANT) {
        if (s->batch < 1) return clnscl_fail(CLNSCL_EINVAL, "batch-size scaling needs a batch size >= 1 (got %ld)", s->batch);
        if (s->ref_batch < 1)
            return clnscl_fail(CLNSCL_EINVAL, "batch-size scaling needs a reference batch >= 1 (got %ld)", s->ref_batch);
    }
    if (s->accounting != CLNSCL_ACCOUNT_STEPS && s->accounting != CLNSCL_ACCOUNT_EPOCHS)
        return clnscl_fail(CLNSCL_EINVAL, "unknown step accounting %d", s->accounting);
    if (s->steps < 1) return clnscl_fail(CLNSCL_EINVAL, "number of steps must be >= 1 (got %ld)", s->steps);
    if (s->kind == CLNSCL_SCHED_COSINE) {
        if (s->steps_per_epoch < 1)
            return clnscl_fail(CLNSCL_EINVAL, "cosine schedule needs steps per epoch >= 1 (got %ld)", s->steps_per_epoch);
        if (s->warmup_epochs < 0)
            return clnscl_fail(CLNSCL_EINVAL, "warm-up epochs must be >= 0 (got %ld)", s->warmup_epochs);
        /* sums and recurrences walk the schedule once per epoch */
        if (clnscl_schedule_num_epochs(s) > CLNSCL_SCHEDULE_MAX_EPOCHS)
            return clnscl_fail(CLNSCL_EINVAL, "cosine schedule with %ld epochs (> %ld): too many epochs",
                               clnscl_schedule_num_epochs(s), (long)CLNSCL_SCHEDULE_MAX_EPOCHS);
    }
    if (!isfinite(clnscl_schedule_peak(s)))
        return clnscl_fail(CLNSCL_EINVAL, "scaled step size is not finite");
    return CLNSCL_OK;
}

int clnscl_schedule_resolve(clnscl_schedule *s)
{
    if (s->accounting == CLNSCL_ACCOUNT_EPOCHS) {
        if (s->batch < 1) return clnscl_fail(CLNSCL_EINVAL, "fixed-epochs accounting needs a batch size >= 1 (got %ld)", s->batch);
        if (s->epochs < 1) return clnscl_fail(CLNSCL_EINVAL, "fixed-epochs accounting needs epochs >= 1 (got %ld)", s->epochs);
        if (s->dataset_size < s->batch)
            return clnscl_fail(CLNSCL_EINVAL, "fixed-epochs accounting needs dataset size >= batch (N = %ld, B = %ld)",
                               s->dataset_size, s->batch);
        long spe = s->dataset_size / s->batch;
        if (s->epochs > LONG_MAX / spe)
            return clnscl_fail(CLNSCL_EINVAL, "epochs x steps per epoch overflows (%ld x %ld)", s->epochs, spe);
        s->steps_per_epoch = spe;
        s->steps = s->epochs * spe;
    }
    return clnscl_schedule_check(s);
}

int clnscl_schedule_parse_kind(const char *name, clnscl_sched_kind *out)
{
    size_t n = strcspn(name, ":");
    if (n == 8 && !strncmp(name, "constant", n)) *out = CLNSCL_SCHED_CONSTANT;
    else if (n == 6 && !strncmp(name, "cosine", n)) *out = CLNSCL_SCHED_COSINE;
    else return clnscl_fail(CLNSCL_EINVAL, "unknown schedule '%.*s' (constant|cosine)", (int)n, name);
    return CLNSCL_OK;
}

int clnscl_schedule_parse_scale(const char *name, clnscl_scale_rule *out)
{
    static const struct { const char *name; clnscl_scale_rule rule; } tab[] = {
        {"none", CLNSCL_SCALE_NONE},     {"constant", CLNSCL_SCALE_CONSTANT},
        {"linear", CLNSCL_SCALE_LINEAR}, {"sqrt", CLNSCL_SCALE_SQRT},
        {"fourth", CLNSCL_SCALE_FOURTH},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (!strcmp(name, tab[i].name)) {
            *out = tab[i].rule;
            return CLNSCL_OK;
        }
    return clnscl_fail(CLNSCL_EINVAL, "unknown batch-size scaling '%s' (none|constant|linear|sqrt|fourth)", name);
}

int clnscl_schedule_parse_accounting(const char *name, clnscl_accounting *out)
{
    if (!strcmp(name, "steps")) *out = CLNSCL_ACCOUNT_STEPS;
    else if (!strcmp(name, "epochs")) *out = CLNSCL_ACCOUNT_EPOCHS;
    else return clnscl_fail(CLNSCL_EINVAL, "unknown accounting '%s' (steps|epochs)", name);
    return CLNSCL_OK;
}

static int parse_num(const char *key, const char *v, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf) return clnscl_fail(CLNSCL_EINVAL, "schedule option %s needs a value", key);
    memcpy(buf, v, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double x = strtod(buf, &end);
    if (*end || errno == ERANGE || !isfinite(x))
        return clnscl_fail(CLNSCL_EINVAL, "schedule option %s: '%s' is not a finite number", key, buf);
    *out = x;
    return CLNSCL_OK;
}

static int parse_int(const char *key, const char *v, size_t len, long *out)
{
    double x;
    int st = parse_num(key, v, len, &x);
    if (st) return st;
    if (x != floor(x) || fabs(x) > 1e15)
        return clnscl_fail(CLNSCL_EINVAL, "schedule option %s: '%.*s' is not an integer", key, (int)len, v);
    *out = (long)x;
    return CLNSCL_OK;
}

int clnscl_schedule_parse(const char *spec, clnscl_schedule *s)
{
    clnscl_sched_kind kind;
    int st = clnscl_schedule_parse_kind(spec, &kind);
    if (st) return st;
    s->kind = kind;
    const char *p = strchr(spec, ':');
    if (!p) return CLNSCL_OK;
    p++;
    while (*p) {
        size_t len = strcspn(p, ",");
        const char *eq = memchr(p, '=', len);
        if (!eq) return clnscl_fail(CLNSCL_EINVAL, "schedule option '%.*s' is not key=value", (int)len, p);
        size_t klen = (size_t)(eq - p);
        const char *v = eq + 1;
        size_t vlen = len - klen - 1;
        char key[32];
        if (klen == 0 || klen >= sizeof key)
            return clnscl_fail(CLNSCL_EINVAL, "schedule option '%.*s' is not key=value", (int)len, p);
        memcpy(key, p, klen);
        key[klen] = '\0';
        if (!strcmp(key, "eta") || !strcmp(key, "base")) st = parse_num(key, v, vlen, &s->base);
        else if (!strcmp(key, "warmup")) st = parse_int(key, v, vlen, &s->warmup_epochs);
        else if (!strcmp(key, "spe") || !strcmp(key, "steps-per-epoch")) st = parse_int(key, v, vlen, &s->steps_per_epoch);
        else if (!strcmp(key, "ref")) st = parse_int(key, v, vlen, &s->ref_batch);
        else if (!strcmp(key, "scale")) {
            char buf[32];
            if (vlen == 0 || vlen >= sizeof buf) return clnscl_fail(CLNSCL_EINVAL, "schedule option scale needs a value");
            memcpy(buf, v, vlen);
            buf[vlen] = '\0';
            st = clnscl_schedule_parse_scale(buf, &s->scale);
        } else
            return clnscl_fail(CLNSCL_EINVAL, "unknown schedule option '%s' (eta, warmup, spe, scale, ref)", key);
        if (st) return st;
        p += len;
        if (*p == ',') p++;
    }
    return CLNSCL_OK;
}
