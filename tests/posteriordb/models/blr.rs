//! Bayesian linear regression with a design matrix and vague normal priors, on simulated data
//! with independent (sblri) or correlated (sblrc) coefficients.

tilde::model! {
    /// `y ~ normal(X * beta, sigma)` with no separate intercept.
    pub struct Blr;

    data {
        int<lower=0> N;
        int<lower=0> D;
        matrix[N, D] X;
        vector[N] y;
    }
    parameters {
        vector[D] beta;
        real<lower=0> sigma;
    }
    model {
        target += normal_lpdf(beta | 0, 10);
        target += normal_lpdf(sigma | 0, 10);
        target += normal_lpdf(y | X * beta, sigma);
    }
}
