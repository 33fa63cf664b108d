//! Two-state hidden Markov models, their hidden states summed out by the forward algorithm: a
//! simulated example, and basketball drives from player tracking data.
//!
//! The simplexes and ordered pairs of these two-state models are written with bounds that are
//! exactly Stan's transforms for two states, with the same Jacobians, so the posterior is the
//! same: a transition row `(p, 1 - p)` with `p` in (0, 1) (the stick-breaking simplex of size 2
//! is the logistic transform of `p`), an ordered pair as `a_1` and `a_2 > a_1` (Stan's
//! `a_2 = a_1 + exp(u)`), a positive ordered pair with `a_1 > 0` as well.
//! A Dirichlet prior on a simplex of size 2 is the beta prior on its first component.

tilde::model! {
    /// Gaussian HMM with unit emission sd, positive ordered means, uniform transition rows and
    /// no initial-state term.
    pub struct HmmExample;

    data {
        int<lower=1> N;
        int<lower=2, upper=2> K;
        array[N] real y;
    }
    parameters {
        real<lower=0, upper=1> stay_1;
        real<lower=0, upper=1> leave_2;
        real<lower=0> mu_1;
        real<lower=mu_1> mu_2;
    }
    transformed parameters {
        array[K] real theta1 = {stay_1, 1 - stay_1};
        array[K] real theta2 = {leave_2, 1 - leave_2};
        array[K] real mu = {mu_1, mu_2};
    }
    model {
        // log_theta[j, k]: log probability of moving from state j to state k.
        array[K, K] real log_theta;
        vector[K] gamma;
        vector[K] gamma_prev;
        vector[K] acc;
        for (k in 1:K) {
            log_theta[1, k] = log(theta1[k]);
            log_theta[2, k] = log(theta2[k]);
        }
        target += normal_lpdf(mu[1] | 3, 1);
        target += normal_lpdf(mu[2] | 10, 1);
        for (k in 1:K) {
            gamma[k] = normal_lpdf(y[1] | mu[k], 1);
        }
        for (t in 2:N) {
            gamma_prev = gamma;
            for (k in 1:K) {
                for (j in 1:K) {
                    acc[j] = gamma_prev[j] + log_theta[j, k] + normal_lpdf(y[t] | mu[k], 1);
                }
                gamma[k] = log_sum_exp(acc);
            }
        }
        target += log_sum_exp(gamma);
    }
}

tilde::model! {
    /// Drive events: each state emits 1/speed `u` and distance to the hoop `v`, normal with
    /// known sds `tau` and `rho` around ordered state means `phi` and `lambda`; the transition
    /// rows have Dirichlet priors whose concentrations are the rows of `alpha`.
    pub struct HmmDrive1;

    data {
        int<lower=2, upper=2> K;
        int<lower=1> N;
        array[N] real u;
        array[N] real v;
        array[K, K] real<lower=0> alpha;
        real<lower=0> tau;
        real<lower=0> rho;
    }
    parameters {
        real<lower=0, upper=1> stay_1;
        real<lower=0, upper=1> leave_2;
        real phi_1;
        real<lower=phi_1> phi_2;
        real lambda_1;
        real<lower=lambda_1> lambda_2;
    }
    transformed parameters {
        array[K] real theta1 = {stay_1, 1 - stay_1};
        array[K] real theta2 = {leave_2, 1 - leave_2};
        array[K] real phi = {phi_1, phi_2};
        array[K] real lambda = {lambda_1, lambda_2};
    }
    model {
        array[K, K] real log_theta;
        vector[K] gamma;
        vector[K] gamma_prev;
        vector[K] acc;
        for (k in 1:K) {
            log_theta[1, k] = log(theta1[k]);
            log_theta[2, k] = log(theta2[k]);
        }
        target += beta_lpdf(theta1[1] | alpha[1, 1], alpha[1, 2]);
        target += beta_lpdf(theta2[1] | alpha[2, 1], alpha[2, 2]);
        target += normal_lpdf(phi[1] | 0, 1);
        target += normal_lpdf(phi[2] | 3, 1);
        target += normal_lpdf(lambda[1] | 0, 1);
        target += normal_lpdf(lambda[2] | 3, 1);
        for (k in 1:K) {
            gamma[k] = normal_lpdf(u[1] | phi[k], tau) + normal_lpdf(v[1] | lambda[k], rho);
        }
        for (t in 2:N) {
            gamma_prev = gamma;
            for (k in 1:K) {
                for (j in 1:K) {
                    acc[j] = gamma_prev[j] + log_theta[j, k] + normal_lpdf(u[t] | phi[k], tau)
                             + normal_lpdf(v[t] | lambda[k], rho);
                }
                gamma[k] = log_sum_exp(acc);
            }
        }
        target += log_sum_exp(gamma);
    }
}

tilde::model! {
    /// Drive events with exponential emissions: positive ordered rates `phi` for `u` and
    /// `lambda` for `v`; Dirichlet priors on the transition rows as in `HmmDrive1`.
    pub struct HmmDrive0;

    data {
        int<lower=2, upper=2> K;
        int<lower=1> N;
        array[N] real u;
        array[N] real v;
        array[K, K] real<lower=0> alpha;
    }
    parameters {
        real<lower=0, upper=1> stay_1;
        real<lower=0, upper=1> leave_2;
        real<lower=0> phi_1;
        real<lower=phi_1> phi_2;
        real<lower=0> lambda_1;
        real<lower=lambda_1> lambda_2;
    }
    transformed parameters {
        array[K] real theta1 = {stay_1, 1 - stay_1};
        array[K] real theta2 = {leave_2, 1 - leave_2};
        array[K] real phi = {phi_1, phi_2};
        array[K] real lambda = {lambda_1, lambda_2};
    }
    model {
        array[K, K] real log_theta;
        vector[K] gamma;
        vector[K] gamma_prev;
        vector[K] acc;
        for (k in 1:K) {
            log_theta[1, k] = log(theta1[k]);
            log_theta[2, k] = log(theta2[k]);
        }
        target += beta_lpdf(theta1[1] | alpha[1, 1], alpha[1, 2]);
        target += beta_lpdf(theta2[1] | alpha[2, 1], alpha[2, 2]);
        target += normal_lpdf(phi[1] | 0, 1);
        target += normal_lpdf(phi[2] | 3, 1);
        target += normal_lpdf(lambda[1] | 0, 1);
        target += normal_lpdf(lambda[2] | 3, 1);
        for (k in 1:K) {
            gamma[k] = exponential_lpdf(u[1] | phi[k]) + exponential_lpdf(v[1] | lambda[k]);
        }
        for (t in 2:N) {
            gamma_prev = gamma;
            for (k in 1:K) {
                for (j in 1:K) {
                    acc[j] = gamma_prev[j] + log_theta[j, k] + exponential_lpdf(u[t] | phi[k])
                             + exponential_lpdf(v[t] | lambda[k]);
                }
                gamma[k] = log_sum_exp(acc);
            }
        }
        target += log_sum_exp(gamma);
    }
}
