//! Inverse metric estimation: Welford's running variance (diagonal metric) or covariance (dense
//! metric) with Stan's regularisation towards 1e-3 times the identity (Stan reference manual,
//! "Euclidean metric" adaptation; `var_adaptation` and `covar_adaptation`).

use crate::nuts::metric::Metric;

/// Welford's streaming mean and variance, one per coordinate, on buffers reused across windows.
#[derive(Debug, Clone)]
pub(crate) struct WelfordVariance {
    n: usize,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl WelfordVariance {
    pub fn new(dim: usize) -> Self {
        WelfordVariance { n: 0, mean: vec![0.0; dim], m2: vec![0.0; dim] }
    }

    pub fn restart(&mut self) {
        self.n = 0;
        self.mean.fill(0.0);
        self.m2.fill(0.0);
    }

    pub fn add_sample(&mut self, q: &[f64]) {
        self.n += 1;
        let n = self.n as f64;
        for ((m, s), x) in self.mean.iter_mut().zip(self.m2.iter_mut()).zip(q) {
            let delta = x - *m;
            *m += delta / n;
            *s += delta * (x - *m);
        }
    }

    /// The number of samples since the last restart.
    pub fn count(&self) -> usize {
        self.n
    }

    /// The sample variance of coordinate `j` (needs two samples).
    pub fn variance(&self, j: usize) -> f64 {
        self.m2[j] / (self.n as f64 - 1.0)
    }

    /// Writes the regularised variance `(n / (n + 5)) var + 1e-3 (5 / (n + 5))` into
    /// `inv_metric`. With fewer than two samples Stan keeps the old values before shrinking.
    pub fn regularized_variance(&self, inv_metric: &mut [f64]) {
        let n = self.n as f64;
        if self.n > 1 {
            for (v, s) in inv_metric.iter_mut().zip(&self.m2) {
                *v = s / (n - 1.0);
            }
        }
        for v in inv_metric.iter_mut() {
            *v = (n / (n + 5.0)) * *v + 1e-3 * (5.0 / (n + 5.0));
        }
    }
}

/// Welford's streaming mean and covariance matrix, on buffers reused across windows.
#[derive(Debug, Clone)]
pub(crate) struct WelfordCovariance {
    n: usize,
    dim: usize,
    mean: Vec<f64>,
    delta: Vec<f64>,
    /// Sum of outer products of deviations, row-major.
    m2: Vec<f64>,
    /// The regularised estimate handed to the metric.
    estimate: Vec<f64>,
}

impl WelfordCovariance {
    pub fn new(dim: usize) -> Self {
        WelfordCovariance {
            n: 0,
            dim,
            mean: vec![0.0; dim],
            delta: vec![0.0; dim],
            m2: vec![0.0; dim * dim],
            estimate: vec![0.0; dim * dim],
        }
    }

    pub fn restart(&mut self) {
        self.n = 0;
        self.mean.fill(0.0);
        self.m2.fill(0.0);
    }

    pub fn add_sample(&mut self, q: &[f64]) {
        self.n += 1;
        let n = self.n as f64;
        for ((d, m), x) in self.delta.iter_mut().zip(self.mean.iter_mut()).zip(q) {
            *d = x - *m;
            *m += *d / n;
        }
        for (row, di) in self.m2.chunks_mut(self.dim).zip(&self.delta) {
            for ((m, x), mean) in row.iter_mut().zip(q).zip(&self.mean) {
                *m += di * (x - mean);
            }
        }
    }

    /// Sets `metric` to the regularised covariance `(n / (n + 5)) cov + 1e-3 (5 / (n + 5)) I`.
    /// With fewer than two samples Stan keeps the old matrix before shrinking.
    pub fn regularized_covariance(&mut self, metric: &mut Metric) {
        let n = self.n as f64;
        let d = self.dim;
        if self.n > 1 {
            for (e, s) in self.estimate.iter_mut().zip(&self.m2) {
                *e = s / (n - 1.0);
            }
        } else {
            self.estimate.copy_from_slice(metric.values());
        }
        for (k, e) in self.estimate.iter_mut().enumerate() {
            let identity = if k % (d + 1) == 0 { 1.0 } else { 0.0 };
            *e = (n / (n + 5.0)) * *e + 1e-3 * (5.0 / (n + 5.0)) * identity;
        }
        // The shrinkage towards the identity keeps the estimate positive definite; should
        // rounding defeat it, the previous metric stays.
        metric.set_dense(&self.estimate);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_matches_two_pass_variance_with_shrinkage() {
        let xs = [[1.0, 10.0], [2.0, 30.0], [4.0, 20.0], [7.0, 0.0]];
        let mut w = WelfordVariance::new(2);
        for x in &xs {
            w.add_sample(x);
        }
        let mut out = [0.0; 2];
        w.regularized_variance(&mut out);
        for j in 0..2 {
            let mean = xs.iter().map(|x| x[j]).sum::<f64>() / 4.0;
            let var = xs.iter().map(|x| (x[j] - mean).powi(2)).sum::<f64>() / 3.0;
            let expect = 4.0 / 9.0 * var + 1e-3 * 5.0 / 9.0;
            assert!((out[j] - expect).abs() < 1e-12 * expect.max(1.0));
        }
        w.restart();
        w.add_sample(&[3.0, 3.0]);
        let mut kept = [2.0, 2.0];
        w.regularized_variance(&mut kept);
        assert!((kept[0] - (2.0 / 6.0 + 1e-3 * 5.0 / 6.0)).abs() < 1e-15);
    }

    #[test]
    fn welford_covariance_matches_two_pass_covariance_with_shrinkage() {
        use crate::nuts::metric::MetricKind;
        let xs = [[1.0, 10.0], [2.0, 30.0], [4.0, 20.0], [7.0, 0.0]];
        let mut w = WelfordCovariance::new(2);
        for x in &xs {
            w.add_sample(x);
        }
        let mut metric = Metric::identity(MetricKind::Dense, 2);
        w.regularized_covariance(&mut metric);
        let mean = [3.5, 15.0];
        for i in 0..2 {
            for j in 0..2 {
                let cov = xs.iter().map(|x| (x[i] - mean[i]) * (x[j] - mean[j])).sum::<f64>() / 3.0;
                let shrink = if i == j { 1e-3 * 5.0 / 9.0 } else { 0.0 };
                let expect = 4.0 / 9.0 * cov + shrink;
                let got = metric.values()[i * 2 + j];
                assert!((got - expect).abs() < 1e-12 * expect.abs().max(1.0), "{got} {expect}");
            }
        }
    }
}
