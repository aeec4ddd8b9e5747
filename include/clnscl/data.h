/* clnscl/data.h — image data sets, class subsets, augmentations, frozen-feature probes.
 *
 * Real data only, never downloaded at run time (issue 5 "Data"):
 *   Fashion-MNIST / MNIST  IDX files, gzip (zlib) or plain  (EDGE_CASES.md D1)
 *   CIFAR-10 / CIFAR-100   binary batches, planar RGB       (EDGE_CASES.md D2)
 * Every image is stored as float32 pixels in [0,1] (byte / 255), layout n × C × H × W
 * (row-major, planar channels), labels int32 in [0, num_classes).
 *
 * Augmentations draw all their randomness from one copyable clnscl_rng stream, so every
 * twin network sees exactly the same pixels (THEORY.md §1 "shared randomness",
 * EDGE_CASES.md T1). Evaluation images are never augmented.
 *
 * All functions return a clnscl_status (status.h) and record a message on failure.
 */
#ifndef CLNSCL_DATA_H
#define CLNSCL_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "clnscl/rng.h"

/* default location of the Debian package `dataset-fashion-mnist` */
#define CLNSCL_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

/* ---------------------------------------------------------------- data sets */

typedef struct {
    size_t n;            /* number of images                                  */
    int channels;        /* C: 1 (MNIST family) or 3 (CIFAR)                  */
    int height, width;   /* H, W: 28×28 or 32×32                              */
    int num_classes;     /* labels are in [0, num_classes)                    */
    float *x;            /* n × C × H × W, pixels in [0,1]; owned             */
    int32_t *y;          /* n labels; owned                                   */
    char name[64];       /* "fashion-mnist", "mnist", "cifar10", "cifar100", ... */
} clnscl_dataset;

typedef enum { CLNSCL_SPLIT_TRAIN = 0, CLNSCL_SPLIT_TEST = 1 } clnscl_split;

/* Pixels per image, C·H·W. */
size_t clnscl_dataset_dim(const clnscl_dataset *d);
/* Frees x and y and zeroes the struct (safe on a zeroed struct). */
void clnscl_dataset_free(clnscl_dataset *d);

/* Reads an IDX image file (magic 0x00000803, n × rows × cols unsigned bytes) and an IDX
 * label file (magic 0x00000801, n unsigned bytes) — each gzip-compressed or plain, detected
 * from the content. Rejects (CLNSCL_EFORMAT, message naming the file): byte-swapped or
 * unknown magic, type byte ≠ 0x08, wrong dimension count, zero dims, sizes disagreeing with
 * the header (trailing or missing bytes = truncation), labels ≥ num_classes;
 * label/image count mismatch → CLNSCL_ESHAPE. num_classes = 10 for MNIST-format sets. */
int clnscl_idx_read(const char *images_path, const char *labels_path, int num_classes,
                    clnscl_dataset *out);

/* MNIST-format directory: {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] (the .gz name is
 * tried first, then the plain name). A missing directory/file → CLNSCL_EIO naming the
 * expected files (and, for the default Fashion-MNIST directory, the Debian package
 * `dataset-fashion-mnist`). */
int clnscl_mnist_load(const char *dir, clnscl_split split, clnscl_dataset *out);

/* One CIFAR binary file. label_bytes = 1 (CIFAR-10 record 1 + 3072 bytes) or 2 (CIFAR-100
 * record: coarse, fine, 3072 bytes); label_index selects which label byte is used
 * (0 .. label_bytes−1); num_classes bounds it (10, 20 or 100). The file size must be a
 * whole positive number of records, else CLNSCL_EFORMAT. Output 3 × 32 × 32 planar. */
int clnscl_cifar_read(const char *path, int label_bytes, int label_index, int num_classes,
                      clnscl_dataset *out);

/* CIFAR directory. kind = 10: data_batch_1..5.bin (train) / test_batch.bin (test);
 * kind = 100: train.bin / test.bin with fine labels (100 classes);
 * kind = 20: CIFAR-100 files with coarse labels (20 super-classes). */
int clnscl_cifar_load(const char *dir, int kind, clnscl_split split, clnscl_dataset *out);

/* Loader by specification string:
 *   "fashion-mnist"            the Debian package's files in CLNSCL_FASHION_MNIST_DIR
 *   "fashion-mnist:DIR"        Fashion-MNIST IDX files in DIR
 *   "mnist:DIR"                MNIST-format IDX files in DIR
 *   "cifar10:DIR"              CIFAR-10 binary batches in DIR
 *   "cifar100:DIR"             CIFAR-100, fine labels (100 classes)
 *   "cifar100-coarse:DIR"      CIFAR-100, coarse labels (20 classes)
 * Anything else → CLNSCL_EINVAL listing the accepted forms. */
int clnscl_data_load(const char *spec, clnscl_split split, clnscl_dataset *out);

/* Parses "0,3,5" into a newly allocated array of k distinct class ids (each ≥ 0, < 1000).
 * Empty entries, duplicates, non-integers → CLNSCL_EINVAL. Free with free(). */
int clnscl_data_parse_classes(const char *list, int **classes, int *k);

/* In place: keeps only images whose label is in classes[0..k), relabelled classes[j] → j
 * (so num_classes becomes k); order of the kept images is preserved. k ≥ 2 and every
 * class id must be < d->num_classes and present in d, else CLNSCL_EINVAL. */
int clnscl_data_select_classes(clnscl_dataset *d, const int *classes, int k);

/* In place: a class-balanced subset of `limit` images: per class ⌊limit/K⌋ images, plus one
 * more for the first limit mod K classes, chosen uniformly without replacement with `rng`;
 * a class with too few images gives all it has and the shortfall is filled round-robin from
 * the others. The kept images stay in their original order. limit ≥ n keeps everything
 * (and draws nothing); limit = 0 → CLNSCL_EINVAL. Same rng state ⇒ same subset. */
int clnscl_data_balanced_subset(clnscl_dataset *d, size_t limit, clnscl_rng *rng);

/* Copies images idx[0..m) of src into a new data set (labels, shape, name kept). */
int clnscl_dataset_gather(const clnscl_dataset *src, const size_t *idx, size_t m,
                          clnscl_dataset *out);

/* ------------------------------------------------------------ augmentations */

/* Each transform is applied with its probability, in this order: random resized crop,
 * horizontal flip, brightness/contrast (+ saturation/hue for RGB) jitter in random order,
 * random grayscale (RGB only), Gaussian noise; pixels are clamped to [0,1] after every
 * photometric step (as torchvision does). */
typedef struct {
    double crop_prob;        /* probability of a random resized crop                  */
    double crop_scale_min;   /* crop area as a fraction of the image, uniform in       */
    double crop_scale_max;   /*   [min, max] ⊂ (0, 1]                                 */
    double crop_ratio_min;   /* aspect ratio w/h, log-uniform in [min, max]            */
    double crop_ratio_max;
    double flip_prob;        /* horizontal flip                                       */
    double jitter_prob;      /* probability of applying the colour jitter block       */
    double brightness;       /* factor uniform in [max(0,1−b), 1+b]                   */
    double contrast;         /* blend with the image mean, factor in [max(0,1−c), 1+c] */
    double saturation;       /* RGB only: blend with the grayscale image              */
    double hue;              /* RGB only: rotation of the chroma plane by ±hue·2π       */
    double grayscale_prob;   /* RGB only: replace by luma (0.299 R + 0.587 G + 0.114 B) */
    double noise_prob;       /* probability of additive Gaussian noise                */
    double noise_std;        /* its standard deviation (pixel units, [0,1] scale)     */
    int threads;             /* worker threads of clnscl_augment_views (1..64); the
                                pixels do not depend on it                            */
} clnscl_augment_config;

/* Defaults for 28×28 grayscale: crop p=1 scale [0.3,1] ratio [3/4,4/3], flip 0.5,
 * jitter p=0.8 brightness 0.4 contrast 0.4, noise p=0.5 std 0.05 (colour fields set to
 * SimCLR's 0.4 / 0.1 / grayscale 0.2, used only for RGB data); threads 2. */
void clnscl_augment_defaults(clnscl_augment_config *c);
/* Every transform off: the augmentation returns its input unchanged. */
void clnscl_augment_identity(clnscl_augment_config *c);
/* Probabilities in [0,1], 0 < scale_min ≤ scale_max ≤ 1, 0 < ratio_min ≤ ratio_max,
 * strengths ≥ 0 and finite, hue ≤ 0.5; else CLNSCL_EINVAL naming the field. */
int clnscl_augment_validate(const clnscl_augment_config *c);

/* largest image side the augmentations accept */
#define CLNSCL_AUGMENT_MAX_SIDE 128

/* One augmented view: out (C×H×W) from in (C×H×W); out ≠ in; C ∈ {1, 3},
 * 1 ≤ H, W ≤ CLNSCL_AUGMENT_MAX_SIDE, config already validated. Draws a fixed sequence of
 * numbers from rng for a given config (independent of the pixel values). */
void clnscl_augment_image(const clnscl_augment_config *c, int C, int H, int W,
                          const float *in, float *out, clnscl_rng *rng);

/* Two views of a batch of images d->x[idx[b]], b = 0..B−1: for b in order, view1[b] and
 * then view2[b] each take one stream clnscl_rng_split(rng) (2B draws of rng in total), and
 * each view is then augmented from its own stream (in parallel with c->threads threads;
 * the pixels never depend on the thread count). view1 and view2 are B × C×H×W each (pass
 * out and out + B·C·H·W for the 2B-row point layout of THEORY.md §3.2). A copy of the rng
 * state reproduces exactly the same pixels. Invalid config / idx ≥ n → error. */
int clnscl_augment_views(const clnscl_augment_config *c, const clnscl_dataset *d,
                         const size_t *idx, size_t B, float *view1, float *view2,
                         clnscl_rng *rng);

/* --------------------------------------------- probes on frozen features */

/* Features are row-major double n × dim. Labels in [0, num_classes). */

/* Nearest-class-mean accuracy: Euclidean class means of the train features, each eval
 * row assigned to the nearest mean (ties → lowest class id); acc in [0,1]. A class absent
 * from the train set is ignored; non-finite features → CLNSCL_ENONFINITE. */
int clnscl_probe_ncc(const double *ftrain, const int32_t *ytrain, size_t ntrain,
                     const double *feval, const int32_t *yeval, size_t neval,
                     size_t dim, int num_classes, double *acc);

typedef struct {
    int iters;             /* L-BFGS iterations (fixed maximum)                    */
    int memory;            /* L-BFGS history length                                */
    double weight_decay;   /* λ: objective = mean CE + λ/2 ‖W‖²_F (bias not decayed) */
    int standardize;       /* 1: z-score features with train mean/std first        */
    double tol;            /* stop when ‖∇‖_∞ < tol                                 */
} clnscl_probe_config;

/* iters 100, memory 10, weight_decay 1e-4, standardize 1, tol 1e-7. */
void clnscl_probe_defaults(clnscl_probe_config *c);

/* Linear probe: multinomial logistic regression on frozen train features (double,
 * deterministic L-BFGS with backtracking line search from W = 0, b = 0), accuracy on the
 * eval features. Optional outputs (may be NULL): W (dim × num_classes, in the standardized
 * space when standardize = 1), b (num_classes), the final objective. */
int clnscl_probe_linear(const clnscl_probe_config *c,
                        const double *ftrain, const int32_t *ytrain, size_t ntrain,
                        const double *feval, const int32_t *yeval, size_t neval,
                        size_t dim, int num_classes, double *acc,
                        double *W, double *b, double *objective);

#endif
