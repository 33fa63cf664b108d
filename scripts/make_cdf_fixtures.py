"""Reference values for runtime/tests/cdf_families.rs: the log CDFs and log complementary CDFs
of inv_chi_square, scaled_inv_chi_square, beta_proportion and von_mises, computed with mpmath
at 50 digits, including points deep in the tails.

The chi-square families and beta_proportion use mpmath's regularised incomplete gamma and beta
functions. The von Mises values are mpmath quadratures of the density over [-pi, y] or
[y, pi], split at the modes and geometrically towards the modes and the ends so that a narrow
peak or a steep tail is not missed, and repeated on a finer split as a check; where scipy's
own von Mises CDF is accurate (moderate kappa, probabilities not tiny) the script checks that
it agrees.

Writes runtime/tests/fixtures/cdf/values.csv: one line per case, `function,x1,x2,...,value`
(arguments as Rust reads them, the value rounded to 17 significant digits). Run from the
repository root: `python3 scripts/make_cdf_fixtures.py`.
"""

import math
import os

import mpmath as mp
from scipy import stats

mp.mp.dps = 50


def gamma_p(a, z):
    return mp.gammainc(a, 0, z, regularized=True)


def gamma_q(a, z):
    return mp.gammainc(a, z, mp.inf, regularized=True)


def betainc(a, b, x):
    return mp.betainc(a, b, 0, x, regularized=True)


def von_mises_quad(lo, hi, mu, k, points_per_decade):
    """The integral of exp(k (cos(t - mu) - 1)) over [lo, hi], split at the modes and at
    points spaced geometrically away from the modes and from both ends, where the integrand
    may change by many orders of magnitude over a tiny distance."""
    # mpmath's quadrature stops at an absolute error near 10^-dps, so the integrand is scaled
    # by its largest value on [lo, hi] and the scale put back afterwards.
    modes = [mu + 2 * mp.pi * j for j in range(-3, 4)]
    top = 1 if any(lo <= m <= hi for m in modes) else max(mp.cos(lo - mu), mp.cos(hi - mu))
    f = lambda t: mp.exp(k * (mp.cos(t - mu) - top))
    steps = [mp.mpf(10) ** (e / mp.mpf(points_per_decade))
             for e in range(-9 * points_per_decade, 1)]
    anchors = [lo, hi] + modes
    points = {lo, hi}
    for a in anchors:
        for p in [a] + [a + s for s in steps] + [a - s for s in steps]:
            if lo < p < hi:
                points.add(p)
    return mp.quad(f, sorted(points)) * mp.exp(k * (top - 1))


def von_mises_mass(lo, hi, mu, k):
    """The von Mises probability of [lo, hi], a part of [-pi, pi], checked by repeating the
    quadrature on a finer split."""
    # Scaled by exp(-k) so that the integrand and the normaliser stay moderate.
    integral = von_mises_quad(lo, hi, mu, k, 1)
    finer = von_mises_quad(lo, hi, mu, k, 3)
    assert abs(integral - finer) <= mp.mpf(10) ** -30 * abs(finer), (lo, hi, mu, k)
    return integral / (2 * mp.pi * mp.besseli(0, k) * mp.exp(-k))


def log_share(this, other):
    """ln of a probability `this` whose complement is `other`: near one, ln(1 - other) keeps
    the digits that ln(this) would round away even at 50 digits."""
    def f(*a):
        p = this(*a)
        return mp.log(p) if p < 0.5 else mp.log1p(-other(*a))
    return f


def both(lower, upper):
    """The lcdf and lccdf from the probabilities below and above y."""
    return log_share(lower, upper), log_share(upper, lower)


def inv_chi_square_masses():
    return both(lambda y, nu: gamma_q(nu / 2, 1 / (2 * y)),
                lambda y, nu: gamma_p(nu / 2, 1 / (2 * y)))


def scaled_inv_chi_square_masses():
    return both(lambda y, nu, s: gamma_q(nu / 2, nu * s * s / (2 * y)),
                lambda y, nu, s: gamma_p(nu / 2, nu * s * s / (2 * y)))


def beta_proportion_masses():
    return both(lambda y, m, k: betainc(m * k, (1 - m) * k, y),
                lambda y, m, k: betainc((1 - m) * k, m * k, 1 - y))


def von_mises_masses():
    return both(lambda y, mu, k: von_mises_mass(-mp.pi, y, mu, k),
                lambda y, mu, k: von_mises_mass(y, mp.pi, mu, k))


INV_CHI_SQUARE = inv_chi_square_masses()
SCALED_INV_CHI_SQUARE = scaled_inv_chi_square_masses()
BETA_PROPORTION = beta_proportion_masses()
VON_MISES = von_mises_masses()

CASES = {
    "inv_chi_square_lcdf": (INV_CHI_SQUARE[0],
                            [[0.5, 3.0], [0.02, 4.0], [1e-3, 2.5], [50.0, 1.5], [7.0, 30.0]]),
    "inv_chi_square_lccdf": (INV_CHI_SQUARE[1],
                             [[0.5, 3.0], [100.0, 2.0], [1e-3, 2.5], [1e4, 0.7]]),
    "scaled_inv_chi_square_lcdf": (SCALED_INV_CHI_SQUARE[0],
                                   [[0.8, 3.0, 0.7], [0.01, 5.0, 1.2], [40.0, 2.0, 1.0],
                                    [2.0, 60.0, 1.5]]),
    "scaled_inv_chi_square_lccdf": (SCALED_INV_CHI_SQUARE[1],
                                    [[0.8, 3.0, 0.7], [200.0, 4.0, 0.5], [0.05, 3.0, 1.0]]),
    "beta_proportion_lcdf": (BETA_PROPORTION[0],
                             [[0.3, 0.4, 5.0], [1e-4, 0.5, 2.0], [0.999, 0.9, 40.0],
                              [0.02, 0.6, 80.0]]),
    "beta_proportion_lccdf": (BETA_PROPORTION[1],
                              [[0.3, 0.4, 5.0], [0.999, 0.3, 10.0], [0.5, 0.05, 200.0],
                               [1e-3, 0.5, 3.0]]),
    "von_mises_lcdf": (VON_MISES[0],
                       [[0.5, 0.2, 2.0], [-2.0, 1.0, 25.0], [3.0, 0.0, 1e-3],
                        [-3.0, 0.0, 500.0], [2.9, -2.5, 4.0], [-1.0, 7.5, 3.0],
                        [0.1, 0.0, 1e5], [0.05, 0.0, 1e4], [-3.1, 3.0, 0.5], [0.0, 0.0, 50.0],
                        [-3.14159, 1.0, 2.0], [0.3, -3.0, 1e-9], [1.2, -0.3, 80.0]]),
    "von_mises_lccdf": (VON_MISES[1],
                        [[0.5, 0.2, 2.0], [3.0, 0.0, 500.0], [-3.0, 0.0, 1e-3],
                         [0.001, 0.0, 1e6], [-2.0, 2.0, 10.0], [3.14159, -1.0, 2.0],
                         [-0.5, 12.0, 0.7], [-0.2, 0.0, 2e3]]),
}


def scipy_agrees(name, args, value):
    """Checks a von Mises value against scipy where scipy's CDF is accurate."""
    if not name.startswith("von_mises"):
        return
    y, mu, k = args
    if not 1e-3 < k < 40:
        return
    # scipy's vonmises is centred at loc with support [loc - pi, loc + pi]; Stan's CDF
    # starts at -pi, so it is the difference of scipy's CDF, which counts whole turns
    # (cdf(x + 2 pi) = cdf(x) + 1), at y and at -pi.
    d = stats.vonmises(k, loc=mu)
    p = float(d.cdf(y) - d.cdf(-math.pi))
    want = float(mp.exp(value))
    if name.endswith("lccdf"):
        p = 1 - p
    if want > 1e-3:
        assert abs(p - want) < 1e-9 * want, (name, args, p, want)


def main():
    lines = []
    for name, (f, points) in CASES.items():
        for args in points:
            value = mp.mpf(f(*[mp.mpf(a) for a in args]))
            scipy_agrees(name, args, value)
            lines.append(",".join([name] + [repr(a) for a in args]
                                  + [mp.nstr(value, 17, min_fixed=0, max_fixed=0)]))
    os.makedirs("runtime/tests/fixtures/cdf", exist_ok=True)
    with open("runtime/tests/fixtures/cdf/values.csv", "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
