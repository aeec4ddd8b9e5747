/* tests/test_train_twins.c — shared randomness (EDGE_CASES.md T1), the trainer's
 * outputs and resume = uninterrupted, on a small subset of the real Fashion-MNIST
 * files (the Debian package dataset-fashion-mnist). */
#include "check.h"

#include "clnscl/data.h"
#include "clnscl/io.h"
#include "clnscl/model.h"
#include "clnscl/optim.h"
#include "clnscl/rng.h"
#include "clnscl/status.h"
#include "clnscl/train.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[] = "/tmp/clnscl_test_train_twins_XXXXXX";

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p) p[n] = '\0';
    if (len) *len = (size_t)n;
    return p;
}

static int same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    int same = x && y && la == lb && !memcmp(x, y, la);
    if (!same) fprintf(stderr, "files differ: %s %s\n", a, b);
    free(x);
    free(y);
    return same;
}

/* every file of dir a (and a/reference) byte-equal in dir b */
static int same_dir(const char *a, const char *b, const char *sub)
{
    char da[1024], db[1024];
    snprintf(da, sizeof da, "%s%s", a, sub);
    snprintf(db, sizeof db, "%s%s", b, sub);
    DIR *d = opendir(da);
    if (!d) return 0;
    int ok = 1, n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        /* config.json names the output directory: compared separately */
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "reference") || !strcmp(e->d_name, "config.json")) continue;
        char fa[2048], fb[2048];
        snprintf(fa, sizeof fa, "%s/%s", da, e->d_name);
        snprintf(fb, sizeof fb, "%s/%s", db, e->d_name);
        ok &= same_file(fa, fb);
        n++;
    }
    closedir(d);
    return ok && n > 0;
}

static void small_opts(clnscl_train_opts *o, const char *name)
{
    clnscl_train_opts_default(o);
    o->train_limit = 240;
    o->eval_limit = 120;
    o->probe_limit = 120;
    o->ref_size = 16;
    strcpy(o->widths, "32");
    o->proj_hidden = 16;
    o->proj_dim = 8;
    o->batch = 40; /* 6 steps per epoch */
    o->epochs = 2;
    o->lr = 0.05;
    strcpy(o->eval_steps, "2,4");
    o->null_twin = 1;
    o->quiet = 1;
    o->seed = 7;
    snprintf(o->out, sizeof o->out, "%s/%s", root, name);
}

/* fields of a CSV line (modifies line) */
static int split(char *line, char **f, int cap)
{
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < cap; p++)
        if (*p == ',') {
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}

/* T1 at the model level: one init copied into two twins; both see the same pixels
 * (views drawn from copies of one rng state); with the same loss they stay
 * bit-identical for k steps; a twin with another loss does not. */
static void test_model_twins(void)
{
    clnscl_dataset d = {0};
    if (clnscl_data_load("fashion-mnist", CLNSCL_SPLIT_TEST, &d)) {
        CHECK_MSG(0, "Fashion-MNIST not available: %s", clnscl_last_error());
        return;
    }
    clnscl_model_config mc = clnscl_model_config_default(CLNSCL_ENC_MLP, 1, 28, 28);
    mc.n_enc = 1;
    mc.enc[0] = 48;
    mc.proj_hidden = 24;
    mc.proj_dim = 12;
    mc.n_classes = 10;
    mc.max_batch = 64;
    clnscl_model *a = NULL, *b = NULL, *c = NULL;
    CHECK_STATUS(clnscl_model_alloc(&a, &mc), CLNSCL_OK);
    CHECK_STATUS(clnscl_model_alloc(&b, &mc), CLNSCL_OK);
    CHECK_STATUS(clnscl_model_alloc(&c, &mc), CLNSCL_OK);
    if (!a || !b || !c) return;
    clnscl_rng r;
    clnscl_rng_seed(&r, 11);
    clnscl_model_init(a, &r);
    CHECK_STATUS(clnscl_model_copy(b, a), CLNSCL_OK);
    CHECK_STATUS(clnscl_model_copy(c, a), CLNSCL_OK);
    double g = -1, gall = -1;
    CHECK_STATUS(clnscl_model_weight_gap(a, b, &g, &gall), CLNSCL_OK);
    CHECK(g == 0.0 && gall == 0.0);

    clnscl_optim_config oc = clnscl_optim_config_default();
    clnscl_optim *oa = NULL, *ob = NULL, *occ = NULL;
    clnscl_optim_alloc(&oa, &oc, a->nparams, a->tensors, a->ntensors);
    clnscl_optim_alloc(&ob, &oc, b->nparams, b->tensors, b->ntensors);
    clnscl_optim_alloc(&occ, &oc, c->nparams, c->tensors, c->ntensors);
    clnscl_augment_config ac;
    clnscl_augment_defaults(&ac);
    enum { B = 32 };
    size_t dim = clnscl_dataset_dim(&d);
    float *xa = malloc(2 * B * dim * sizeof(float)), *xb = malloc(2 * B * dim * sizeof(float));
    int32_t y[B];
    size_t idx[B];
    clnscl_rng data;
    clnscl_rng_seed(&data, 5);
    int identical = 1, differs = 0;
    for (int step = 0; step < 5; step++) {
        for (int i = 0; i < B; i++) {
            idx[i] = clnscl_rng_below(&data, d.n);
            y[i] = d.y[idx[i]];
        }
        clnscl_rng copy = data;
        CHECK_STATUS(clnscl_augment_views(&ac, &d, idx, B, xa, xa + B * dim, &data), CLNSCL_OK);
        CHECK_STATUS(clnscl_augment_views(&ac, &d, idx, B, xb, xb + B * dim, &copy), CLNSCL_OK);
        CHECK(!memcmp(xa, xb, 2 * B * dim * sizeof(float)));
        double la, lb, lc;
        CHECK_STATUS(clnscl_model_train_step(a, xa, B, y, CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, 0.5, &la), CLNSCL_OK);
        CHECK_STATUS(clnscl_model_train_step(b, xb, B, y, CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, 0.5, &lb), CLNSCL_OK);
        CHECK_STATUS(clnscl_model_train_step(c, xa, B, y, CLNSCL_LOSS_NSCL, CLNSCL_FORM_CODE, 0.5, &lc), CLNSCL_OK);
        CHECK(la == lb);
        clnscl_optim_step(oa, a->params, a->grads, 0.1);
        clnscl_optim_step(ob, b->params, b->grads, 0.1);
        clnscl_optim_step(occ, c->params, c->grads, 0.1);
        identical &= !memcmp(a->params, b->params, a->nparams * sizeof(float)) &&
                     !memcmp(a->bn_stats, b->bn_stats, a->nstats * sizeof(float)) &&
                     !memcmp(oa->m, ob->m, a->nparams * sizeof(float));
        differs = memcmp(a->params, c->params, a->nparams * sizeof(float)) != 0;
    }
    CHECK(identical);
    CHECK(differs); /* the NSCL twin really moved away: the comparison can fail */
    CHECK_STATUS(clnscl_model_weight_gap(a, b, &g, &gall), CLNSCL_OK);
    CHECK(g == 0.0 && gall == 0.0);
    CHECK_STATUS(clnscl_model_weight_gap(a, c, &g, &gall), CLNSCL_OK);
    CHECK(g > 0 && gall > 0);
    /* relative gap exactly 2 for B = −A (every tensor and the whole vector) */
    for (size_t i = 0; i < a->nparams; i++) b->params[i] = -a->params[i];
    CHECK_STATUS(clnscl_model_weight_gap(a, b, &g, &gall), CLNSCL_OK);
    CHECK(g == 2.0 && gall == 2.0);
    free(xa);
    free(xb);
    clnscl_optim_free(oa);
    clnscl_optim_free(ob);
    clnscl_optim_free(occ);
    clnscl_model_free(a);
    clnscl_model_free(b);
    clnscl_model_free(c);
    clnscl_dataset_free(&d);
}

/* The trainer's outputs: CSV headers, rows, epoch-0 values of T1, reference files. */
static void test_run_outputs(void)
{
    clnscl_train_opts o;
    small_opts(&o, "full");
    int st = clnscl_train_run(&o, NULL, NULL);
    CHECK_MSG(st == CLNSCL_OK, "%s", clnscl_last_error());
    char p[1200];
    snprintf(p, sizeof p, "%s/alignment.csv", o.out);
    char *csv = slurp(p, NULL);
    CHECK(csv != NULL);
    if (!csv) return;
    /* 1 + 2 early steps + 2 epochs = 5 evaluations × 4 others (nscl, scl, ce, cl2) */
    int rows = 0, zero_rows = 0, null_rows = 0, moved = 0;
    char *save = NULL;
    char *line = strtok_r(csv, "\n", &save);
    CHECK(line && !strcmp(line, "epoch,step,other,cka,cka_cosine,rsa,weight_gap,weight_gap_all"));
    const char *expect_pos[5] = {"0,0", "0,2", "0,4", "1,6", "2,12"};
    while ((line = strtok_r(NULL, "\n", &save))) {
        char *f[16];
        int nf = split(line, f, 16);
        CHECK(nf == 8);
        if (nf != 8) continue;
        char pos[32];
        snprintf(pos, sizeof pos, "%s,%s", f[0], f[1]);
        CHECK(rows / 4 < 5 && !strcmp(pos, expect_pos[rows / 4]));
        rows++;
        int is_null = !strcmp(f[2], "cl2");
        if (!strcmp(f[1], "0")) {
            if (!is_null) {
                /* T1: identical initialisation ⇒ exactly 1 and exactly 0 */
                CHECK_MSG(!strcmp(f[3], "1") && !strcmp(f[4], "1") && !strcmp(f[5], "1") && !strcmp(f[6], "0") &&
                              !strcmp(f[7], "0"),
                          "epoch-0 row %s: %s %s %s %s %s", f[2], f[3], f[4], f[5], f[6], f[7]);
                zero_rows++;
            } else {
                /* the null twin has its own initialisation */
                CHECK(atof(f[3]) < 1 && atof(f[6]) > 0.5);
                null_rows++;
            }
        } else if (!is_null) {
            double cka = atof(f[3]), gap = atof(f[6]);
            CHECK(cka > 0 && cka <= 1 && gap >= 0);
            if (gap > 0) moved++;
        }
    }
    CHECK(rows == 20);
    CHECK(zero_rows == 3 && null_rows == 1);
    CHECK(moved == 12); /* every other twin left CL after the first step */
    free(csv);

    snprintf(p, sizeof p, "%s/models.csv", o.out);
    csv = slurp(p, NULL);
    CHECK(csv != NULL);
    if (csv) {
        save = NULL;
        line = strtok_r(csv, "\n", &save);
        CHECK(line && !strcmp(line, "epoch,step,model,loss,ncc_acc,probe_acc"));
        rows = 0;
        while ((line = strtok_r(NULL, "\n", &save))) {
            char *f[16];
            int nf = split(line, f, 16);
            CHECK(nf == 6);
            if (nf != 6) continue;
            double loss = atof(f[3]), ncc = atof(f[4]), pr = atof(f[5]);
            CHECK(*f[3] && *f[4] && *f[5]);
            CHECK(loss > 0 && ncc >= 0 && ncc <= 1 && pr >= 0 && pr <= 1);
            rows++;
        }
        CHECK(rows == 25);
        free(csv);
    }
    /* config.json names the derived steps per epoch */
    snprintf(p, sizeof p, "%s/config.json", o.out);
    char *js = slurp(p, NULL);
    CHECK(js && strstr(js, "\"steps_per_epoch\":\t6"));
    free(js);
    /* reference embeddings: 2N × d, unit rows; epoch 0 identical for every shared twin */
    clnscl_mat m = {0};
    snprintf(p, sizeof p, "%s/reference/labels.npy", o.out);
    CHECK_STATUS(clnscl_npy_read(p, &m), CLNSCL_OK);
    CHECK(m.rows == 16);
    clnscl_mat_free(&m);
    const char *names[] = {"cl", "nscl", "scl", "ce", "cl2"};
    for (int k = 0; k < 5; k++)
        for (int e = 0; e <= 2; e++) {
            snprintf(p, sizeof p, "%s/reference/%s_epoch%04d.npy", o.out, names[k], e);
            CHECK_STATUS(clnscl_npy_read(p, &m), CLNSCL_OK);
            CHECK(m.rows == 32 && m.cols == 8);
            for (size_t i = 0; i < m.rows && m.data; i++) {
                double s = 0;
                for (size_t j = 0; j < m.cols; j++) s += m.data[i * m.cols + j] * m.data[i * m.cols + j];
                CHECK_CLOSE(s, 1.0, 1e-6, 0);
            }
            clnscl_mat_free(&m);
        }
    char q[1200];
    snprintf(p, sizeof p, "%s/reference/cl_epoch0000.npy", o.out);
    snprintf(q, sizeof q, "%s/reference/scl_epoch0000.npy", o.out);
    CHECK(same_file(p, q));
}

/* With lr = 0 nothing moves, but BN running statistics do: identical pixels for
 * every shared twin ⇒ CKA/RSA exactly 1 and gap exactly 0 at every evaluation. */
static void test_lr_zero(void)
{
    clnscl_train_opts o;
    small_opts(&o, "lr0");
    o.lr = 0;
    CHECK_STATUS(clnscl_train_run(&o, NULL, NULL), CLNSCL_OK);
    char p[1200];
    snprintf(p, sizeof p, "%s/alignment.csv", o.out);
    char *csv = slurp(p, NULL);
    CHECK(csv != NULL);
    if (!csv) return;
    int shared_rows = 0, null_not_one = 0;
    char *save = NULL, *line = strtok_r(csv, "\n", &save);
    while ((line = strtok_r(NULL, "\n", &save))) {
        char *f[16];
        if (split(line, f, 16) != 8) continue;
        if (strcmp(f[2], "cl2")) {
            CHECK_MSG(!strcmp(f[3], "1") && !strcmp(f[4], "1") && !strcmp(f[5], "1") && !strcmp(f[6], "0") &&
                          !strcmp(f[7], "0"),
                      "lr=0 row %s,%s,%s: %s %s %s %s %s", f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
            shared_rows++;
        } else if (strcmp(f[3], "1"))
            null_not_one++;
    }
    CHECK(shared_rows == 15 && null_not_one == 5);
    free(csv);
}

/* Resume = uninterrupted: stopped mid-epoch and at an epoch boundary. */
static void test_resume(void)
{
    clnscl_train_opts o;
    char full[1200];
    small_opts(&o, "full");
    snprintf(full, sizeof full, "%s", o.out);
    const long stops[2] = {3, 6};
    for (int k = 0; k < 2; k++) {
        char name[32];
        snprintf(name, sizeof name, "stop%ld", stops[k]);
        small_opts(&o, name);
        clnscl_train_stop_at_step = stops[k];
        int st = clnscl_train_run(&o, NULL, NULL);
        clnscl_train_stop_at_step = 0;
        CHECK_MSG(st == CLNSCL_EINTERRUPTED, "stop at %ld: %d %s", stops[k], st, clnscl_last_error());
        o.resume = 1;
        st = clnscl_train_run(&o, NULL, NULL);
        CHECK_MSG(st == CLNSCL_OK, "resume: %s", clnscl_last_error());
        CHECK(same_dir(full, o.out, ""));
        CHECK(same_dir(full, o.out, "/reference"));
        char p[1200];
        snprintf(p, sizeof p, "%s/config.json", o.out);
        char *js = slurp(p, NULL);
        CHECK(js && strstr(js, "\"resume\":\tfalse"));
        free(js);
    }
    /* a changed configuration is refused */
    small_opts(&o, "stop3");
    o.resume = 1;
    o.tau = 0.3;
    CHECK_STATUS(clnscl_train_run(&o, NULL, NULL), CLNSCL_EINVAL);
    CHECK(strstr(clnscl_last_error(), "different configuration") != NULL);
    /* nothing to resume */
    small_opts(&o, "never");
    o.resume = 1;
    CHECK_STATUS(clnscl_train_run(&o, NULL, NULL), CLNSCL_EIO);
}

/* the names in dir (not . and ..), sorted, one per line */
static char *listing(const char *dir)
{
    char names[64][256];
    int n = 0;
    DIR *d = opendir(dir);
    if (!d) return NULL;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) snprintf(names[n++], 256, "%s", e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    char *s = calloc((size_t)n + 1, 257);
    for (int i = 0; s && i < n; i++) strcat(strcat(s, names[i]), "\n");
    return s;
}

static void copy_to(const char *from, const char *to)
{
    size_t len;
    char *x = slurp(from, &len);
    FILE *f = fopen(to, "wb");
    if (x && f) fwrite(x, 1, len, f);
    if (f) fclose(f);
    free(x);
}

/* the same names in a and b, every regular file byte-equal */
static int same_tree(const char *a, const char *b)
{
    char *la = listing(a), *lb = listing(b);
    int ok = la && lb && !strcmp(la, lb);
    if (!ok) fprintf(stderr, "listings differ: %s:\n%s%s:\n%s", a, la ? la : "", b, lb ? lb : "");
    for (char *name = la, *nl; ok && name && (nl = strchr(name, '\n')); name = nl + 1) {
        *nl = '\0';
        char fa[1200], fb[1200];
        snprintf(fa, sizeof fa, "%s/%s", a, name);
        snprintf(fb, sizeof fb, "%s/%s", b, name);
        struct stat sb;
        if (stat(fa, &sb) == 0 && S_ISDIR(sb.st_mode)) ok &= same_tree(fa, fb);
        else ok &= same_file(fa, fb);
    }
    free(la);
    free(lb);
    return ok;
}

/* a copy of dir (files and one level of subdirectories) */
static void snapshot(const char *dir, const char *to)
{
    mkdir(to, 0777);
    char *l = listing(dir);
    for (char *name = l, *nl; name && (nl = strchr(name, '\n')); name = nl + 1) {
        *nl = '\0';
        char fa[1200], fb[1200];
        snprintf(fa, sizeof fa, "%s/%s", dir, name);
        snprintf(fb, sizeof fb, "%s/%s", to, name);
        struct stat sb;
        if (stat(fa, &sb) == 0 && S_ISDIR(sb.st_mode)) snapshot(fa, fb);
        else copy_to(fa, fb);
    }
    free(l);
}

/* A run that fails leaves the output directory as it was before the call: a fresh run removes
 * what it wrote and the directories it created; a fresh run into an existing directory puts
 * back the files it replaced; a failed --resume keeps the earlier checkpoint and outputs. */
static void test_failed_runs(void)
{
    clnscl_train_opts o;
    char p[1200], snap[1200];
    /* fresh run, diverging at step 2: neither OUT nor its new parent remains */
    small_opts(&o, "fresh/deeper");
    o.lr = 1e300;
    CHECK_STATUS(clnscl_train_run(&o, NULL, NULL), CLNSCL_ENONFINITE);
    CHECK_MSG(strstr(clnscl_last_error(), "diverged at epoch 1, step 2") != NULL, "%s", clnscl_last_error());
    snprintf(p, sizeof p, "%s/fresh", root);
    CHECK(access(p, F_OK) != 0);

    /* interrupted after step 1 (state saved); the resumed run evaluates at steps 2 and 4
     * (rewriting the CSVs) and then fails writing the epoch-1 embeddings, blocked by a directory */
    small_opts(&o, "resumed");
    clnscl_train_stop_at_step = 1;
    CHECK_STATUS(clnscl_train_run(&o, NULL, NULL), CLNSCL_EINTERRUPTED);
    clnscl_train_stop_at_step = 0;
    snprintf(p, sizeof p, "%s/reference/nscl_epoch0001.npy", o.out);
    CHECK(mkdir(p, 0777) == 0);
    snprintf(snap, sizeof snap, "%s/resumed.snap", root);
    snapshot(o.out, snap);
    o.resume = 1;
    int st = clnscl_train_run(&o, NULL, NULL);
    CHECK_MSG(st != CLNSCL_OK && strstr(clnscl_last_error(), "nscl_epoch0001.npy"), "%d %s", st, clnscl_last_error());
    CHECK(same_tree(snap, o.out)); /* the same files, the same bytes, no backups left */
    CHECK(rmdir(p) == 0);           /* and the state is intact: resuming now completes the run */
    CHECK_STATUS(clnscl_train_run(&o, NULL, NULL), CLNSCL_OK);
    snprintf(snap, sizeof snap, "%s/full", root);
    CHECK(same_dir(snap, o.out, ""));
    CHECK(same_dir(snap, o.out, "/reference"));

    /* a finished run's directory, rerun afresh with a setting that diverges: put back as it was */
    small_opts(&o, "full");
    snprintf(snap, sizeof snap, "%s/full.snap", root);
    snapshot(o.out, snap);
    o.lr = 1e300;
    CHECK_STATUS(clnscl_train_run(&o, NULL, NULL), CLNSCL_ENONFINITE);
    CHECK(same_tree(snap, o.out));
}

static void rm_rf(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char p[2048];
            snprintf(p, sizeof p, "%s/%s", path, e->d_name);
            rm_rf(p);
        }
        closedir(d);
        rmdir(path);
    } else
        unlink(path);
}

int main(void)
{
    clnscl_gsl_quiet();
    setenv("CLNSCL_QUIET", "1", 1);
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    test_model_twins();
    test_run_outputs();
    test_lr_zero();
    test_resume();
    test_failed_runs();
    rm_rf(root);
    return check_report();
}
