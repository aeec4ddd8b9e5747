/* clnscl/hot.h — CLNSCL_HOT marks a hot loop function for every module.
 *
 * Compiled at -O3 in AVX-512 / x86-64-v3 (AVX2 with FMA) / baseline clones chosen at load time
 * (GCC function multi-versioning). Only element-wise loops vectorise (no fast-math flags:
 * reductions keep their order, and ISO C mode does no FMA contraction), so every clone computes
 * bit-identical results. The middle clone is x86-64-v3 rather than plain "avx2", which leaves FMA
 * off: every fma() there became a libm call and the surrogate step ran 25× slower.
 */
#ifndef CLNSCL_HOT_H
#define CLNSCL_HOT_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define CLNSCL_HOT __attribute__((target_clones("avx512f", "arch=x86-64-v3", "default"), optimize("O3")))
#else
#define CLNSCL_HOT
#endif

#endif
