//! Generalised linear models: `normal_id_glm`, `bernoulli_logit_glm` and `poisson_log_glm`
//! (Stan functions reference, "Normal-id generalized linear model", "Bernoulli-logit
//! generalized linear model", "Poisson-log generalized linear model").
//!
//! Each is the density of `y` given the linear predictor `eta = alpha + x * beta`, computed in
//! one pass over the rows of `x`. For the reverse tape and for `f64` the pass works in `f64`
//! and collects the partial derivatives as it goes: `d/d beta = x^T g` with `g` the derivative
//! of each row's term in its `eta`, so the whole density is one tape node whatever the size of
//! `x`, instead of a node per product. Dual numbers take the chain rule through the plain
//! arithmetic, which keeps them an independent oracle for those partials.

use super::check::{self, is_const};
use crate::math::kernels::log1p_exp_and_inv_logit_block;
use crate::math::lgamma_f64;
use crate::math::partials::Terms;
use crate::math::{Arg, HALF_LN_2PI, IntArg, MatArg, common_len};
use crate::model::ModelError;
use crate::scalar::Scalar;
use std::cell::RefCell;

thread_local! {
    /// Room for the weights' values and partials; it grows to the widest `x` seen and is then
    /// reused, so that evaluations after the first allocate nothing.
    static SCRATCH: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

/// The scratch buffer while a pass uses it; dropping it hands it back to the thread.
struct Buffers(Vec<f64>);

impl Buffers {
    /// Takes the thread's buffer with room for `2 * k` zeroed values. Taking it out (rather
    /// than borrowing it) keeps a nested pass, which cannot happen today, from failing on a
    /// second borrow: it would use a fresh buffer.
    fn take(k: usize) -> Buffers {
        let mut buf = SCRATCH.with(RefCell::take);
        if buf.len() < 2 * k {
            buf.resize(2 * k, 0.0);
        }
        buf[..2 * k].fill(0.0);
        Buffers(buf)
    }
}

impl Drop for Buffers {
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.0);
        SCRATCH.with(|cell| cell.replace(buf));
    }
}

/// `a . b` with partial sums that the compiler can keep in vector registers (a single running
/// sum fixes the order of the additions and so cannot be vectorised): sixteen at a time, as
/// four independent vector sums, then four, then the rest, each updated by fused
/// multiply-adds.
#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let wide = a.len() - a.len() % 16;
    let narrow = a.len() - a.len() % 4;
    let s16 = partial_sums::<16>(&a[..wide], &b[..wide]);
    let s4 = partial_sums::<4>(&a[wide..narrow], &b[wide..narrow]);
    let tail = partial_sums::<1>(&a[narrow..], &b[narrow..]);
    let mut s16 = s16;
    for w in [8, 4] {
        for l in 0..w {
            s16[l] += s16[l + w];
        }
    }
    ((s16[0] + s4[0]) + (s16[1] + s4[1])) + ((s16[2] + s4[2]) + (s16[3] + s4[3])) + tail[0]
}

/// The sums of `a[l + W c] * b[l + W c]` over `c`, for each lane `l` (`a.len()` is a multiple
/// of `W`).
#[inline(always)]
fn partial_sums<const W: usize>(a: &[f64], b: &[f64]) -> [f64; W] {
    let mut acc = [0.0; W];
    for (x, y) in a.chunks_exact(W).zip(b.chunks_exact(W)) {
        for l in 0..W {
            acc[l] = x[l].mul_add(y[l], acc[l]);
        }
    }
    acc
}

/// The sizes of a linear predictor `alpha + x * beta`: the rows of `x` (observations) and its
/// columns (weights), checked against the lengths of `alpha` and `beta`.
fn predictor_sizes<S: Scalar>(
    function: &'static str,
    x: &impl MatArg<S>,
    alpha: &impl Arg<S>,
    beta: &impl Arg<S>,
) -> Result<(usize, usize), ModelError> {
    let n = x.rows();
    let k = beta.len().unwrap_or(1);
    if n > 0 && x.cols() != k {
        return Err(ModelError::fatal(format!(
            "{function}: size of weight vector beta ({k}) does not match the number of columns \
             of x ({})",
            x.cols()
        )));
    }
    if let Some(m) = alpha.len()
        && m != n
    {
        return Err(ModelError::fatal(format!(
            "{function}: size of intercept vector alpha ({m}) does not match the number of rows \
             of x ({n})"
        )));
    }
    check::finite(function, "Weight vector", beta)?;
    check::finite(function, "Intercept", alpha)?;
    Ok((n, k))
}

/// Names the entry of row `i` of `x` that made the linear predictor not finite (the weights
/// and intercept were checked already).
fn bad_row<S: Scalar>(function: &'static str, x: &impl MatArg<S>, i: usize) -> ModelError {
    let j = (0..x.cols()).find(|&j| !x.entry_value(i, j).is_finite()).unwrap_or(0);
    ModelError::recoverable(format!(
        "{function}: Matrix of independent variables[{},{}] is {}, but must be finite!",
        i + 1,
        j + 1,
        check::show(x.entry_value(i, j))
    ))
}

/// Rows are taken `BLOCK` at a time: a model's terms of a block of rows can then be computed
/// in vector registers.
const BLOCK: usize = 16;

/// Turns the work of one row into the work of a block of rows, for [`linear_pass`].
fn per_row<S: Scalar, const K: usize>(
    mut row: impl FnMut(usize, f64, &mut Terms<S, K>) -> Result<f64, ModelError>,
) -> impl FnMut(usize, &[f64], &mut [f64], &mut Terms<S, K>) -> Result<(), ModelError> {
    move |first, eta, g, terms| {
        for (r, (&eta_r, g_r)) in eta.iter().zip(g).enumerate() {
            *g_r = row(first + r, eta_r, terms)?;
        }
        Ok(())
    }
}

/// The analytic pass shared by the three models: for each row `i`, `eta_i = alpha_i + x_i .
/// beta` in `f64`; then, for a block of rows from `first`, `block(first, eta, g, terms)` adds
/// the rows' terms to its own running value, pushes the partials of its own arguments and sets
/// each `g_i` to the term's derivative in `eta_i`. This function pushes the partials of
/// `alpha`, `beta` and `x`, using argument slot `alpha_slot` of `terms` for a broadcast
/// intercept.
///
/// On x86-64 processors with AVX2 and FMA the same loop runs compiled for them, which does the
/// arithmetic of the row products four lanes at a time with fused multiply-adds in hardware.
/// Elsewhere the C library computes the fused multiply-adds, so the results are identical to
/// the last bit on every processor.
#[allow(clippy::too_many_arguments)]
fn linear_pass<S: Scalar, const K: usize>(
    function: &'static str,
    x: &impl MatArg<S>,
    alpha: &impl Arg<S>,
    beta: &impl Arg<S>,
    sizes: (usize, usize),
    terms: &mut Terms<S, K>,
    alpha_slot: usize,
    block: impl FnMut(usize, &[f64], &mut [f64], &mut Terms<S, K>) -> Result<(), ModelError>,
) -> Result<(), ModelError> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the processor has AVX2 and FMA, the features the function is compiled for.
        return unsafe {
            linear_pass_avx2(function, x, alpha, beta, sizes, terms, alpha_slot, block)
        };
    }
    linear_pass_body(function, x, alpha, beta, sizes, terms, alpha_slot, block)
}

/// [`linear_pass_body`] compiled for AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn linear_pass_avx2<S: Scalar, const K: usize>(
    function: &'static str,
    x: &impl MatArg<S>,
    alpha: &impl Arg<S>,
    beta: &impl Arg<S>,
    sizes: (usize, usize),
    terms: &mut Terms<S, K>,
    alpha_slot: usize,
    block: impl FnMut(usize, &[f64], &mut [f64], &mut Terms<S, K>) -> Result<(), ModelError>,
) -> Result<(), ModelError> {
    linear_pass_body(function, x, alpha, beta, sizes, terms, alpha_slot, block)
}

/// The loop of [`linear_pass`], always inlined so that it takes the target features of its
/// caller.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn linear_pass_body<S: Scalar, const K: usize>(
    function: &'static str,
    x: &impl MatArg<S>,
    alpha: &impl Arg<S>,
    beta: &impl Arg<S>,
    (n, k): (usize, usize),
    terms: &mut Terms<S, K>,
    alpha_slot: usize,
    mut block: impl FnMut(usize, &[f64], &mut [f64], &mut Terms<S, K>) -> Result<(), ModelError>,
) -> Result<(), ModelError> {
    // `f64` carries no derivatives, so its value needs no partials of the weights or of x.
    let beta_partials = S::DERIVATIVES && !is_const(beta);
    let x_partials = S::DERIVATIVES && !is_const_mat(x);
    let mut buffers = Buffers::take(k);
    let (b, db) = buffers.0[..2 * k].split_at_mut(k);
    for (j, bj) in b.iter_mut().enumerate() {
        *bj = beta.value_at(j);
    }
    let (mut eta, mut g) = ([0.0; BLOCK], [0.0; BLOCK]);
    for first in (0..n).step_by(BLOCK) {
        let rows = first..n.min(first + BLOCK);
        let len = rows.len();
        for (i, eta_i) in rows.clone().zip(&mut eta) {
            let xb = match x.row_values(i) {
                Some(xi) => dot(xi, b),
                None => (0..k).map(|j| x.entry_value(i, j) * b[j]).sum(),
            };
            *eta_i = alpha.at(i).value() + xb;
            if !eta_i.is_finite() {
                return Err(bad_row(function, x, i));
            }
        }
        block(first, &eta[..len], &mut g[..len], terms)?;
        let stored_rows = beta_partials && x.row_values(first).is_some();
        if stored_rows {
            add_block_gradient(x, first, &g[..len], db);
        }
        for (i, &gi) in rows.zip(&g) {
            terms.push(alpha_slot, alpha, alpha.at(i), gi);
            if beta_partials && !stored_rows {
                (0..k).for_each(|j| db[j] = gi.mul_add(x.entry_value(i, j), db[j]));
            }
            if x_partials {
                for (j, bj) in b.iter().enumerate() {
                    terms.push_element(x.entry(i, j), gi * bj);
                }
            }
        }
    }
    if beta_partials {
        for (j, dj) in db.iter().enumerate() {
            terms.push_element(beta.at(j), *dj);
        }
    }
    terms.finish_arg(alpha_slot, alpha);
    Ok(())
}

/// `db += x_rows^T g` for the rows of `x` from `first`, stored as slices: sixteen columns at a
/// time, then four, then one, summing over the block's rows in registers, so that each entry
/// of `db` is loaded and stored once per block rather than once per row. Sixteen columns are
/// four independent vector sums, which keeps the multiply-add unit busy instead of waiting on
/// one sum's previous step.
#[inline(always)]
fn add_block_gradient<S: Scalar>(x: &impl MatArg<S>, first: usize, g: &[f64], db: &mut [f64]) {
    let mut rows: [&[f64]; BLOCK] = [&[]; BLOCK];
    for (r, row) in rows.iter_mut().enumerate().take(g.len()) {
        *row = x.row_values(first + r).unwrap_or(&[]);
    }
    let rows = &rows[..g.len()];
    let wide = db.len() - db.len() % 16;
    let narrow = db.len() - db.len() % 4;
    add_columns::<16>(rows, g, &mut db[..wide], 0);
    add_columns::<4>(rows, g, &mut db[wide..narrow], wide);
    add_columns::<1>(rows, g, &mut db[narrow..], narrow);
}

/// `d += rows[.., j0..]^T g`, `W` columns at a time (`d.len()` is a multiple of `W`).
#[inline(always)]
fn add_columns<const W: usize>(rows: &[&[f64]], g: &[f64], d: &mut [f64], j0: usize) {
    for (c, d) in d.chunks_exact_mut(W).enumerate() {
        let j = j0 + W * c;
        let mut acc = [0.0; W];
        for (row, &gr) in rows.iter().zip(g) {
            let xr = &row[j..j + W];
            for l in 0..W {
                acc[l] = gr.mul_add(xr[l], acc[l]);
            }
        }
        for l in 0..W {
            d[l] += acc[l];
        }
    }
}

fn is_const_mat<S: Scalar, M: MatArg<S>>(_: &M) -> bool {
    M::CONSTANT
}

/// The linear predictor of row `i` in the scalar type, for the dual-number path.
fn eta_at<S: Scalar>(x: &impl MatArg<S>, alpha: &impl Arg<S>, beta: &impl Arg<S>, i: usize) -> S {
    let mut eta = alpha.at(i);
    for j in 0..x.cols() {
        eta += x.entry(i, j) * beta.at(j);
    }
    eta
}

/// The normal log density of `y` with mean `alpha + x * beta` and scale `sigma`, summed over
/// the rows of `x`: `normal_lpdf(y | alpha + x * beta, sigma)` in one pass.
pub fn normal_id_glm_lpdf<const PROPTO: bool, S: Scalar>(
    y: impl Arg<S>,
    x: impl MatArg<S>,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
    sigma: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "normal_id_glm_lpdf";
    let (n, k) = predictor_sizes(F, &x, &alpha, &beta)?;
    common_len(F, &[("x", Some(n)), ("y", y.len()), ("sigma", sigma.len())])?;
    check::finite(F, "Vector of dependent variables", &y)?;
    check::positive_finite(F, "Scale vector", &sigma)?;
    let all_const =
        is_const(&y) && is_const_mat(&x) && is_const(&alpha) && is_const(&beta) && is_const(&sigma);
    if PROPTO && all_const {
        return Ok(S::zero());
    }
    let log_sigma = !PROPTO || !is_const(&sigma);
    let constant = if PROPTO { 0.0 } else { -HALF_LN_2PI * n as f64 };
    if !S::PARTIALS {
        let mut lp = S::from_f64(constant);
        for i in 0..n {
            let s = sigma.at(i);
            let z = (y.at(i) - eta_at(&x, &alpha, &beta, i)) / s;
            lp -= z * z * 0.5;
            if log_sigma {
                lp -= s.ln();
            }
        }
        return Ok(lp);
    }
    let mut terms = Terms::<S, 3>::new();
    let mut lp = constant;
    // A broadcast scale's logarithm is the same in every row.
    let one_sigma = sigma.len().is_none();
    if log_sigma && one_sigma {
        lp -= n as f64 * sigma.value_at(0).ln();
    }
    linear_pass(
        F,
        &x,
        &alpha,
        &beta,
        (n, k),
        &mut terms,
        1,
        per_row(|i, eta, terms| {
            let (ys, ss) = (y.at(i), sigma.at(i));
            let inv = 1.0 / ss.value();
            let z = (ys.value() - eta) * inv;
            lp -= 0.5 * z * z;
            if log_sigma && !one_sigma {
                lp -= ss.value().ln();
            }
            let g = z * inv;
            terms.push(0, &y, ys, -g);
            terms.push(2, &sigma, ss, z * g - inv);
            Ok(g)
        }),
    )?;
    terms.finish_arg(0, &y);
    terms.finish_arg(2, &sigma);
    Ok(terms.finish(lp))
}

/// The Bernoulli log mass of `y` with log-odds `alpha + x * beta`, summed over the rows of
/// `x`: `bernoulli_logit_lpmf(y | alpha + x * beta)` in one pass.
pub fn bernoulli_logit_glm_lpmf<const PROPTO: bool, S: Scalar>(
    y: impl IntArg,
    x: impl MatArg<S>,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "bernoulli_logit_glm_lpmf";
    let (n, k) = predictor_sizes(F, &x, &alpha, &beta)?;
    common_len(F, &[("x", Some(n)), ("y", y.len())])?;
    check::each_int(F, "Vector of dependent variables", &y, "in the interval [0, 1]", |v| {
        v == 0 || v == 1
    })?;
    if PROPTO && is_const_mat(&x) && is_const(&alpha) && is_const(&beta) {
        return Ok(S::zero());
    }
    // ln inv_logit(s eta) with s = +1 for a success and -1 for a failure; its derivative in
    // eta is s inv_logit(-s eta).
    let sign = |i: usize| if y.int_at(i) == 1 { 1.0 } else { -1.0 };
    if !S::PARTIALS {
        let mut lp = S::zero();
        for i in 0..n {
            lp += crate::math::log_inv_logit(eta_at(&x, &alpha, &beta, i) * sign(i));
        }
        return Ok(lp);
    }
    let mut terms = Terms::<S, 1>::new();
    let mut lp = 0.0;
    linear_pass(F, &x, &alpha, &beta, (n, k), &mut terms, 0, |first, eta, g, _| {
        let (mut t, mut s) = ([0.0; BLOCK], [0.0; BLOCK]);
        for (r, &eta_r) in eta.iter().enumerate() {
            s[r] = sign(first + r);
            t[r] = -s[r] * eta_r;
        }
        let (softplus, p) = log1p_exp_and_inv_logit_block(&t);
        lp -= softplus[..eta.len()].iter().sum::<f64>();
        for (r, g_r) in g.iter_mut().enumerate() {
            *g_r = s[r] * p[r];
        }
        Ok(())
    })?;
    Ok(terms.finish(lp))
}

/// The Poisson log mass of `y` with log rate `alpha + x * beta`, summed over the rows of `x`:
/// `poisson_log_lpmf(y | alpha + x * beta)` in one pass.
pub fn poisson_log_glm_lpmf<const PROPTO: bool, S: Scalar>(
    y: impl IntArg,
    x: impl MatArg<S>,
    alpha: impl Arg<S>,
    beta: impl Arg<S>,
) -> Result<S, ModelError> {
    const F: &str = "poisson_log_glm_lpmf";
    let (n, k) = predictor_sizes(F, &x, &alpha, &beta)?;
    common_len(F, &[("x", Some(n)), ("y", y.len())])?;
    check::nonnegative_int(F, "Vector of dependent variables", &y)?;
    if PROPTO && is_const_mat(&x) && is_const(&alpha) && is_const(&beta) {
        return Ok(S::zero());
    }
    let log_factorial = |i: usize| if PROPTO { 0.0 } else { lgamma_f64(y.int_at(i) as f64 + 1.0) };
    if !S::PARTIALS {
        let mut lp = S::zero();
        for i in 0..n {
            let eta = eta_at(&x, &alpha, &beta, i);
            lp += eta * y.int_at(i) as f64 - eta.exp() - log_factorial(i);
        }
        return Ok(lp);
    }
    let mut terms = Terms::<S, 1>::new();
    let mut lp = 0.0;
    linear_pass(
        F,
        &x,
        &alpha,
        &beta,
        (n, k),
        &mut terms,
        0,
        per_row(|i, eta, _| {
            let (count, rate) = (y.int_at(i) as f64, eta.exp());
            if rate.is_infinite() {
                return Err(ModelError::recoverable(format!(
                    "{F}: the rate exp(alpha + x * beta)[{}] overflows (log rate {eta})",
                    i + 1
                )));
            }
            lp += count * eta - rate - log_factorial(i);
            Ok(count - rate)
        }),
    )?;
    Ok(terms.finish(lp))
}
