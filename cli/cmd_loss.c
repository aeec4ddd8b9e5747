/* cli/cmd_loss.c — `clnscl loss`: evaluate CL / NSCL / SCL (THEORY.md §2) on given
 * unnormalised projections, in double, optionally writing the gradients. */
#include "cli.h"

#include "clnscl/io.h"
#include "clnscl/loss.h"
#include "clnscl/status.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fputs(
        "usage: clnscl loss --loss cl|nscl|scl [--form code|paper] --tau T --z1 A.npy --z2 B.npy\n"
        "                   [--labels Y.npy] [--grad-out PREFIX] [--json]\n"
        "\n"
        "Evaluates a contrastive loss on B samples with two views each (row i of A and row i\n"
        "of B are the two views of sample i; A and B are B x d, unnormalised: the cosine\n"
        "similarity is computed inside), in double precision. Every one of the 2B views is an\n"
        "anchor and the loss is the mean over the 2B anchors, as in the authors' code.\n"
        "\n"
        "  --loss cl|nscl|scl   cl: SimCLR / decoupled InfoNCE; nscl: negatives-only supervised\n"
        "                       (denominator over other-class views); scl: SupCon L_out\n"
        "  --form code|paper    code (default): the positive appears once in the denominator\n"
        "                       (the authors' released code); paper: positive excluded (the\n"
        "                       paper's equations). cl and nscl only.\n"
        "  --tau T              temperature, T > 0\n"
        "  --z1 A.npy --z2 B.npy  the two views (NPY or CSV, B x d, same shape, finite)\n"
        "  --labels Y.npy       B integer labels >= 0 (required for nscl and scl)\n"
        "  --grad-out PREFIX    write dL/dA to PREFIX_z1.npy and dL/dB to PREFIX_z2.npy\n"
        "                       (float64, B x d)\n"
        "  --json               print {\"loss\": value, \"kind\": ..., \"form\": ..., \"tau\": ...,\n"
        "                       \"batch\": B, \"dim\": d} instead of the bare value\n"
        "\n"
        "Rows are divided by max(||z||, 1e-12), as PyTorch's F.normalize: a row of smaller norm,\n"
        "a zero row included, acts as the zero vector (cosine 0 with every view), with a finite\n"
        "gradient.\n"
        "Exit status 2 (one line on stderr, nothing written) on bad input: shapes that do not\n"
        "match, NaN/Inf, T <= 0, or a paper-form loss with an empty denominator (nscl with\n"
        "every label equal: log 0).\n",
        f);
}

int clnscl_cmd_loss(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) { usage(stdout); return 0; }
    if (cli_reject_repeats(argc, argv, NULL)) return 2;
    const char *kind_s = NULL, *form_s = "code", *z1p = NULL, *z2p = NULL, *labp = NULL, *gradp = NULL;
    double tau = NAN;
    int json = 0, have_tau = 0, have_form = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const int more = i + 1 < argc;
        if (!strcmp(a, "--json")) { json = 1; continue; }
        if (strncmp(a, "--", 2) != 0) return cli_error("loss: unexpected argument '%s' (see --help)", a);
        if (!more) return cli_error("loss: %s needs a value", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--loss")) kind_s = v;
        else if (!strcmp(a, "--form")) { form_s = v; have_form = 1; }
        else if (!strcmp(a, "--tau")) { if (cli_parse_double("--tau", v, &tau)) return 2; have_tau = 1; }
        else if (!strcmp(a, "--z1")) z1p = v;
        else if (!strcmp(a, "--z2")) z2p = v;
        else if (!strcmp(a, "--labels")) labp = v;
        else if (!strcmp(a, "--grad-out")) gradp = v;
        else return cli_error("loss: unknown option '%s' (see --help)", a);
    }
    if (!kind_s) return cli_error("loss: --loss cl|nscl|scl is required");
    clnscl_loss_kind kind;
    clnscl_loss_form form;
    if (clnscl_loss_parse_kind(kind_s, &kind)) return cli_fail_status(CLNSCL_EINVAL);
    if (kind == CLNSCL_LOSS_CE) return cli_error("loss: --loss must be cl, nscl or scl");
    if (clnscl_loss_parse_form(form_s, &form)) return cli_fail_status(CLNSCL_EINVAL);
    if (kind == CLNSCL_LOSS_SCL && have_form && form == CLNSCL_FORM_PAPER)
        return cli_error("loss: scl has one form (SupCon L_out); --form paper applies to cl and nscl");
    if (!have_tau) return cli_error("loss: --tau is required");
    if (!(tau > 0.0)) return cli_error("loss: --tau must be > 0 (got %g)", tau);
    if (!z1p || !z2p) return cli_error("loss: --z1 and --z2 are required");
    if (kind != CLNSCL_LOSS_CL && !labp) return cli_error("loss: --labels is required for %s", kind_s);

    clnscl_mat A = {0}, Bm = {0};
    int32_t *y = NULL;
    double *z = NULL, *g = NULL;
    int st, rc = 2;
    if ((st = clnscl_matrix_read(z1p, &A)) || (st = clnscl_matrix_read(z2p, &Bm))) { rc = cli_fail_status(st); goto done; }
    if (A.rows != Bm.rows || A.cols != Bm.cols) {
        rc = cli_error("loss: --z1 is %zu x %zu but --z2 is %zu x %zu (the two views must have the same shape)",
                       A.rows, A.cols, Bm.rows, Bm.cols);
        goto done;
    }
    if (A.rows < 1 || A.cols < 1) { rc = cli_error("loss: empty embeddings"); goto done; }
    if ((st = clnscl_mat_check_finite(&A, z1p)) || (st = clnscl_mat_check_finite(&Bm, z2p))) { rc = cli_fail_status(st); goto done; }
    const size_t n = A.rows, d = A.cols;
    if (labp) {
        size_t nl = 0;
        if ((st = clnscl_labels_read(labp, &y, &nl))) { rc = cli_fail_status(st); goto done; }
        if (nl != n) { rc = cli_error("loss: %zu labels for %zu samples", nl, n); goto done; }
    }
    z = malloc(2 * n * d * sizeof(double));
    g = gradp ? malloc(2 * n * d * sizeof(double)) : NULL;
    if (!z || (gradp && !g)) { rc = cli_error("loss: out of memory"); goto done; }
    memcpy(z, A.data, n * d * sizeof(double));
    memcpy(z + n * d, Bm.data, n * d * sizeof(double));
    double loss;
    if ((st = clnscl_loss_contrastive(kind, form, tau, z, n, d, y, &loss, g))) { rc = cli_fail_status(st); goto done; }
    if (!isfinite(loss)) { rc = cli_error("loss: the loss is not finite"); goto done; }
    if (gradp) {
        const size_t L = strlen(gradp) + 16;
        char *p1 = malloc(L), *p2 = malloc(L);
        snprintf(p1, L, "%s_z1.npy", gradp);
        snprintf(p2, L, "%s_z2.npy", gradp);
        st = clnscl_npy_write_f64(p1, g, n, d);
        if (!st) {
            st = clnscl_npy_write_f64(p2, g + n * d, n, d);
            if (st) unlink(p1); /* no partial output */
        }
        free(p1);
        free(p2);
        if (st) { rc = cli_fail_status(st); goto done; }
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "loss", loss);
        cJSON_AddStringToObject(o, "kind", clnscl_loss_kind_name(kind));
        cJSON_AddStringToObject(o, "form", kind == CLNSCL_LOSS_SCL ? "code" : clnscl_loss_form_name(form));
        cJSON_AddNumberToObject(o, "tau", tau);
        cJSON_AddNumberToObject(o, "batch", (double)n);
        cJSON_AddNumberToObject(o, "dim", (double)d);
        char *s = cJSON_PrintUnformatted(o);
        printf("%s\n", s);
        cJSON_free(s);
        cJSON_Delete(o);
    } else {
        printf("%.17g\n", loss);
    }
    rc = 0;
done:
    clnscl_mat_free(&A);
    clnscl_mat_free(&Bm);
    free(y);
    free(z);
    free(g);
    return rc;
}
