/* clnscl/rng.h — explicit, copyable random number generator.
 *
 * xoshiro256** seeded through splitmix64. The whole state is a plain struct, so
 * `clnscl_rng b = a;` clones a stream exactly: twin training hands every twin the
 * same draws (THEORY.md §1 "shared randomness", EDGE_CASES.md T1).
 */
#ifndef CLNSCL_RNG_H
#define CLNSCL_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct { uint64_t s[4]; } clnscl_rng;

void     clnscl_rng_seed(clnscl_rng *r, uint64_t seed);
uint64_t clnscl_rng_next(clnscl_rng *r);
/* uniform double in [0,1) with 53 random bits */
double   clnscl_rng_uniform(clnscl_rng *r);
/* unbiased integer in [0, n), n >= 1 (Lemire's method) */
uint64_t clnscl_rng_below(clnscl_rng *r, uint64_t n);
/* standard normal (polar Box–Muller, no cached spare: state stays copyable) */
double   clnscl_rng_normal(clnscl_rng *r);
/* Fisher–Yates shuffle of a[0..n) */
void     clnscl_rng_shuffle(clnscl_rng *r, size_t *a, size_t n);
/* a new independent stream derived from r (advances r by one draw) */
clnscl_rng clnscl_rng_split(clnscl_rng *r);

#endif
