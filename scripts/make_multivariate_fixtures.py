"""Reference values for tests/matrix.rs: multivariate normal log densities, computed in plain
Python with exact rational arithmetic (Gauss-Jordan elimination on fractions), so that they
share no code or algorithm with Tilde's Cholesky-based implementation.

Run from the repository root: `python3 scripts/make_multivariate_fixtures.py`; it prints the
values that the test hard-codes, to 17 significant digits.
"""

from fractions import Fraction as Q
import math

SIGMA = [[2.0, 0.3, 0.5], [0.3, 1.0, -0.2], [0.5, -0.2, 1.5]]
MU = [0.3, 0.1, 1.5]
YS = [[1.0, -0.5, 2.0], [0.0, 0.4, -1.0]]


def det_and_solve(a, b):
    """det(a) and a^-1 b by Gauss-Jordan elimination on fractions."""
    n = len(a)
    m = [[Q(x) for x in row] + [Q(bi)] for row, bi in zip(a, b)]
    det = Q(1)
    for c in range(n):
        p = next(r for r in range(c, n) if m[r][c] != 0)
        if p != c:
            m[c], m[p] = m[p], m[c]
            det = -det
        det *= m[c][c]
        pivot = m[c][c]
        m[c] = [x / pivot for x in m[c]]
        for r in range(n):
            if r != c and m[r][c] != 0:
                f = m[r][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    return det, [row[n] for row in m]


def multi_normal_lpdf(y, mu, sigma):
    d = [Q(a) - Q(b) for a, b in zip(y, mu)]
    det, x = det_and_solve(sigma, d)
    quad = sum(di * xi for di, xi in zip(d, x))
    k = len(y)
    return -0.5 * k * math.log(2 * math.pi) - 0.5 * math.log(det) - 0.5 * float(quad)


if __name__ == "__main__":
    one = multi_normal_lpdf(YS[0], MU, SIGMA)
    two = one + multi_normal_lpdf(YS[1], MU, SIGMA)
    print(f"one outcome: {one:.17g}")
    print(f"two outcomes: {two:.17g}")
