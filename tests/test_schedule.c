/* tests/test_schedule.c — step-size schedules (core/schedule.c) against hand calculation.
 * THEORY.md §6.3 (warm-up + cosine, per epoch), §6.5 (batch-size scaling), §4.5 (accounting). */
#include "check.h"

#include "clnscl/schedule.h"
#include "clnscl/status.h"

#include <math.h>
#include <string.h>

static void test_constant(void)
{
    clnscl_schedule s = {0};
    s.kind = CLNSCL_SCHED_CONSTANT;
    s.base = 0.1;
    s.steps = 1000;
    CHECK_STATUS(clnscl_schedule_check(&s), CLNSCL_OK);
    CHECK(clnscl_schedule_peak(&s) == 0.1);
    CHECK(clnscl_schedule_eta(&s, 0) == 0.1 && clnscl_schedule_eta(&s, 999) == 0.1);
    /* 1000 × 0.1 = 100 (compensated sum, one run) */
    CHECK_CLOSE(clnscl_schedule_sum(&s), 100.0, 1e-15, 0);
    double eta;
    CHECK(clnscl_schedule_run(&s, 10, &eta) == 990 && eta == 0.1);
}

static void test_scaling(void)
{
    /* §6.5 Fig. 5: 0.3·B/256, 0.3·√B/256, 0.3·B^{1/4}/256, 0.3 */
    clnscl_schedule s = {0};
    s.base = 0.3;
    s.batch = 1024;
    s.ref_batch = 256;
    s.steps = 10;
    s.scale = CLNSCL_SCALE_LINEAR;
    CHECK_CLOSE(clnscl_schedule_peak(&s), 1.2, 1e-15, 0);
    s.scale = CLNSCL_SCALE_SQRT;
    CHECK_CLOSE(clnscl_schedule_peak(&s), 0.3 * 32 / 256, 1e-15, 0);
    s.scale = CLNSCL_SCALE_FOURTH;
    CHECK_CLOSE(clnscl_schedule_peak(&s), 0.3 * 5.656854249492381 / 256, 1e-15, 0);
    s.scale = CLNSCL_SCALE_CONSTANT;
    CHECK(clnscl_schedule_peak(&s) == 0.3);
    s.batch = 256;
    s.scale = CLNSCL_SCALE_SQRT; /* the text's example: 0.3·16/256 ≈ 0.019 */
    CHECK_CLOSE(clnscl_schedule_peak(&s), 0.01875, 1e-15, 0);
    s.ref_batch = 0;
    CHECK_STATUS(clnscl_schedule_check(&s), CLNSCL_EINVAL);
}

static void test_cosine(void)
{
    /* E = 20 epochs of 3 steps, W = 10: η_e = η·min(1,(e+1)/10)·½(1+cos(πe/20)) */
    clnscl_schedule s = {0};
    s.kind = CLNSCL_SCHED_COSINE;
    s.base = 2.0;
    s.steps = 60;
    s.steps_per_epoch = 3;
    s.warmup_epochs = 10;
    CHECK_STATUS(clnscl_schedule_check(&s), CLNSCL_OK);
    CHECK(clnscl_schedule_num_epochs(&s) == 20);
    CHECK_CLOSE(clnscl_schedule_eta(&s, 0), 2.0 * 0.1 * 1.0, 1e-15, 0);
    CHECK_CLOSE(clnscl_schedule_eta(&s, 2), 2.0 * 0.1 * 1.0, 1e-15, 0);
    CHECK_CLOSE(clnscl_schedule_eta(&s, 3), 2.0 * 0.2 * 0.5 * (1 + cos(M_PI / 20)), 1e-15, 0);
    CHECK_CLOSE(clnscl_schedule_eta(&s, 59), 2.0 * 0.5 * (1 + cos(M_PI * 19 / 20)), 1e-15, 0);
    double direct = 0;
    for (long t = 0; t < 60; t++) direct += clnscl_schedule_eta(&s, t);
    CHECK_CLOSE(clnscl_schedule_sum(&s), direct, 1e-14, 0);
    double eta;
    CHECK(clnscl_schedule_run(&s, 4, &eta) == 2);
    /* partial last epoch: 61 steps ⇒ 21 epochs, run of 1 */
    s.steps = 61;
    CHECK(clnscl_schedule_num_epochs(&s) == 21);
    CHECK(clnscl_schedule_run(&s, 60, &eta) == 1);
    s.steps_per_epoch = 0;
    CHECK_STATUS(clnscl_schedule_check(&s), CLNSCL_EINVAL);
    /* absurd epoch counts are refused instead of walked */
    s.steps_per_epoch = 1;
    s.steps = CLNSCL_SCHEDULE_MAX_EPOCHS + 1;
    CHECK_STATUS(clnscl_schedule_check(&s), CLNSCL_EINVAL);
}

static void test_accounting(void)
{
    /* fixed epochs: T = epochs·⌊N/B⌋ = 300·⌊50000/1024⌋ = 300·48 */
    clnscl_schedule s = {0};
    s.base = 1;
    s.accounting = CLNSCL_ACCOUNT_EPOCHS;
    s.dataset_size = 50000;
    s.batch = 1024;
    s.epochs = 300;
    CHECK_STATUS(clnscl_schedule_resolve(&s), CLNSCL_OK);
    CHECK(s.steps_per_epoch == 48 && s.steps == 14400);
    s.batch = 256;
    CHECK_STATUS(clnscl_schedule_resolve(&s), CLNSCL_OK);
    CHECK(s.steps == 300 * 195);
    s.batch = 60000;
    CHECK_STATUS(clnscl_schedule_resolve(&s), CLNSCL_EINVAL);
    /* fixed steps: resolve leaves T */
    clnscl_schedule f = {0};
    f.base = 1;
    f.steps = 77;
    f.batch = 4096;
    CHECK_STATUS(clnscl_schedule_resolve(&f), CLNSCL_OK);
    CHECK(f.steps == 77);
}

static void test_parse(void)
{
    clnscl_schedule s = {0};
    CHECK_STATUS(clnscl_schedule_parse("cosine:eta=1.2,warmup=10,spe=48,scale=linear,ref=256", &s), CLNSCL_OK);
    CHECK(s.kind == CLNSCL_SCHED_COSINE && s.base == 1.2 && s.warmup_epochs == 10 && s.steps_per_epoch == 48 &&
          s.scale == CLNSCL_SCALE_LINEAR && s.ref_batch == 256);
    CHECK_STATUS(clnscl_schedule_parse("constant", &s), CLNSCL_OK);
    CHECK(s.kind == CLNSCL_SCHED_CONSTANT);
    CHECK_STATUS(clnscl_schedule_parse("step", &s), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_schedule_parse("cosine:warmup", &s), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_schedule_parse("cosine:warmup=1.5", &s), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_schedule_parse("cosine:eta=nan", &s), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_schedule_parse("cosine:foo=1", &s), CLNSCL_EINVAL);
    clnscl_scale_rule r;
    CHECK_STATUS(clnscl_schedule_parse_scale("fourth", &r), CLNSCL_OK);
    CHECK(r == CLNSCL_SCALE_FOURTH);
    clnscl_accounting a;
    CHECK_STATUS(clnscl_schedule_parse_accounting("epochs", &a), CLNSCL_OK);
    CHECK(a == CLNSCL_ACCOUNT_EPOCHS);
    /* negative step sizes are impossible */
    clnscl_schedule n = {0};
    n.base = -0.1;
    n.steps = 5;
    CHECK_STATUS(clnscl_schedule_check(&n), CLNSCL_EINVAL);
    CHECK(strstr(clnscl_last_error(), ">= 0") != NULL);
}

int main(void)
{
    clnscl_gsl_quiet();
    test_constant();
    test_scaling();
    test_cosine();
    test_accounting();
    test_parse();
    return check_report();
}
