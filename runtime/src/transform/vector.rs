//! Transforms of vectors: ordered, positive_ordered, sum_to_zero, simplex and unit_vector
//! (Stan reference manual, "Ordered vector", "Zero sum vector", "Unit simplex" and "Unit
//! vector").
//!
//! The simplex transform is Stan's current one (since 2.37): the inverse isometric log-ratio
//! map, `softmax(sum_to_zero_constrain(y))`, with `ln |J| = sum(ln x) + ln(K) / 2`.

// Negated comparisons (`!(y >= lb)`) are deliberate: they reject NaN with the out-of-range
// values.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use crate::scalar::Scalar;

/// `out[0] = x[0]`, `out[k] = out[k - 1] + exp(x[k])`; adds `sum(x[1..])` to `lp`.
pub fn ordered<S: Scalar>(x: &[S], out: &mut [S], lp: &mut S) {
    for (k, &v) in x.iter().enumerate() {
        out[k] = if k == 0 {
            v
        } else {
            *lp += v;
            out[k - 1] + v.exp()
        };
    }
}

/// `out[0] = exp(x[0])`, `out[k] = out[k - 1] + exp(x[k])`; adds `sum(x)` to `lp`.
pub fn positive_ordered<S: Scalar>(x: &[S], out: &mut [S], lp: &mut S) {
    for (k, &v) in x.iter().enumerate() {
        *lp += v;
        out[k] = if k == 0 { v.exp() } else { out[k - 1] + v.exp() };
    }
}

/// Number of free coordinates of `ordered[k]` and `positive_ordered[k]`.
pub fn ordered_free_dim(k: usize) -> usize {
    k
}

/// Free parameters of a `positive_ordered[k]`: `k`, one per element.
pub fn positive_ordered_free_dim(k: usize) -> usize {
    k
}

/// The inverse of [`ordered`]; fails unless `y` is strictly increasing.
pub fn ordered_unconstrain(y: &[f64], out: &mut [f64]) -> Result<(), String> {
    for k in 0..y.len() {
        if k == 0 {
            if y[0].is_nan() {
                return Err("ordered: element 1 is nan".to_string());
            }
            out[0] = y[0];
        } else {
            if !(y[k] > y[k - 1]) {
                return Err(format!(
                    "ordered: element {} ({}) must be greater than element {} ({})",
                    k + 1,
                    y[k],
                    k,
                    y[k - 1]
                ));
            }
            out[k] = (y[k] - y[k - 1]).ln();
        }
    }
    Ok(())
}

/// The inverse of [`positive_ordered`]; fails unless `y` is positive and strictly increasing.
pub fn positive_ordered_unconstrain(y: &[f64], out: &mut [f64]) -> Result<(), String> {
    if let Some(&first) = y.first()
        && !(first > 0.0)
    {
        {
            return Err(format!("positive_ordered: element 1 is {first}, but must be positive"));
        }
    }
    ordered_unconstrain(y, out)?;
    if let Some(first) = out.first_mut() {
        *first = first.ln();
    }
    Ok(())
}

/// The zero-sum vector of length `y.len() + 1` from `y`, by Stan's isometric basis: `out`
/// is the orthonormal image of `y`, so the Jacobian is constant and nothing is added to `lp`.
pub fn sum_to_zero<S: Scalar>(y: &[S], out: &mut [S], _lp: &mut S) {
    let n = y.len();
    for v in out.iter_mut() {
        *v = S::zero();
    }
    let mut sum_w = S::zero();
    for i in (1..=n).rev() {
        let f = i as f64;
        let w = y[i - 1] / (f * (f + 1.0)).sqrt();
        sum_w += w;
        out[i - 1] += sum_w;
        out[i] -= w * f;
    }
}

/// Number of free coordinates of `sum_to_zero_vector[k]`.
pub fn sum_to_zero_free_dim(k: usize) -> usize {
    k.saturating_sub(1)
}

/// The inverse of [`sum_to_zero`]; fails unless `z` sums to 0 (to 1e-8).
pub fn sum_to_zero_unconstrain(z: &[f64], out: &mut [f64]) -> Result<(), String> {
    let total: f64 = z.iter().sum();
    let scale = z.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    if !(total.abs() <= 1e-8 * scale) {
        return Err(format!("sum_to_zero_vector: elements that sum to {total}, but must sum to 0"));
    }
    unwind_sum_to_zero(z, out);
    Ok(())
}

/// Inverts the isometric map from the last coordinate down: `z[k] = S_{k+1} - k w_k` with
/// `S_k` the tail sums of `w`.
fn unwind_sum_to_zero(z: &[f64], out: &mut [f64]) {
    let n = z.len() - 1;
    let mut tail = 0.0;
    for k in (1..=n).rev() {
        let f = k as f64;
        let w = if k == n { -z[n] / f } else { (tail - z[k]) / f };
        tail += w;
        out[k - 1] = w * (f * (f + 1.0)).sqrt();
    }
}

/// The simplex of length `y.len() + 1` from `y` (inverse isometric log-ratio), adding
/// `sum(ln x) + ln(K) / 2` to `lp`, evaluated in log space so that it stays finite at
/// extreme `y`.
pub fn simplex<S: Scalar>(y: &[S], out: &mut [S], lp: &mut S) {
    let k = y.len() + 1;
    sum_to_zero(y, out, lp);
    let m = out.iter().fold(f64::NEG_INFINITY, |m, v| m.max(v.value()));
    let total = out.iter().fold(S::zero(), |acc, &z| acc + (z - m).exp());
    let log_norm = total.ln() + m;
    // The z sum to zero, so sum(ln x) = sum(z) - K log_norm = -K log_norm.
    *lp += log_norm * -(k as f64) + 0.5 * (k as f64).ln();
    // Dividing by the sum (rather than subtracting log_norm, which rounds at the scale of
    // the largest z) keeps sum(x) = 1 to a few ulps even at extreme y.
    for v in out.iter_mut() {
        *v = (*v - m).exp() / total;
    }
}

/// Number of free coordinates of `simplex[k]`.
pub fn simplex_free_dim(k: usize) -> usize {
    k.saturating_sub(1)
}

/// The inverse of [`simplex`]; fails unless `x` is nonnegative and sums to 1 (to 1e-8).
pub fn simplex_unconstrain(x: &[f64], out: &mut [f64]) -> Result<(), String> {
    for (i, &v) in x.iter().enumerate() {
        if !(v >= 0.0) {
            return Err(format!("simplex: element {} is {v}, but must be nonnegative", i + 1));
        }
    }
    let total: f64 = x.iter().sum();
    if !((total - 1.0).abs() <= 1e-8) {
        return Err(format!("simplex: elements that sum to {total}, but must sum to 1"));
    }
    if x.contains(&0.0) {
        return Err("simplex: an element is 0, which has no unconstrained value".to_string());
    }
    let k = x.len() as f64;
    let mean_log = x.iter().map(|v| v.ln()).sum::<f64>() / k;
    let n = x.len() - 1;
    let mut tail = 0.0;
    for j in (1..=n).rev() {
        let f = j as f64;
        let zj = x[j].ln() - mean_log;
        let w = if j == n { -zj / f } else { (tail - zj) / f };
        tail += w;
        out[j - 1] = w * (f * (f + 1.0)).sqrt();
    }
    Ok(())
}

/// `y / |y|`, adding `-|y|^2 / 2` to `lp` (the radial part that keeps `y` away from 0).
pub fn unit_vector<S: Scalar>(y: &[S], out: &mut [S], lp: &mut S) {
    let ss = y.iter().fold(S::zero(), |acc, &v| acc + v * v);
    *lp -= ss * 0.5;
    let norm = ss.sqrt();
    for (o, &v) in out.iter_mut().zip(y) {
        *o = v / norm;
    }
}

/// Number of free coordinates of `unit_vector[k]`.
pub fn unit_vector_free_dim(k: usize) -> usize {
    k
}

/// The inverse of [`unit_vector`] (the identity on the sphere); fails unless `|x| = 1`
/// (to 1e-8).
pub fn unit_vector_unconstrain(x: &[f64], out: &mut [f64]) -> Result<(), String> {
    let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt();
    if !((norm - 1.0).abs() <= 1e-8) {
        return Err(format!("unit_vector: norm is {norm}, but must be 1"));
    }
    out.copy_from_slice(x);
    Ok(())
}
