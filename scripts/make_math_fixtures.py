"""Reference values for runtime/tests/math_fixtures.rs, computed with mpmath at 50 digits
(scipy only seeds the quantile search, and gives the multivariate Student-t, Wishart and
inverse Wishart densities, whose matrix algebra it does independently of Tilde). CDFs of
continuous families without a closed form are mpmath quadratures of the density.

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


def gammainc_p(a, z):
    return mp.gammainc(a, 0, z, regularized=True)


def gammainc_q(a, z):
    return mp.gammainc(a, z, mp.inf, regularized=True)


def betainc(a, b, x):
    return mp.betainc(a, b, 0, x, regularized=True)


def beta_binomial_lpmf(n, N, a, b):
    return mp.log(mp.binomial(N, n)) + lbeta(n + a, N - n + b) - lbeta(a, b)


def beta_binomial_lcdf(n, N, a, b):
    return mp.log(mp.fsum(mp.exp(beta_binomial_lpmf(k, N, a, b)) for k in range(int(n) + 1)))


def beta_binomial_lccdf(n, N, a, b):
    return mp.log(mp.fsum(mp.exp(beta_binomial_lpmf(k, N, a, b))
                          for k in range(int(n) + 1, int(N) + 1)))


def neg_binomial_lpmf(n, a, b):
    return (mp.loggamma(n + a) - mp.loggamma(a) - mp.loggamma(n + 1)
            + a * mp.log(b / (1 + b)) - n * mp.log1p(b))


def neg_binomial_cdf(n, a, b):
    return mp.fsum(mp.exp(neg_binomial_lpmf(k, a, b)) for k in range(int(n) + 1))


def neg_binomial_2_cdf(n, mu, phi):
    return mp.fsum(mp.exp(neg_binomial_2_lpmf(k, mu, phi)) for k in range(int(n) + 1))


def ordered(link, k, eta, *c):
    c = [mp.mpf(-mp.inf)] + list(c) + [mp.mpf(mp.inf)]
    k = int(k)
    return mp.log(link(eta - c[k - 1]) - link(eta - c[k]))


def inv_logit(x):
    return 1 / (1 + mp.exp(-x))


def multinomial_lpmf(y1, y2, y3, t1, t2, t3):
    ys, ts = [y1, y2, y3], [t1, t2, t3]
    return (mp.loggamma(sum(ys) + 1) - sum(mp.loggamma(y + 1) for y in ys)
            + sum(y * mp.log(t) for y, t in zip(ys, ts)))


def skew_normal_lpdf(y, xi, omega, alpha):
    z = (y - xi) / omega
    return mp.log(2) + mp.log(mp.npdf(z)) - mp.log(omega) + mp.log(mp.ncdf(alpha * z))


def gumbel_lpdf(y, mu, beta):
    z = (y - mu) / beta
    return -mp.log(beta) - z - mp.exp(-z)


def exp_mod_normal_pdf(y, mu, sigma, lam):
    # The convolution of a normal and an exponential density, by quadrature.
    return mp.quad(lambda t: lam * mp.exp(-lam * t) * mp.npdf(y - t, mu, sigma), [0, mp.inf])


def exp_mod_normal_lpdf(y, mu, sigma, lam):
    return mp.log(exp_mod_normal_pdf(y, mu, sigma, lam))


def exp_mod_normal_cdf(y, mu, sigma, lam):
    # P(X + E <= y) = E_E[Phi((y - E - mu) / sigma)], by quadrature over the exponential.
    return mp.quad(lambda t: lam * mp.exp(-lam * t) * mp.ncdf((y - t - mu) / sigma),
                   [0, mp.inf])


def exp_mod_normal_ccdf(y, mu, sigma, lam):
    return mp.quad(lambda t: lam * mp.exp(-lam * t) * mp.ncdf((mu + t - y) / sigma),
                   [0, mp.inf])


def logistic_cdf(y, mu, s):
    return inv_logit((y - mu) / s)


def laplace_cdf(y, mu, s):
    z = (y - mu) / s
    return mp.exp(z) / 2 if z < 0 else 1 - mp.exp(-z) / 2


def binomial_cdf(n, N, p):
    return mp.fsum(mp.binomial(N, k) * p**k * (1 - p)**(N - k) for k in range(int(n) + 1))


def poisson_cdf(n, lam):
    return mp.fsum(mp.exp(k * mp.log(lam) - lam - mp.loggamma(k + 1)) for k in range(int(n) + 1))


def lower(f):
    return lambda *a: mp.log(f(*a))


def upper(f):
    return lambda *a: mp.log(1 - f(*a))


def scipy_multi(kind):
    import numpy as np
    from scipy import stats

    def f(*a):
        a = [float(v) for v in a]
        if kind == "multi_student_t":
            y, nu, mu, s = a[0:2], a[2], a[3:5], a[5:8]
            cov = np.array([[s[0], s[1]], [s[1], s[2]]])
            return stats.multivariate_t(loc=mu, shape=cov, df=nu).logpdf(y)
        if kind == "multi_normal_prec":
            y, mu, o = a[0:2], a[2:4], a[4:7]
            prec = np.array([[o[0], o[1]], [o[1], o[2]]])
            return stats.multivariate_normal(mean=mu, cov=np.linalg.inv(prec)).logpdf(y)
        w, nu, s = a[0:3], a[3], a[4:7]
        wm = np.array([[w[0], w[1]], [w[1], w[2]]])
        sm = np.array([[s[0], s[1]], [s[1], s[2]]])
        dist = stats.wishart if kind == "wishart" else stats.invwishart
        return dist(df=nu, scale=sm).logpdf(wm)
    return f


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
    "beta_binomial_lpmf": (beta_binomial_lpmf, [[3, 10, 2.0, 5.0], [0, 40, 0.3, 0.4],
                                                [200, 200, 50.0, 1.5]]),
    "beta_binomial_lcdf": (beta_binomial_lcdf, [[3, 10, 2.0, 5.0], [1, 60, 30.0, 1.0]]),
    "beta_binomial_lccdf": (beta_binomial_lccdf, [[3, 10, 2.0, 5.0], [50, 60, 1.0, 30.0]]),
    "neg_binomial_lpmf": (neg_binomial_lpmf, [[3, 2.5, 0.7], [0, 10.0, 4.0],
                                              [250, 200.0, 1.0], [7, 1e6, 2e5]]),
    "neg_binomial_lcdf": (lower(neg_binomial_cdf), [[3, 2.5, 0.7], [0, 10.0, 4.0]]),
    "neg_binomial_lccdf": (upper(neg_binomial_cdf), [[3, 2.5, 0.7], [30, 10.0, 4.0]]),
    "neg_binomial_2_lcdf": (lower(neg_binomial_2_cdf), [[3, 2.5, 0.7], [0, 30.0, 4.0]]),
    "neg_binomial_2_lccdf": (upper(neg_binomial_2_cdf), [[3, 2.5, 0.7], [40, 5.0, 10.0]]),
    "ordered_logistic_lpmf": (lambda *a: ordered(inv_logit, *a),
                              [[1, 0.3, -1.0, 0.5, 2.0], [2, 0.3, -1.0, 0.5, 2.0],
                               [4, 0.3, -1.0, 0.5, 2.0], [3, 40.0, -1.0, 0.5, 2.0],
                               [1, 35.0, -1.0, 0.5, 2.0]]),
    "ordered_probit_lpmf": (lambda *a: ordered(mp.ncdf, *a),
                            [[1, 0.3, -1.0, 0.5, 2.0], [2, 0.3, -1.0, 0.5, 2.0],
                             [4, -0.2, -1.0, 0.5, 2.0], [3, 12.0, -1.0, 0.5, 2.0],
                             [2, -9.0, -1.0, 0.5, 2.0]]),
    "multinomial_lpmf": (multinomial_lpmf, [[3, 0, 5, 0.2, 0.3, 0.5],
                                            [10, 20, 1, 0.25, 0.7, 0.05]]),
    "skew_normal_lpdf": (skew_normal_lpdf, [[0.3, -1.0, 2.0, 3.0], [-3.0, 0.0, 1.0, 4.0],
                                            [2.0, 0.5, 0.7, -1.5]]),
    "gumbel_lpdf": (gumbel_lpdf, [[0.3, -1.0, 2.0], [-4.0, 0.0, 1.0], [20.0, 1.0, 0.5]]),
    "gumbel_lcdf": (lambda y, m, b: -mp.exp(-(y - m) / b), [[0.3, -1.0, 2.0], [5.0, 0.0, 1.0]]),
    "gumbel_lccdf": (lambda y, m, b: mp.log(-mp.expm1(-mp.exp(-(y - m) / b))),
                     [[0.3, -1.0, 2.0], [-2.0, 0.0, 1.0], [30.0, 0.0, 1.0]]),
    "exp_mod_normal_lpdf": (exp_mod_normal_lpdf, [[0.3, -1.0, 2.0, 0.5], [-4.0, 0.0, 1.0, 3.0],
                                                  [20.0, 1.0, 0.5, 2.0]]),
    "exp_mod_normal_lcdf": (lower(exp_mod_normal_cdf), [[0.3, -1.0, 2.0, 0.5],
                                                        [-6.0, 0.0, 1.0, 3.0],
                                                        [8.0, 1.0, 0.5, 2.0]]),
    "exp_mod_normal_lccdf": (lambda *a: mp.log(exp_mod_normal_ccdf(*a)),
                             [[0.3, -1.0, 2.0, 0.5], [12.0, 1.0, 0.5, 2.0]]),
    "logistic_lcdf": (lower(logistic_cdf), [[0.3, -1.0, 2.0], [-30.0, 0.0, 1.0]]),
    "logistic_lccdf": (upper(logistic_cdf), [[0.3, -1.0, 2.0], [30.0, 0.0, 1.0]]),
    "double_exponential_lcdf": (lower(laplace_cdf), [[0.3, -1.0, 2.0], [-30.0, 0.0, 1.0]]),
    "double_exponential_lccdf": (upper(laplace_cdf), [[0.3, -1.0, 2.0], [-0.5, 0.0, 1.0]]),
    "weibull_lcdf": (lambda y, a, s: mp.log(-mp.expm1(-(y / s)**a)),
                     [[0.3, 1.5, 2.0], [1e-5, 2.0, 1.0], [4.0, 3.0, 1.0]]),
    "weibull_lccdf": (lambda y, a, s: -(y / s)**a, [[0.3, 1.5, 2.0]]),
    "frechet_lcdf": (lambda y, a, s: -(y / s)**(-a), [[0.3, 1.5, 2.0]]),
    "frechet_lccdf": (lambda y, a, s: mp.log(-mp.expm1(-(y / s)**(-a))),
                      [[0.3, 1.5, 2.0], [100.0, 2.0, 1.0]]),
    "pareto_lcdf": (lambda y, m, a: mp.log(1 - (m / y)**a), [[3.0, 1.5, 2.0], [1.0001, 1.0, 3.0]]),
    "pareto_lccdf": (lambda y, m, a: a * mp.log(m / y), [[3.0, 1.5, 2.0]]),
    "beta_lcdf": (lambda y, a, b: mp.log(betainc(a, b, y)),
                  [[0.3, 2.0, 5.0], [1e-4, 0.5, 0.5], [0.999, 30.0, 1.5]]),
    "beta_lccdf": (lambda y, a, b: mp.log(betainc(b, a, 1 - y)),
                   [[0.3, 2.0, 5.0], [0.999, 2.0, 3.0]]),
    "uniform_lcdf": (lambda y, a, b: mp.log((y - a) / (b - a)), [[0.3, -1.0, 2.0]]),
    "uniform_lccdf": (lambda y, a, b: mp.log((b - y) / (b - a)), [[0.3, -1.0, 2.0]]),
    "inv_gamma_lcdf": (lambda y, a, b: mp.log(gammainc_q(a, b / y)),
                       [[2.0, 3.0, 0.5], [0.05, 2.0, 4.0], [50.0, 3.0, 1.0]]),
    "inv_gamma_lccdf": (lambda y, a, b: mp.log(gammainc_p(a, b / y)),
                        [[2.0, 3.0, 0.5], [100.0, 2.0, 1.0]]),
    "chi_square_lcdf": (lambda y, nu: mp.log(gammainc_p(nu / 2, y / 2)),
                        [[2.0, 3.0], [1e-3, 4.0], [40.0, 5.0]]),
    "chi_square_lccdf": (lambda y, nu: mp.log(gammainc_q(nu / 2, y / 2)), [[2.0, 3.0], [60.0, 5.0]]),
    "poisson_lcdf": (lower(poisson_cdf), [[3, 2.5], [0, 30.0], [50, 20.0]]),
    "poisson_lccdf": (upper(poisson_cdf), [[3, 2.5], [60, 20.0]]),
    "binomial_lcdf": (lower(binomial_cdf), [[3, 10, 0.4], [0, 50, 0.3]]),
    "binomial_lccdf": (upper(binomial_cdf), [[3, 10, 0.4], [45, 50, 0.3]]),
    "bernoulli_lcdf": (lambda n, p: mp.log(1 - p), [[0, 0.3]]),
    "bernoulli_lccdf": (lambda n, p: mp.log(p), [[0, 0.3]]),
    "multi_student_t_lpdf": (scipy_multi("multi_student_t"),
                             [[0.3, -1.0, 4.0, 0.0, 0.5, 2.0, 0.6, 1.5],
                              [10.0, -8.0, 2.5, 1.0, -1.0, 1.0, -0.3, 0.5]]),
    "multi_normal_prec_lpdf": (scipy_multi("multi_normal_prec"),
                               [[0.3, -1.0, 0.0, 0.5, 2.0, 0.6, 1.5]]),
    "wishart_lpdf": (scipy_multi("wishart"), [[2.0, 0.5, 1.5, 4.0, 1.0, 0.3, 0.8],
                                              [0.2, -0.1, 3.0, 2.5, 0.5, 0.0, 2.0]]),
    "inv_wishart_lpdf": (scipy_multi("inv_wishart"), [[2.0, 0.5, 1.5, 4.0, 1.0, 0.3, 0.8],
                                                      [0.2, -0.1, 3.0, 2.5, 0.5, 0.0, 2.0]]),
}


def main():
    lines = []
    for name, (f, points) in CASES.items():
        for args in points:
            value = mp.mpf(f(*[mp.mpf(a) for a in args]))
            lines.append(",".join([name] + [repr(a) for a in args]
                                  + [mp.nstr(value, 17, min_fixed=0, max_fixed=0)]))
    with open("runtime/tests/fixtures/math/values.csv", "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
