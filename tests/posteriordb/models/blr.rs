//! Bayesian linear regression with a design matrix and vague normal priors, on simulated data
//! with independent (sblri) or correlated (sblrc) coefficients.

tilde::model! {
    /// `y ~ normal(X * beta, sigma)` with no separate intercept. Tilde has no `matrix` yet, so
    /// the design matrix is read as an array of rows (the same JSON, a list of rows) and the
    /// product is written as one dot product per row.
    pub struct Blr;

    data {
        int<lower=0> N;
        int<lower=0> D;
        array[N] vector[D] X;
        vector[N] y;
    }
    parameters {
        vector[D] beta;
        real<lower=0> sigma;
    }
    model {
        vector[N] mu;
        for (n in 1:N) {
            mu[n] = dot_product(X[n], beta);
        }
        target += normal_lpdf(beta | 0, 10);
        target += normal_lpdf(sigma | 0, 10);
        target += normal_lpdf(y | mu, sigma);
    }
}
