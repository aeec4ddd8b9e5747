/* core/rng.c — xoshiro256** (Blackman & Vigna) seeded by splitmix64. */
#include "clnscl/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void clnscl_rng_seed(clnscl_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t clnscl_rng_next(clnscl_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double clnscl_rng_uniform(clnscl_rng *r)
{
    return (double)(clnscl_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t clnscl_rng_below(clnscl_rng *r, uint64_t n)
{
    /* Lemire's nearly-divisionless unbiased bounded integer */
    uint64_t x = clnscl_rng_next(r);
    __uint128_t m = (__uint128_t)x * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = -n % n;
        while (l < t) {
            x = clnscl_rng_next(r);
            m = (__uint128_t)x * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double clnscl_rng_normal(clnscl_rng *r)
{
    double u, v, s;
    do {
        u = 2.0 * clnscl_rng_uniform(r) - 1.0;
        v = 2.0 * clnscl_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

void clnscl_rng_shuffle(clnscl_rng *r, size_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)clnscl_rng_below(r, i);
        size_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

clnscl_rng clnscl_rng_split(clnscl_rng *r)
{
    clnscl_rng out;
    clnscl_rng_seed(&out, clnscl_rng_next(r) ^ 0x6a09e667f3bcc909ULL);
    return out;
}
