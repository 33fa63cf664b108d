//! The von Mises CDF (Stan functions reference, "Circular distributions"): for `y` in
//! `[-pi, pi]`, `F(y) = 1 / (2 pi I0(kappa)) * integral from -pi to y of exp(kappa cos(t - mu))`.
//!
//! The probability below `y` and the one above it are integrals of a positive function over
//! the two arcs of the circle that `-pi` and `y` cut, and each is computed directly by adaptive
//! Gauss-Legendre quadrature: neither is taken as one minus the other, so the lcdf deep in the
//! lower tail and the lccdf deep in the upper tail keep their relative accuracy (about 1e-13).
//! Their sum is the normaliser `2 pi I0(kappa)`, so the CDF and its complement add up to one.
//! Each piece of an arc is scaled by the integrand's largest value on it, so nothing overflows
//! for large `kappa` and tails far below the smallest double stay finite on the log scale.
//!
//! Derivatives: in `y` and `mu` they are the integrand at the ends of the arc, exactly; in
//! `kappa` they need the integral of `(1 - cos) exp(kappa cos)` over the same arcs, which is
//! taken with the same nodes.

use super::check;
use crate::math::{Arg, common_len, lift};
use crate::model::ModelError;
use crate::scalar::Scalar;
use std::cell::Cell;
use std::f64::consts::PI;
use std::ops::{Add, AddAssign};
use std::sync::OnceLock;

/// Nodes of the Gauss-Legendre rule applied to every subinterval.
const NODES: usize = 16;

/// A subinterval is accepted when halving it changes its integral by at most this much,
/// relative to the integral so far; the halves' rule is then far more accurate than this.
const TOLERANCE: f64 = 1e-14;

/// A subinterval whose integral is bounded by this much of the integral so far is skipped.
const NEGLIGIBLE: f64 = 1e-18;

/// The most halvings on one piece; the integrand is entire, so it is never reached in
/// practice.
const BUDGET: u32 = 2000;

/// `P_n(x)` and `P_n'(x)` for the Legendre polynomial of degree `NODES`.
fn legendre(x: f64) -> (f64, f64) {
    let (mut p0, mut p1) = (1.0, x);
    for k in 1..NODES {
        let k = k as f64;
        let p2 = ((2.0 * k + 1.0) * x * p1 - k * p0) / (k + 1.0);
        p0 = p1;
        p1 = p2;
    }
    (p1, NODES as f64 * (x * p1 - p0) / (x * x - 1.0))
}

/// The Gauss-Legendre nodes and weights on `[-1, 1]`: Newton's method on `P_n`, started from
/// the usual asymptotic guess for each root.
fn gauss_legendre() -> &'static [(f64, f64); NODES] {
    static RULE: OnceLock<[(f64, f64); NODES]> = OnceLock::new();
    RULE.get_or_init(|| {
        let mut rule = [(0.0, 0.0); NODES];
        for (i, node) in rule.iter_mut().enumerate() {
            let mut x = (PI * (i as f64 + 0.75) / (NODES as f64 + 0.5)).cos();
            for _ in 0..100 {
                let (p, dp) = legendre(x);
                let step = p / dp;
                x -= step;
                if step.abs() < 1e-16 {
                    break;
                }
            }
            let (_, dp) = legendre(x);
            *node = (x, 2.0 / ((1.0 - x * x) * dp * dp));
        }
        rule
    })
}

/// The integrals of `w(u) = exp(kappa (cos u - c))` and of `(1 - cos u) w(u)` over some set,
/// for a scale `c` that the holder knows.
#[derive(Clone, Copy, Default, Debug)]
struct Sums {
    a: f64,
    d: f64,
}

impl Add for Sums {
    type Output = Sums;
    fn add(self, o: Sums) -> Sums {
        Sums { a: self.a + o.a, d: self.d + o.d }
    }
}

impl AddAssign for Sums {
    fn add_assign(&mut self, o: Sums) {
        *self = *self + o;
    }
}

/// An angle `j pi + r`, `j` an integer, with `r` known to full relative precision (the
/// angles made from the arguments have `|r| <= pi / 2`): where large `kappa` puts all the mass
/// within a tiny distance of a multiple of `pi`, the integrand depends on that distance, which
/// the angle as one `f64` would round away.
#[derive(Clone, Copy, Debug)]
struct Angle {
    j: f64,
    r: f64,
}

/// The low-order part of `pi`: `PI + PI_LO` is `pi` to about 1e-32.
const PI_LO: f64 = 1.224_646_799_147_353_2e-16;

impl Angle {
    /// `c - mu`, with the multiple of `pi` taken out before the rounding of `r`.
    fn difference(c: f64, mu: f64) -> Angle {
        let j = ((c - mu) / PI).round();
        Angle { j, r: ((c - mu) - j * PI) - j * PI_LO }
    }

    /// The multiple `k pi`.
    fn multiple(k: f64) -> Angle {
        Angle { j: k, r: 0.0 }
    }

    /// `+1` where `cos(j pi) = 1`, `-1` where it is `-1`.
    fn parity(&self) -> f64 {
        if self.j.rem_euclid(2.0) == 0.0 { 1.0 } else { -1.0 }
    }

    /// `self - other`, for angles a few turns apart.
    fn minus(&self, other: &Angle) -> f64 {
        let dj = self.j - other.j;
        (dj * PI + (self.r - other.r)) + dj * PI_LO
    }

    /// `1 - cos` of the angle, without cancellation: `2 sin^2(r / 2)` next to an even multiple
    /// of `pi`, `2 cos^2(r / 2)` next to an odd one.
    fn one_minus_cos(&self) -> f64 {
        let h = if self.parity() > 0.0 { (0.5 * self.r).sin() } else { (0.5 * self.r).cos() };
        2.0 * h * h
    }

    /// The index of the stretch `[k pi, (k + 1) pi]` that the angle lies in; an angle on a
    /// multiple of `pi` counts as the start of the next stretch when `starts` and as the end
    /// of the previous one otherwise.
    fn stretch(&self, starts: bool) -> f64 {
        let below = if starts { self.r < 0.0 } else { self.r <= 0.0 };
        if below { self.j - 1.0 } else { self.j }
    }
}

/// A piece of an arc on which `cos` is monotone: it starts at `m`, where the integrand is
/// largest, and runs in direction `dir` (+1 or -1). Positions on it are distances `t` from
/// `m`.
struct Piece {
    kappa: f64,
    m: Angle,
    /// `cos(m.j pi)`.
    parity: f64,
    dir: f64,
    /// Halvings left before the rule is taken as it is: a guard against rounding noise that
    /// no halving can remove, never reached on a smooth integrand.
    budget: Cell<u32>,
}

impl Piece {
    fn new(kappa: f64, m: Angle, dir: f64) -> Piece {
        Piece { kappa, m, parity: m.parity(), dir, budget: Cell::new(BUDGET) }
    }

    /// The integrand relative to its value at `m`, `exp(kappa (cos u - cos m))` at
    /// `u = m + dir t`, and that times `1 - cos u`.
    fn at(&self, t: f64) -> Sums {
        let half = 0.5 * t;
        // cos u - cos m = -2 sin((u + m) / 2) sin((u - m) / 2), taken relative to the multiple
        // of pi next to m, keeps its digits when u is near m, where large kappa puts the mass.
        let v = self.m.r + self.dir * half;
        let e = -2.0 * self.kappa * self.parity * self.dir * v.sin() * half.sin();
        let w = e.min(0.0).exp();
        let u = Angle { j: self.m.j, r: self.m.r + self.dir * t };
        Sums { a: w, d: u.one_minus_cos() * w }
    }

    /// The Gauss-Legendre rule on `[t0, t1]`.
    fn gauss(&self, t0: f64, t1: f64) -> Sums {
        let (c, r) = (0.5 * (t0 + t1), 0.5 * (t1 - t0));
        let mut s = Sums::default();
        for &(x, w) in gauss_legendre() {
            let v = self.at(c + r * x);
            s.a += w * v.a;
            s.d += w * v.d;
        }
        Sums { a: s.a * r, d: s.d * r }
    }

    /// The integral over `[t0, t1]`, whose one-rule estimate is `whole`, halving until the
    /// halves agree with the whole to `TOLERANCE` relative to `before` (the integral over the
    /// piece up to `t0`) plus the part itself.
    fn adapt(&self, t0: f64, t1: f64, whole: Sums, before: Sums) -> Sums {
        let mid = 0.5 * (t0 + t1);
        let (l, r) = (self.gauss(t0, mid), self.gauss(mid, t1));
        let halves = l + r;
        let close = |fine: f64, coarse: f64, before: f64| {
            (fine - coarse).abs() <= TOLERANCE * (before + fine)
        };
        let budget = self.budget.get();
        if budget == 0 || (close(halves.a, whole.a, before.a) && close(halves.d, whole.d, before.d))
        {
            return halves;
        }
        self.budget.set(budget - 1);
        let left = self.adapt(t0, mid, l, before);
        left + self.adapt(mid, t1, r, before + left)
    }

    /// The integral over the piece, of length `len`.
    ///
    /// The integrand falls from 1 at `t = 0` on the scale `h`, the smaller of the distances
    /// over which the slope or the curvature of the exponent changes it by a factor `e`. The
    /// piece is cut at `h, 2h, 4h, ...`, so that the adaptive rule starts where the mass is and
    /// never misses a narrow peak, and subintervals too far out to matter are skipped: the
    /// integrand is decreasing, so a subinterval's integral is at most its width times the
    /// integrand at its start.
    fn integrate(&self, len: f64) -> Sums {
        let rate = (self.kappa * self.m.r.sin().abs()).max(self.kappa.sqrt());
        let mut width = if rate > 0.0 { (1.0 / rate).min(len) } else { len };
        let (mut total, mut t0) = (Sums::default(), 0.0);
        while t0 < len {
            let t1 = if width >= len - t0 { len } else { t0 + width };
            let start = if t0 == 0.0 { 1.0 } else { self.at(t0).a };
            if total.a == 0.0 || start * (t1 - t0) > NEGLIGIBLE * total.a {
                let whole = self.gauss(t0, t1);
                total += self.adapt(t0, t1, whole, total);
            }
            t0 = t1;
            width = t1;
        }
        total
    }
}

/// Integrals over an arc as `e^scale * sums`, the integrand being `exp(kappa (cos u - 1))`.
#[derive(Clone, Copy, Debug)]
struct Arc {
    scale: f64,
    sums: Sums,
}

impl Arc {
    const EMPTY: Arc = Arc { scale: f64::NEG_INFINITY, sums: Sums { a: 0.0, d: 0.0 } };

    /// `ln` of the integral of `exp(kappa (cos u - 1))` over the arc.
    fn ln_a(&self) -> f64 {
        self.scale + self.sums.a.ln()
    }

    /// The sum of two sets of integrals, on the larger of their scales.
    fn merge(self, o: Arc) -> Arc {
        if o.scale == f64::NEG_INFINITY {
            return self;
        }
        if self.scale == f64::NEG_INFINITY {
            return o;
        }
        let scale = self.scale.max(o.scale);
        let (x, y) = ((self.scale - scale).exp(), (o.scale - scale).exp());
        Arc {
            scale,
            sums: Sums { a: x * self.sums.a + y * o.sums.a, d: x * self.sums.d + y * o.sums.d },
        }
    }
}

/// The integrals over the arc from `p` up to `q`, of length `len` in `[0, 2 pi]`: cut at the
/// multiples of `pi`, where `cos` turns, into pieces on which it is monotone.
fn arc(kappa: f64, p: Angle, q: Angle, len: f64) -> Arc {
    let (first, last) = (p.stretch(true), q.stretch(false));
    let mut total = Arc::EMPTY;
    let mut k = first;
    while k <= last {
        let (start, end) = (k == first, k == last);
        let piece_len = match (start, end) {
            (true, true) => len,
            (true, false) => -p.minus(&Angle::multiple(k + 1.0)),
            (false, true) => q.minus(&Angle::multiple(k)),
            (false, false) => PI,
        };
        // On [k pi, (k + 1) pi] cos falls for even k and rises for odd k, so the integrand is
        // largest at the start of an even stretch and at the end of an odd one.
        let (m, dir) = match (k.rem_euclid(2.0) == 0.0, start, end) {
            (true, true, _) => (p, 1.0),
            (true, false, _) => (Angle::multiple(k), 1.0),
            (false, _, true) => (q, -1.0),
            (false, _, false) => (Angle::multiple(k + 1.0), -1.0),
        };
        if piece_len > 0.0 {
            let sums = Piece::new(kappa, m, dir).integrate(piece_len);
            total = total.merge(Arc { scale: -kappa * m.one_minus_cos(), sums });
        }
        k += 1.0;
    }
    total
}

/// The log CDF (or, `upper`, the log complementary CDF) of one element with its partial
/// derivatives in `y`, `mu` and `kappa`, for `y` strictly inside `(-pi, pi)`.
fn von_mises_tail(y: f64, mu: f64, kappa: f64, upper: bool) -> [f64; 4] {
    // In u = t - mu the lower arc runs from a = -pi - mu to b = y - mu, the upper one from b
    // to a + 2 pi. The lengths take pi to double-double precision: a CDF near y = -pi is
    // proportional to y + pi, whose digits beyond PI would otherwise be lost.
    let (a, b) = (Angle::difference(-PI, mu), Angle::difference(y, mu));
    let a_turned = Angle { j: a.j + 2.0, r: a.r };
    let (len_lower, len_upper) = ((y + PI) + PI_LO, (PI - y) + PI_LO);
    let lower = arc(kappa, a, b, len_lower);
    let above = arc(kappa, b, a_turned, len_upper);
    let total = lower.merge(above);
    let (this, other) = if upper { (above, lower) } else { (lower, above) };
    let ln_this = this.ln_a();
    let ln_total = total.ln_a();
    // Near one, ln(1 - other / total) keeps the digits that ln(this) - ln(total) would lose.
    let other_share = (other.ln_a() - ln_total).exp();
    let value = if other_share < 0.5 { (-other_share).ln_1p() } else { ln_this - ln_total };
    // The integrand exp(kappa (cos u - 1)) at the ends of the arcs, over this arc's integral.
    let at = |u: Angle| (-kappa * u.one_minus_cos() - ln_this).exp();
    let (at_a, at_b) = (at(a), at(b));
    let sign = if upper { -1.0 } else { 1.0 };
    let dy = sign * at_b;
    let dmu = sign * (at_a - at_b);
    // d/dkappa of ln(integral of exp(kappa cos)) is 1 - (integral of (1 - cos) exp(kappa cos))
    // / (integral of exp(kappa cos)); the 1s of this arc and of the total cancel.
    let dkappa = total.sums.d / total.sums.a - this.sums.d / this.sums.a;
    [value, dy, dmu, dkappa]
}

/// The von Mises log CDF: the integral of the density from `-pi` to `y`.
fn von_mises_log_cdf<S: Scalar>(
    f: &'static str,
    upper: bool,
    y: impl Arg<S>,
    mu: impl Arg<S>,
    kappa: impl Arg<S>,
) -> Result<S, ModelError> {
    let n = common_len(f, &[("y", y.len()), ("mu", mu.len()), ("kappa", kappa.len())])?;
    check::each(f, "Random variable", &y, "in the interval [-pi, pi]", |v| {
        (-PI..=PI).contains(&v)
    })?;
    check::finite(f, "Location parameter", &mu)?;
    check::positive_finite(f, "Scale parameter", &kappa)?;
    let mut lp = S::zero();
    for i in 0..n {
        let (yi, m, k) = (y.at(i), mu.at(i), kappa.at(i));
        let v = yi.value();
        // At the ends of the support the CDF is exactly 0 or 1, whatever the parameters.
        let (at_lower_end, at_upper_end) = (v == -PI, v == PI);
        if (at_lower_end && !upper) || (at_upper_end && upper) {
            return Ok(S::from_f64(f64::NEG_INFINITY));
        }
        if at_lower_end || at_upper_end {
            continue;
        }
        let [value, dy, dmu, dkappa] = von_mises_tail(v, m.value(), k.value(), upper);
        lp += lift(yi, value, dy) + lift(m, 0.0, dmu) + lift(k, 0.0, dkappa);
    }
    Ok(lp)
}

cdf_functions!(
    "von_mises",
    von_mises_log_cdf,
    von_mises_cdf,
    von_mises_lcdf,
    von_mises_lccdf,
    (y: impl Arg<S>, mu: impl Arg<S>, kappa: impl Arg<S>)
);
