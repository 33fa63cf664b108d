"""Reference values for runtime/tests/math_fixtures.rs, computed with mpmath at 50 digits
(scipy only seeds the quantile search).

Writes runtime/tests/fixtures/math/values.csv: one line per case, `function,x1,x2,...,value`
(arguments as Rust reads them, the value rounded to 17 significant digits). Run from the
repository root: `python3 scripts/make_math_fixtures.py`.
"""

import mpmath as mp
from scipy.special import ndtri

mp.mp.dps = 50


def log_phi(x):
    return mp.log(mp.ncdf(x))


def inv_phi(p):
    # Newton on ln Phi(x) = ln p, started from scipy's double-precision answer.
    return mp.findroot(lambda x: mp.log(mp.ncdf(x)) - mp.log(p), float(ndtri(float(p))))


def lbeta(a, b):
    return mp.loggamma(a) + mp.loggamma(b) - mp.loggamma(a + b)


def normal_lpdf(y, mu, s):
    z = (y - mu) / s
    return -z * z / 2 - mp.log(s) - mp.log(2 * mp.pi) / 2


def student_t_lpdf(y, nu, mu, s):
    z = (y - mu) / s
    return (mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2) - mp.log(nu * mp.pi) / 2
            - mp.log(s) - (nu + 1) / 2 * mp.log1p(z * z / nu))


def gamma_lpdf(y, a, b):
    return a * mp.log(b) - mp.loggamma(a) + (a - 1) * mp.log(y) - b * y


def beta_lpdf(y, a, b):
    return (a - 1) * mp.log(y) + (b - 1) * mp.log1p(-y) - lbeta(a, b)


def neg_binomial_2_lpmf(n, mu, phi):
    return (mp.loggamma(n + phi) - mp.loggamma(n + 1) - mp.loggamma(phi)
            + n * mp.log(mu / (mu + phi)) + phi * mp.log(phi / (mu + phi)))


def von_mises_lpdf(y, mu, k):
    return k * mp.cos(y - mu) - mp.log(2 * mp.pi) - mp.log(mp.besseli(0, k))


CASES = {
    "lgamma": (mp.loggamma, [[0.5], [1e-8], [3.7], [25.5], [1e5], [1e15], [171.5]]),
    "digamma": (mp.digamma, [[0.5], [1e-3], [3.7], [25.5], [1e6], [-0.5]]),
    "lbeta": (lbeta, [[0.5, 0.5], [3.0, 4.5], [1e-3, 2.0], [20.0, 30.0], [1e6, 2.5],
                      [1e8, 1e9]]),
    "erfc": (mp.erfc, [[-1.0], [0.5], [3.0], [10.0], [26.0]]),
    "log_phi": (log_phi, [[-1.0], [-5.5], [-20.0], [-38.0], [2.0], [7.0]]),
    "inv_phi": (inv_phi,
                [[1e-300], [1e-10], [0.02], [0.3], [0.5], [0.9], [0.999999]]),
    "log1p_exp": (lambda x: mp.log1p(mp.exp(x)), [[-40.0], [-1.0], [0.0], [2.5], [40.0]]),
    "log1m_exp": (lambda x: mp.log(-mp.expm1(x)), [[-1e-10], [-0.3], [-2.0], [-50.0]]),
    "normal_lpdf": (normal_lpdf, [[0.3, -1.0, 2.0], [100.0, 0.0, 1e-3]]),
    "student_t_lpdf": (student_t_lpdf, [[1.5, 3.0, 0.0, 2.0], [-40.0, 0.5, 1.0, 0.3],
                                        [0.1, 1e4, 0.0, 1.0]]),
    "gamma_lpdf": (gamma_lpdf, [[2.0, 3.0, 0.5], [1e-3, 0.2, 4.0], [50.0, 40.0, 0.9]]),
    "beta_lpdf": (beta_lpdf, [[0.3, 2.0, 5.0], [1e-4, 0.5, 0.5], [0.999, 30.0, 1.5]]),
    "neg_binomial_2_lpmf": (neg_binomial_2_lpmf, [[3, 2.5, 0.7], [0, 10.0, 4.0],
                                                  [250, 200.0, 1e3]]),
    "von_mises_lpdf": (von_mises_lpdf, [[0.5, 0.2, 2.0], [-2.0, 1.0, 25.0], [3.0, 0.0, 1e-3]]),
}


def main():
    lines = []
    for name, (f, points) in CASES.items():
        for args in points:
            value = f(*[mp.mpf(a) for a in args])
            lines.append(",".join([name] + [repr(a) for a in args]
                                  + [mp.nstr(value, 17, min_fixed=0, max_fixed=0)]))
    with open("runtime/tests/fixtures/math/values.csv", "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
