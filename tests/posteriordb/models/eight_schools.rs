//! Eight schools: the hierarchical model of coaching effects (Rubin 1981), non-centred and
//! centred.

tilde::model! {
    /// Non-centred eight schools: theta = mu + tau * theta_trans.
    pub struct EightSchoolsNoncentered;

    data {
        int<lower=0> J;
        array[J] real y;
        array[J] real<lower=0> sigma;
    }
    parameters {
        real mu;
        real<lower=0> tau;
        vector[J] theta_trans;
    }
    transformed parameters {
        vector[J] theta = theta_trans * tau + mu;
    }
    model {
        theta_trans ~ normal(0, 1);
        y ~ normal(theta, sigma);
        mu ~ normal(0, 5);
        tau ~ cauchy(0, 5);
    }
}

tilde::model! {
    /// Centred eight schools: the school effects are drawn directly from the population. The
    /// same posterior as the non-centred model, but with a funnel between tau and theta.
    pub struct EightSchoolsCentered;

    data {
        int<lower=0> J;
        array[J] real y;
        array[J] real<lower=0> sigma;
    }
    parameters {
        real mu;
        real<lower=0> tau;
        array[J] real theta;
    }
    model {
        mu ~ normal(0, 5);
        tau ~ cauchy(0, 5);
        theta ~ normal(mu, tau);
        y ~ normal(theta, sigma);
    }
}

tilde::model! {
    /// A deliberately wrong version of the model above: `tau` is written as `exp(log_tau)` but
    /// the log Jacobian `log_tau` of that change of variables is left out, so the sampled
    /// distribution of `tau` is not the posterior.
    pub struct EightSchoolsNoJacobian;

    data {
        int<lower=0> J;
        array[J] real y;
        array[J] real<lower=0> sigma;
    }
    parameters {
        real mu;
        real log_tau;
        vector[J] theta_trans;
    }
    transformed parameters {
        real tau = exp(log_tau);
        vector[J] theta = theta_trans * tau + mu;
    }
    model {
        theta_trans ~ normal(0, 1);
        y ~ normal(theta, sigma);
        mu ~ normal(0, 5);
        tau ~ cauchy(0, 5);
    }
}
