//! Two-state hidden Markov models, their hidden states summed out by the forward algorithm: a
//! simulated example, and basketball drives from player tracking data.
//!
//! Row `j` of the transition matrix is the simplex `theta_j`: `log_theta[j, k]` is the log
//! probability of moving from state `j` to state `k`, and `gamma[t, k]` the log density of the
//! first `t` observations with the chain in state `k` at time `t`. The rows are two parameters
//! named as in posteriordb's reference, so `K` must be 2.

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
        simplex[K] theta1;
        simplex[K] theta2;
        positive_ordered[K] mu;
    }
    model {
        array[K] vector[K] log_theta;
        array[N, K] real gamma;
        array[K] real acc;
        log_theta[1] = log(theta1);
        log_theta[2] = log(theta2);
        target += normal_lpdf(mu[1] | 3, 1);
        target += normal_lpdf(mu[2] | 10, 1);
        for (k in 1:K) {
            gamma[1, k] = normal_lpdf(y[1] | mu[k], 1);
        }
        for (t in 2:N) {
            for (k in 1:K) {
                for (j in 1:K) {
                    acc[j] = gamma[t - 1, j] + log_theta[j, k] + normal_lpdf(y[t] | mu[k], 1);
                }
                gamma[t, k] = log_sum_exp(acc);
            }
        }
        target += log_sum_exp(gamma[N]);
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
        matrix<lower=0>[K, K] alpha;
        real<lower=0> tau;
        real<lower=0> rho;
    }
    parameters {
        simplex[K] theta1;
        simplex[K] theta2;
        ordered[K] phi;
        ordered[K] lambda;
    }
    model {
        array[K] vector[K] log_theta;
        array[N, K] real gamma;
        array[K] real acc;
        log_theta[1] = log(theta1);
        log_theta[2] = log(theta2);
        theta1 ~ dirichlet(transpose(alpha[1]));
        theta2 ~ dirichlet(transpose(alpha[2]));
        phi[1] ~ normal(0, 1);
        phi[2] ~ normal(3, 1);
        lambda[1] ~ normal(0, 1);
        lambda[2] ~ normal(3, 1);
        for (k in 1:K) {
            gamma[1, k] = normal_lpdf(u[1] | phi[k], tau) + normal_lpdf(v[1] | lambda[k], rho);
        }
        for (t in 2:N) {
            for (k in 1:K) {
                for (j in 1:K) {
                    acc[j] = gamma[t - 1, j] + log_theta[j, k] + normal_lpdf(u[t] | phi[k], tau)
                             + normal_lpdf(v[t] | lambda[k], rho);
                }
                gamma[t, k] = log_sum_exp(acc);
            }
        }
        target += log_sum_exp(gamma[N]);
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
        matrix<lower=0>[K, K] alpha;
    }
    parameters {
        simplex[K] theta1;
        simplex[K] theta2;
        positive_ordered[K] phi;
        positive_ordered[K] lambda;
    }
    model {
        array[K] vector[K] log_theta;
        array[N, K] real gamma;
        array[K] real acc;
        log_theta[1] = log(theta1);
        log_theta[2] = log(theta2);
        theta1 ~ dirichlet(transpose(alpha[1]));
        theta2 ~ dirichlet(transpose(alpha[2]));
        phi[1] ~ normal(0, 1);
        phi[2] ~ normal(3, 1);
        lambda[1] ~ normal(0, 1);
        lambda[2] ~ normal(3, 1);
        for (k in 1:K) {
            gamma[1, k] = exponential_lpdf(u[1] | phi[k]) + exponential_lpdf(v[1] | lambda[k]);
        }
        for (t in 2:N) {
            for (k in 1:K) {
                for (j in 1:K) {
                    acc[j] = gamma[t - 1, j] + log_theta[j, k] + exponential_lpdf(u[t] | phi[k])
                             + exponential_lpdf(v[t] | lambda[k]);
                }
                gamma[t, k] = log_sum_exp(acc);
            }
        }
        target += log_sum_exp(gamma[N]);
    }
}
