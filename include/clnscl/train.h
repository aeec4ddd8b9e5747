/* clnscl/train.h — twin training under shared randomness (THEORY.md §1, §5, §6).
 *
 * Owned by train/ (trainer.c, config.c, checkpoint.c). One initialisation is
 * copied to every twin; one RNG stream draws the batch order and both augmented
 * views, so every twin sees the same pixels; each twin has its own optimizer
 * state and BatchNorm statistics; only the loss differs (EDGE_CASES.md T1).
 * An optional null-control twin "cl2" is a CL twin trained WITHOUT shared
 * randomness (own init, batch order and augmentations).
 *
 * Outputs of clnscl_train_run (all written atomically, see README):
 *   OUT/alignment.csv  epoch,step,other,cka,cka_cosine,rsa,weight_gap,weight_gap_all
 *   OUT/models.csv     epoch,step,model,loss,ncc_acc,probe_acc
 *   OUT/config.json    every option below (keys = long flag names)
 *   OUT/reference/labels.npy, OUT/reference/<model>_epoch<EEEE>.npy
 *   OUT/checkpoint.bin (every epoch and on SIGINT/SIGTERM)
 */
#ifndef CLNSCL_TRAIN_H
#define CLNSCL_TRAIN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define CLNSCL_TRAIN_PATH 1024
#define CLNSCL_TRAIN_LIST 512
/* default --eval-steps: cut to the run's length (explicit steps beyond the run are an error) */
#define CLNSCL_TRAIN_EVAL_STEPS "10,50"

/* Every field has a long flag name (= INI key = config.json key): see
 * clnscl_train_opts_set and clnscl_train_opt_info. */
typedef struct {
    /* data */
    char data[CLNSCL_TRAIN_PATH];  /* fashion-mnist | mnist:DIR | cifar10:DIR | cifar100:DIR */
    char classes[CLNSCL_TRAIN_LIST]; /* "" = all, else "0,3,5" (labels remapped to 0..C-1) */
    long train_limit;               /* 0 = all; class-balanced subset                        */
    long eval_limit;                /* evaluation images (test split, class-balanced)        */
    long probe_limit;               /* training images used for NCC means / probe fit        */
    long ref_size;                  /* reference set N (2N rows in the .npy files)           */
    /* augmentations (one shared draw per image and view) */
    int augment;                    /* 0 = identity views                                    */
    double crop_scale;              /* random resized crop: minimum area fraction            */
    double flip;                    /* probability of a horizontal flip                      */
    double jitter;                  /* brightness/contrast jitter strength                   */
    double color_jitter;            /* saturation/hue jitter strength (RGB)                  */
    double grayscale;               /* probability of grayscale (RGB)                        */
    double noise;                   /* Gaussian pixel noise standard deviation               */
    /* model */
    char model[16];                 /* mlp | cnn                                             */
    char widths[CLNSCL_TRAIN_LIST]; /* encoder widths ("" = the model's default)             */
    long proj_hidden;               /* projector hidden width (0 = the model's default)      */
    long proj_dim;                  /* projection dimension (0 = the model's default)        */
    /* objectives */
    char losses[128];               /* comma list of cl,nscl,scl,ce (cl always trained)      */
    char form[8];                   /* code | paper (CL and NSCL)                            */
    double tau;
    int null_twin;                  /* also train cl2 without shared randomness              */
    /* optimisation */
    long epochs, batch;
    char optimizer[8];              /* sgd | lars                                            */
    double lr, momentum, weight_decay, trust, clip;
    char schedule[16];              /* constant | cosine                                     */
    char lr_scale[16];              /* none | constant | linear | sqrt | fourth              */
    long ref_batch, warmup;
    /* measurement */
    char eval_steps[CLNSCL_TRAIN_LIST]; /* extra early evaluations at these global steps    */
    long seed;
    /* run control (not hashed, not part of the experiment) */
    char out[CLNSCL_TRAIN_PATH];
    int resume;
    int quiet;
    /* derived by clnscl_train_opts_check (written to config.json) */
    long steps_per_epoch;
} clnscl_train_opts;

/* Defaults (data fashion-mnist, mlp, cl,nscl,scl,ce, code form, ...). */
void clnscl_train_opts_default(clnscl_train_opts *o);
/* Set one option from text; key = long flag name without "--" ('-' or '_' both
 * accepted). Unknown key or bad value → CLNSCL_EINVAL with a message. */
int clnscl_train_opts_set(clnscl_train_opts *o, const char *key, const char *value);
/* Apply an INI file: "key = value" lines, optional [train] section (others ignored). A path
 * that is not a regular file, control bytes, a line longer than 199 characters, a key given
 * twice in [train] (in either spelling) or a bad value → error naming the file and line. */
int clnscl_train_opts_load_ini(clnscl_train_opts *o, const char *path);
/* Validate everything that can be checked without the data. */
int clnscl_train_opts_check(const clnscl_train_opts *o);
/* config.json text (caller frees); every option, keys = flag names. */
int clnscl_train_opts_to_json(const clnscl_train_opts *o, char **json);
/* Apply a config.json text (inverse of _to_json). */
int clnscl_train_opts_from_json(clnscl_train_opts *o, const char *json);
/* 64-bit FNV-1a hash of every option that changes the experiment (not out,
 * resume, quiet). Stored in checkpoints. */
uint64_t clnscl_train_opts_hash(const clnscl_train_opts *o);
/* Option table for --help: i-th option's name, value kind ("text", "int",
 * "real", "0|1") and one-line help; returns 0 past the end. */
int clnscl_train_opt_info(size_t i, const char **name, const char **kind, const char **help);
/* Current value of option `name` as text into buf. */
int clnscl_train_opts_get(const clnscl_train_opts *o, const char *name, char *buf, size_t len);

/* Shortest "%.Ng" text that reads back as exactly v (N ≤ 17); snprintf's return. */
int clnscl_fmt_double(char *buf, size_t len, double v);

/* Parse "a,b,c" of non-negative integers (strictly increasing when `increasing`). */
int clnscl_parse_long_list(const char *s, long *out, size_t cap, size_t *n, int increasing);

/* --- weight gap (THEORY.md §5) --------------------------------------------------
 * ‖A − B‖_F / (½(‖A‖_F + ‖B‖_F)) in double; zero denominator → CLNSCL_EDEGENERATE. */
int clnscl_weight_gap(const float *a, const float *b, size_t n, double *out);

/* --- checkpoint container -------------------------------------------------------
 * File: magic "CLNSCLCK", u32 version, u32 reserved, u64 config hash, u64 payload
 * length, payload, u32 crc32(payload). Little-endian host layout. */
#define CLNSCL_CKPT_VERSION 1u
int clnscl_ckpt_write(const char *path, uint64_t config_hash, const void *payload, size_t len);
/* Reads and verifies; wrong magic/version/hash, truncation or bad CRC →
 * CLNSCL_EFORMAT (CLNSCL_EINVAL for a different configuration). Caller frees. */
int clnscl_ckpt_read(const char *path, uint64_t config_hash, void **payload, size_t *len);

/* --- the trainer ---------------------------------------------------------------- */

/* Progress hook (may be NULL): called by the trainer after every step. */
typedef struct {
    long epoch, epochs, step, steps;    /* step = global step, steps = total */
    double images_per_s;
    int ntwins;
    const char *names[8];
    double loss[8];                     /* running mean of the epoch's batch losses */
} clnscl_train_progress;
typedef void (*clnscl_train_progress_fn)(const clnscl_train_progress *p, void *user);

/* Set by the SIGINT/SIGTERM handler installed by clnscl_train_run (or by a test):
 * the trainer saves a checkpoint and returns CLNSCL_EINTERRUPTED. */
extern volatile sig_atomic_t clnscl_train_stop;
/* Stop after this global step (test hook for resume; 0 = never). Same effect as a signal. */
extern long clnscl_train_stop_at_step;

/* Train the twins, writing every output into o->out. On failure (not on CLNSCL_EINTERRUPTED)
 * o->out is left as it was before the call: files written are removed, files replaced are put
 * back, directories created are removed. The training and test images must have one geometry
 * (each side 1..CLNSCL_AUGMENT_MAX_SIDE; cnn: 2^stages at least); an explicit --eval-steps
 * entry beyond the run and a run larger than the machine's memory are refused up front. */
int clnscl_train_run(const clnscl_train_opts *o, clnscl_train_progress_fn fn, void *user);

#endif
