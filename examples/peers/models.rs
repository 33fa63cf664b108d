//! The three models of the peer benchmark (`shared/bench/MODELS.md`), shared by the
//! `bench_peers` example and the log-density micro-benchmarks.

tilde::model! {
    /// Eight schools, non-centred.
    pub struct EightSchools;

    data {
        int<lower=0> J;
        array[J] real y;
        array[J] real<lower=0> sigma;
    }
    parameters {
        real mu;
        real<lower=0> tau;
        vector[J] theta_tilde;
    }
    transformed parameters {
        vector[J] theta = mu + tau * theta_tilde;
    }
    model {
        mu ~ normal(0, 5);
        tau ~ cauchy(0, 5);
        theta_tilde ~ std_normal();
        y ~ normal(theta, sigma);
    }
}

tilde::model! {
    /// Logistic regression with K predictors, written with the GLM function, which computes the
    /// linear predictor and its derivatives in one pass over X (the peers wrote the plain
    /// `bernoulli_logit(alpha + X * beta)`, the same density).
    pub struct Logistic;

    data {
        int<lower=0> N;
        int<lower=0> K;
        matrix[N, K] X;
        array[N] int<lower=0, upper=1> y;
    }
    parameters {
        real alpha;
        vector[K] beta;
    }
    model {
        alpha ~ normal(0, 5);
        beta ~ normal(0, 2.5);
        y ~ bernoulli_logit_glm(X, alpha, beta);
    }
}

tilde::model! {
    /// Varying intercepts, non-centred, with one shared slope.
    pub struct Hier;

    data {
        int<lower=0> N;
        int<lower=1> J;
        array[N] int<lower=1, upper=J> group;
        array[N] real x;
        array[N] real y;
    }
    parameters {
        real mu_a;
        real<lower=0> sigma_a;
        vector[J] a_raw;
        real b;
        real<lower=0> sigma_y;
    }
    transformed parameters {
        vector[J] a = mu_a + sigma_a * a_raw;
    }
    model {
        vector[N] mu;
        for (n in 1:N) {
            mu[n] = a[group[n]] + b * x[n];
        }
        mu_a ~ normal(0, 10);
        sigma_a ~ normal(0, 5);
        a_raw ~ std_normal();
        b ~ normal(0, 10);
        sigma_y ~ normal(0, 5);
        y ~ normal(mu, sigma_y);
    }
}
