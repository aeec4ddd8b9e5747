/* tests/test_train_config.c — options of `clnscl train` (INI/JSON round trips, hash,
 * validation), the checkpoint container and the relative weight gap (THEORY.md §5,
 * EDGE_CASES.md T1). */
#include "check.h"

#include "clnscl/status.h"
#include "clnscl/train.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/clnscl_test_train_config_XXXXXX";
static char path[512];

static const char *tmp(const char *name)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static int opts_equal(const clnscl_train_opts *a, const clnscl_train_opts *b)
{
    const char *name, *kind, *help;
    char x[2048], y[2048];
    for (size_t i = 0; clnscl_train_opt_info(i, &name, &kind, &help); i++) {
        if (clnscl_train_opts_get(a, name, x, sizeof x) || clnscl_train_opts_get(b, name, y, sizeof y)) return 0;
        if (strcmp(x, y)) {
            fprintf(stderr, "option %s differs: '%s' vs '%s'\n", name, x, y);
            return 0;
        }
    }
    return 1;
}

static void write_text(const char *p, const char *s)
{
    FILE *f = fopen(p, "w");
    fputs(s, f);
    fclose(f);
}

static void test_options(void)
{
    clnscl_train_opts o, p;
    clnscl_train_opts_default(&o);
    /* defaults documented in the issue */
    CHECK(!strcmp(o.data, "fashion-mnist"));
    CHECK(!strcmp(o.losses, "cl,nscl,scl,ce"));
    CHECK(!strcmp(o.form, "code"));
    CHECK(o.eval_limit == 5000);

    /* setter: flag names with '-' or '_' */
    CHECK_STATUS(clnscl_train_opts_set(&o, "tau", "0.25"), CLNSCL_OK);
    CHECK(o.tau == 0.25);
    CHECK_STATUS(clnscl_train_opts_set(&o, "train-limit", "1000"), CLNSCL_OK);
    CHECK_STATUS(clnscl_train_opts_set(&o, "train_limit", "1200"), CLNSCL_OK);
    CHECK(o.train_limit == 1200);
    CHECK_STATUS(clnscl_train_opts_set(&o, "null-twin", "true"), CLNSCL_OK);
    CHECK(o.null_twin == 1);
    CHECK_STATUS(clnscl_train_opts_set(&o, "losses", "cl,nscl"), CLNSCL_OK);
    CHECK_STATUS(clnscl_train_opts_set(&o, "out", "/tmp/x"), CLNSCL_OK);
    CHECK_STATUS(clnscl_train_opts_check(&o), CLNSCL_OK);
    /* bad values */
    CHECK_STATUS(clnscl_train_opts_set(&o, "tau", "abc"), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_train_opts_set(&o, "tau", "nan"), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_train_opts_set(&o, "epochs", "-3"), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_train_opts_set(&o, "epochs", "3x"), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_train_opts_set(&o, "no-such-flag", "1"), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_train_opts_set(&o, "resume", "maybe"), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_train_opts_set(&o, "steps-per-epoch", "5"), CLNSCL_EINVAL);
    CHECK(o.tau == 0.25 && o.epochs == 10); /* failed sets leave the value */
    /* validation */
    p = o;
    strcpy(p.losses, "cl,foo");
    CHECK_STATUS(clnscl_train_opts_check(&p), CLNSCL_EINVAL);
    strcpy(p.losses, "cl,nscl,cl");
    CHECK_STATUS(clnscl_train_opts_check(&p), CLNSCL_EINVAL);
    p = o;
    p.batch = 1;
    CHECK_STATUS(clnscl_train_opts_check(&p), CLNSCL_EINVAL);
    p = o;
    p.tau = 0;
    CHECK_STATUS(clnscl_train_opts_check(&p), CLNSCL_EINVAL);
    p = o;
    strcpy(p.eval_steps, "50,10");
    CHECK_STATUS(clnscl_train_opts_check(&p), CLNSCL_EINVAL);
    strcpy(p.eval_steps, "10,");
    CHECK_STATUS(clnscl_train_opts_check(&p), CLNSCL_EINVAL);
    p = o;
    strcpy(p.model, "resnet");
    CHECK_STATUS(clnscl_train_opts_check(&p), CLNSCL_EINVAL);
    p = o;
    p.out[0] = '\0';
    CHECK_STATUS(clnscl_train_opts_check(&p), CLNSCL_EINVAL);

    /* JSON round trip: every option survives, and the hash is equal */
    o.seed = 987654321;
    o.lr = 0.1 + 1e-12; /* needs all 17 digits */
    strcpy(o.classes, "0,3,5");
    o.steps_per_epoch = 7;
    char *json = NULL;
    CHECK_STATUS(clnscl_train_opts_to_json(&o, &json), CLNSCL_OK);
    CHECK(json && strstr(json, "\"batch\"") && strstr(json, "\"tau\"") && strstr(json, "\"steps_per_epoch\"") &&
          strstr(json, "\"losses\"") && strstr(json, "\"form\"") && strstr(json, "\"seed\""));
    clnscl_train_opts_default(&p);
    CHECK_STATUS(clnscl_train_opts_from_json(&p, json), CLNSCL_OK);
    CHECK(opts_equal(&o, &p));
    CHECK(clnscl_train_opts_hash(&o) == clnscl_train_opts_hash(&p));
    free(json);
    CHECK_STATUS(clnscl_train_opts_from_json(&p, "{\"tau\": \"x\"}"), CLNSCL_EFORMAT);
    CHECK_STATUS(clnscl_train_opts_from_json(&p, "{\"bogus\": 1}"), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_train_opts_from_json(&p, "{\"tau\": 0.5, \"tau\": 0.6}"), CLNSCL_EFORMAT); /* key twice */
    CHECK_STATUS(clnscl_train_opts_from_json(&p, "{\"batch\": 1e20}"), CLNSCL_EFORMAT);            /* beyond a long */
    CHECK_STATUS(clnscl_train_opts_from_json(&p, "{\"tau\": 1e999}"), CLNSCL_EFORMAT);             /* inf */
    CHECK_STATUS(clnscl_train_opts_from_json(&p, "[1,2"), CLNSCL_EFORMAT);

    /* hash: experiment options change it, run-control options do not */
    clnscl_train_opts a, b;
    clnscl_train_opts_default(&a);
    b = a;
    strcpy(b.out, "/elsewhere");
    b.resume = 1;
    b.quiet = 1;
    CHECK(clnscl_train_opts_hash(&a) == clnscl_train_opts_hash(&b));
    b.tau = 0.2;
    CHECK(clnscl_train_opts_hash(&a) != clnscl_train_opts_hash(&b));
    b = a;
    b.seed = a.seed + 1;
    CHECK(clnscl_train_opts_hash(&a) != clnscl_train_opts_hash(&b));

    /* INI: same keys as the flags; [train] section or none; other sections ignored */
    write_text(tmp("a.ini"), "; comment\nepochs = 3\n[train]\ntau=0.2\nlosses = cl,scl\nnull_twin = yes\n"
                             "[other]\ntau = 9\n");
    clnscl_train_opts_default(&a);
    CHECK_STATUS(clnscl_train_opts_load_ini(&a, tmp("a.ini")), CLNSCL_OK);
    CHECK(a.epochs == 3 && a.tau == 0.2 && !strcmp(a.losses, "cl,scl") && a.null_twin == 1);
    /* round trip: INI built from every option's text reproduces the options */
    FILE *f = fopen(tmp("b.ini"), "w");
    const char *name, *kind, *help;
    char val[2048];
    for (size_t i = 0; clnscl_train_opt_info(i, &name, &kind, &help); i++) {
        clnscl_train_opts_get(&o, name, val, sizeof val);
        fprintf(f, "%s = %s\n", name, val);
    }
    fclose(f);
    clnscl_train_opts_default(&b);
    CHECK_STATUS(clnscl_train_opts_load_ini(&b, tmp("b.ini")), CLNSCL_OK);
    b.steps_per_epoch = o.steps_per_epoch; /* derived: ignored in INI files */
    CHECK(opts_equal(&o, &b));
    write_text(tmp("c.ini"), "epochs = 3\ntau = zero\n");
    CHECK_STATUS(clnscl_train_opts_load_ini(&b, tmp("c.ini")), CLNSCL_EINVAL);
    CHECK(strstr(clnscl_last_error(), "line 2") != NULL);
    write_text(tmp("d.ini"), "epochs 3\n");
    CHECK_STATUS(clnscl_train_opts_load_ini(&b, tmp("d.ini")), CLNSCL_EFORMAT);
    CHECK_STATUS(clnscl_train_opts_load_ini(&b, tmp("missing.ini")), CLNSCL_EIO);
    /* a key given twice (in any spelling, in a second [train] section) */
    write_text(tmp("e.ini"), "tau = 0.2\n; comment\n[train]\nnull-twin = 1\nnull_twin = 0\n");
    CHECK_STATUS(clnscl_train_opts_load_ini(&b, tmp("e.ini")), CLNSCL_EINVAL);
    CHECK_MSG(strstr(clnscl_last_error(), "line 5: key 'null-twin' given twice") != NULL, "%s", clnscl_last_error());
    write_text(tmp("e.ini"), "[train]\nepochs = 2\n[other]\nepochs = 3\n[train]\nepochs = 4\n");
    CHECK_STATUS(clnscl_train_opts_load_ini(&b, tmp("e.ini")), CLNSCL_EINVAL);
    CHECK(strstr(clnscl_last_error(), "line 6") != NULL);
    /* keys of other sections may repeat; a malformed line before a bad value is the error named */
    write_text(tmp("e.ini"), "[other]\nx = 1\nx = 2\n[train]\nepochs = 2\n");
    CHECK_STATUS(clnscl_train_opts_load_ini(&b, tmp("e.ini")), CLNSCL_OK);
    CHECK(b.epochs == 2);
    write_text(tmp("e.ini"), "epochs 2\ntau = cold\n");
    CHECK_STATUS(clnscl_train_opts_load_ini(&b, tmp("e.ini")), CLNSCL_EFORMAT);
    CHECK_MSG(strstr(clnscl_last_error(), "line 1: malformed") != NULL, "%s", clnscl_last_error());
    /* not a regular text file: a directory, control bytes, a NUL, over-long lines */
    CHECK_STATUS(clnscl_train_opts_load_ini(&b, dir), CLNSCL_EIO);
    CHECK(strstr(clnscl_last_error(), "not a regular file") != NULL);
    FILE *g = fopen(tmp("e.ini"), "wb");
    fwrite("epochs = 2\r\ntau = 0.2\n\0\n", 1, 25, g);
    fclose(g);
    CHECK_STATUS(clnscl_train_opts_load_ini(&b, tmp("e.ini")), CLNSCL_EFORMAT);
    CHECK_MSG(strstr(clnscl_last_error(), "line 3: not a text file (byte 0x00)") != NULL, "%s", clnscl_last_error());
    char line[260] = "data = mnist:";
    memset(line + 13, 'x', 186); /* 199 characters: the longest line taken whole */
    line[199] = '\0';
    write_text(tmp("e.ini"), line);
    clnscl_train_opts_default(&b);
    CHECK_STATUS(clnscl_train_opts_load_ini(&b, tmp("e.ini")), CLNSCL_OK);
    CHECK(strlen(b.data) == 6 + 186); /* "mnist:" and the x */
    strcat(line, "x\n");
    write_text(tmp("e.ini"), line);
    CHECK_STATUS(clnscl_train_opts_load_ini(&b, tmp("e.ini")), CLNSCL_EFORMAT);
    CHECK(strstr(clnscl_last_error(), "line 1: longer than 199 characters") != NULL);
    unlink(tmp("e.ini"));

    /* values out of range, lists with empty or repeated items */
    clnscl_train_opts_default(&p);
    strcpy(p.out, "/tmp/x");
    CHECK_STATUS(clnscl_train_opts_set(&p, "seed", "99999999999999999999"), CLNSCL_EINVAL);
    CHECK(strstr(clnscl_last_error(), "out of range") != NULL);
    struct { const char *key, *value; } bad[] = {
        {"losses", "cl,,nscl"}, {"losses", "cl,"}, {"losses", ",cl"}, {"classes", "0,1,0"}, {"classes", "0,,1"},
        {"classes", "0,1000"}, {"epochs", "100001"}, {"proj-dim", "4294967360"}, {"proj-hidden", "65537"},
        {"noise", "1.5"}, {"widths", "65537"}, {"widths", "1,1,1,1,1,1,1,1,1"}, {"schedule", "cosine:eta=1"},
        {"lr-scale", "cube"}, {"eval-steps", "10,,50"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clnscl_train_opts q = p;
        CHECK_STATUS(clnscl_train_opts_set(&q, bad[i].key, bad[i].value), CLNSCL_OK);
        CHECK_MSG(clnscl_train_opts_check(&q) == CLNSCL_EINVAL, "--%s %s accepted", bad[i].key, bad[i].value);
    }
    struct { const char *key, *value; } good[] = {
        {"losses", "nscl"}, {"classes", "9,0"}, {"epochs", "100000"}, {"proj-dim", "65536"}, {"noise", "1"},
        {"widths", "1,1,1,1,1,1,1,1"}, {"schedule", "constant"}, {"lr-scale", "fourth"}, {"eval-steps", ""},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        clnscl_train_opts q = p;
        CHECK_STATUS(clnscl_train_opts_set(&q, good[i].key, good[i].value), CLNSCL_OK);
        CHECK_MSG(clnscl_train_opts_check(&q) == CLNSCL_OK, "--%s %s: %s", good[i].key, good[i].value,
                  clnscl_last_error());
    }
}

static void test_checkpoint(void)
{
    unsigned char payload[1000];
    for (int i = 0; i < 1000; i++) payload[i] = (unsigned char)(i * 37 + 11);
    const uint64_t hash = 0x0123456789abcdefull;
    CHECK_STATUS(clnscl_ckpt_write(tmp("c.bin"), hash, payload, sizeof payload), CLNSCL_OK);
    void *p = NULL;
    size_t n = 0;
    CHECK_STATUS(clnscl_ckpt_read(tmp("c.bin"), hash, &p, &n), CLNSCL_OK);
    CHECK(n == sizeof payload && p && !memcmp(p, payload, n));
    free(p);
    /* a different configuration */
    CHECK_STATUS(clnscl_ckpt_read(tmp("c.bin"), hash ^ 1, &p, &n), CLNSCL_EINVAL);
    CHECK(p == NULL);
    /* read the file back, corrupt it in several ways */
    FILE *f = fopen(tmp("c.bin"), "rb");
    unsigned char raw[2000];
    size_t len = fread(raw, 1, sizeof raw, f);
    fclose(f);
    CHECK(len == 32 + 1000 + 4);
    struct {
        const char *what;
        size_t cut;       /* bytes kept */
        long flip;        /* byte index flipped, -1 none */
        int expect;
    } cases[] = {
        {"truncated payload", len - 10, -1, CLNSCL_EFORMAT},
        {"truncated header", 20, -1, CLNSCL_EFORMAT},
        {"empty", 0, -1, CLNSCL_EFORMAT},
        {"bad magic", len, 0, CLNSCL_EFORMAT},
        {"bad version", len, 8, CLNSCL_EFORMAT},
        {"bit flip in payload", len, 500, CLNSCL_EFORMAT},
        {"bit flip in crc", len, (long)len - 1, CLNSCL_EFORMAT},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        unsigned char buf[2000];
        memcpy(buf, raw, len);
        if (cases[k].flip >= 0) buf[cases[k].flip] ^= 0x40;
        f = fopen(tmp("bad.bin"), "wb");
        fwrite(buf, 1, cases[k].cut, f);
        fclose(f);
        int st = clnscl_ckpt_read(tmp("bad.bin"), hash, &p, &n);
        CHECK_MSG(st == cases[k].expect, "%s: status %d (%s)", cases[k].what, st, clnscl_last_error());
        CHECK(p == NULL);
    }
    /* trailing bytes */
    f = fopen(tmp("bad.bin"), "wb");
    fwrite(raw, 1, len, f);
    fputc(0, f);
    fclose(f);
    CHECK_STATUS(clnscl_ckpt_read(tmp("bad.bin"), hash, &p, &n), CLNSCL_EFORMAT);
    CHECK_STATUS(clnscl_ckpt_read(tmp("nope.bin"), hash, &p, &n), CLNSCL_EIO);
}

static void test_weight_gap(void)
{
    /* EDGE_CASES.md T1: exactly 2 for B = −A, exactly 0 for B = A, undefined for 0, 0 */
    float a[257], b[257], z[257] = {0};
    for (int i = 0; i < 257; i++) {
        a[i] = (float)(0.37 * sin(1.0 + i) + 0.01 * i);
        b[i] = -a[i];
    }
    double g = -1;
    CHECK_STATUS(clnscl_weight_gap(a, b, 257, &g), CLNSCL_OK);
    CHECK(g == 2.0);
    CHECK_STATUS(clnscl_weight_gap(a, a, 257, &g), CLNSCL_OK);
    CHECK(g == 0.0);
    CHECK_STATUS(clnscl_weight_gap(z, z, 257, &g), CLNSCL_EDEGENERATE);
    /* hand value: A = (3, 4), B = (0, 0) → ‖A‖ = 5, gap = 5 / 2.5 = 2; A = (3,4), B = (6,8) → 5/7.5 */
    float p[2] = {3, 4}, q[2] = {0, 0}, r[2] = {6, 8};
    CHECK_STATUS(clnscl_weight_gap(p, q, 2, &g), CLNSCL_OK);
    CHECK(g == 2.0);
    CHECK_STATUS(clnscl_weight_gap(p, r, 2, &g), CLNSCL_OK);
    CHECK_CLOSE(g, 5.0 / 7.5, 1e-15, 0);
}

static void test_lists(void)
{
    long v[4];
    size_t n;
    CHECK_STATUS(clnscl_parse_long_list("10,50,200", v, 4, &n, 1), CLNSCL_OK);
    CHECK(n == 3 && v[0] == 10 && v[1] == 50 && v[2] == 200);
    CHECK_STATUS(clnscl_parse_long_list("", v, 4, &n, 1), CLNSCL_OK);
    CHECK(n == 0);
    CHECK_STATUS(clnscl_parse_long_list("1,2,3,4,5", v, 4, &n, 1), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_parse_long_list("3,3", v, 4, &n, 1), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_parse_long_list("3,3", v, 4, &n, 0), CLNSCL_OK);
    CHECK_STATUS(clnscl_parse_long_list("1,,2", v, 4, &n, 0), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_parse_long_list("-1", v, 4, &n, 0), CLNSCL_EINVAL);
}

int main(void)
{
    clnscl_gsl_quiet();
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_options();
    test_checkpoint();
    test_weight_gap();
    test_lists();
    const char *names[] = {"a.ini", "b.ini", "c.ini", "d.ini", "c.bin", "bad.bin"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) unlink(tmp(names[i]));
    rmdir(dir);
    return check_report();
}
