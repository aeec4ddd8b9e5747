/* sim/sim_internal.h — private to sim/. */
#ifndef CLNSCL_SIM_INTERNAL_H
#define CLNSCL_SIM_INTERNAL_H

/* Hot loops: compiled at -O3 in AVX-512 / AVX2 / baseline clones chosen at load time (GCC function
 * multi-versioning). Only element-wise loops vectorise (no -ffast-math: reductions keep their order,
 * and ISO C mode does no FMA contraction), so every clone computes bit-identical results. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define SIM_HOT __attribute__((target_clones("avx512f", "avx2", "default"), optimize("O3")))
#else
#define SIM_HOT
#endif

#endif
