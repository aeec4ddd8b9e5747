/* cli/cmd_train.c — `clnscl train`: twin networks (CL, NSCL, SCL, CE) under shared
 * randomness on real images (THEORY.md §1, §5, §6; issue 5). */
#include "cli.h"

#include "clnscl/progress.h"
#include "clnscl/status.h"
#include "clnscl/train.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clnscl train [--config FILE] --data fashion-mnist|mnist:DIR|cifar10:DIR|cifar100:DIR\n"
            "                    --model mlp|cnn [--losses cl,nscl,scl,ce] --epochs E --batch B\n"
            "                    [--lr LR --tau T --optimizer sgd|lars ...] --seed S [--train-limit N]\n"
            "                    [--eval-limit N] [--classes 0,3,5] [--null-twin] --out DIR [--resume]\n\n"
            "Trains one twin network per loss from ONE shared initialisation on the SAME batches and\n"
            "augmented pixels (shared randomness; only the loss differs) and measures, at epoch 0, at\n"
            "--eval-steps and after every epoch, CKA/RSA of encoder features and the weight gap between\n"
            "CL and every other twin, and each twin's loss, NCC and linear-probe accuracy.\n\n"
            "options (--name VALUE or --name=VALUE, each at most once; a [0|1] option given alone means 1;\n"
            "a --config INI file holds the same names as 'name = value' lines, optionally under [train],\n"
            "each at most once; flags override it):\n");
    const char *name, *kind, *help;
    clnscl_train_opts d;
    clnscl_train_opts_default(&d);
    for (size_t i = 0; clnscl_train_opt_info(i, &name, &kind, &help); i++) {
        if (!strcmp(name, "steps-per-epoch")) continue;
        char def[64] = "", buf[CLNSCL_TRAIN_PATH];
        if (!clnscl_train_opts_get(&d, name, buf, sizeof buf) && buf[0] && strlen(buf) < 40)
            snprintf(def, sizeof def, " [%s]", buf);
        char flag[64];
        if (!strcmp(kind, "0|1")) snprintf(flag, sizeof flag, "--%s [0|1]", name);
        else snprintf(flag, sizeof flag, "--%s %s", name, kind);
        fprintf(f, "  %-24s %s%s\n", flag, help, def);
    }
    fprintf(f,
            "  --config FILE            read options from an INI file first\n"
            "  -h, --help               this help\n\n"
            "outputs in DIR: alignment.csv (epoch,step,other,cka,cka_cosine,rsa,weight_gap,weight_gap_all),\n"
            "models.csv (epoch,step,model,loss,ncc_acc,probe_acc), config.json, reference/labels.npy,\n"
            "reference/<model>_epoch<EEEE>.npy (2N x d, l2-normalised z of 2 fixed views), checkpoint.bin.\n"
            "SIGINT/SIGTERM save the state and exit with status 130; --resume continues it.\n");
}

static void progress_cb(const clnscl_train_progress *p, void *user)
{
    clnscl_progress *pg = user;
    char losses[256] = "";
    size_t n = 0;
    for (int i = 0; i < p->ntwins && n < sizeof losses; i++)
        n += (size_t)snprintf(losses + n, sizeof losses - n, " %s %.4f", p->names[i], p->loss[i]);
    clnscl_progress_update(pg, p->steps ? (double)p->step / (double)p->steps : -1.0,
                           "train epoch %ld/%ld step %ld/%ld |%s | %.0f img/s", p->epoch + 1, p->epochs, p->step,
                           p->steps, losses, p->images_per_s);
}

/* the value kind of option `name` ("text", "int", "real", "0|1"), NULL if there is none */
static const char *opt_kind(const char *name)
{
    const char *n, *kind, *help;
    for (size_t i = 0; clnscl_train_opt_info(i, &n, &kind, &help); i++)
        if (!strcmp(n, name)) return kind;
    return NULL;
}

/* the words a 0|1 option takes as its value */
static int is_bool_word(const char *s)
{
    static const char *w[] = {"0", "1", "true", "false", "yes", "no", "on", "off", NULL};
    for (size_t i = 0; w[i]; i++)
        if (!strcmp(s, w[i])) return 1;
    return 0;
}

#define MAX_ARGS 256

int clnscl_cmd_train(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    /* 1. split argv into (name, value) pairs: '_' and '-' are the same letter in a name; a
     *    0|1 option alone means 1 and may be followed by its value (--resume 1, --augment 0);
     *    an option given twice is an error (a --config file's values are overridden, once) */
    char keys[MAX_ARGS][64];
    const char *vals[MAX_ARGS];
    int n = 0;
    const char *config = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) || !a[2]) return cli_error("unexpected argument '%s' (try clnscl train --help)", a);
        const char *eq = strchr(a + 2, '=');
        size_t kl = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        if (kl >= sizeof keys[0]) return cli_error("unknown option '%.40s...'", a);
        if (n == MAX_ARGS) return cli_error("too many options");
        char *key = keys[n];
        for (size_t k = 0; k < kl; k++) key[k] = a[2 + k] == '_' ? '-' : a[2 + k];
        key[kl] = '\0';
        const char *kind = strcmp(key, "config") ? opt_kind(key) : "text";
        if (!kind) return cli_error("unknown option '--%s' (try clnscl train --help)", key);
        const char *val;
        if (eq) val = eq + 1;
        else if (strcmp(kind, "0|1")) {
            if (i + 1 >= argc) return cli_error("--%s needs a value", key);
            val = argv[++i];
            if (!strncmp(val, "--", 2) && val[2]) /* the value forgotten: "--out --quiet" */
                return cli_error("--%s needs a value (got the option '%s'; write --%s=%s if that is meant)", key,
                                 val, key, val);
        } else if (i + 1 < argc && is_bool_word(argv[i + 1]))
            val = argv[++i];
        else
            val = "1";
        for (int j = 0; j < n; j++)
            if (!strcmp(keys[j], key)) return cli_error("--%s given twice", key);
        if (!strcmp(key, "config")) {
            if (!*val) return cli_error("--config needs a file");
            config = val;
        }
        vals[n++] = val;
    }
    clnscl_train_opts o;
    clnscl_train_opts_default(&o);
    /* 2. the config file first, so that flags override it */
    if (config && clnscl_train_opts_load_ini(&o, config)) return cli_fail_status(CLNSCL_EINVAL);
    /* 3. the flags */
    for (int j = 0; j < n; j++) {
        if (!strcmp(keys[j], "config")) continue;
        if (clnscl_train_opts_set(&o, keys[j], vals[j])) return cli_fail_status(CLNSCL_EINVAL);
    }
    if (clnscl_train_opts_check(&o)) return cli_fail_status(CLNSCL_EINVAL);
    clnscl_progress pg;
    clnscl_progress_init(&pg);
    if (o.quiet) pg.quiet = 1;
    int st = clnscl_train_run(&o, progress_cb, &pg);
    clnscl_progress_done(&pg);
    if (st == CLNSCL_EINTERRUPTED) {
        fprintf(stderr, "clnscl: %s\n", clnscl_last_error());
        return 130;
    }
    if (st) return cli_fail_status(st);
    if (!o.quiet) fprintf(stderr, "clnscl train: done; outputs in %s\n", o.out);
    return 0;
}
