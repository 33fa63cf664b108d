//! Summer temperatures at Kilpisjärvi, 1952-2013, with a linear trend. The years are shifted by
//! 2000 on purpose, which makes the intercept and slope almost perfectly correlated.

tilde::model! {
    /// Linear trend with normal priors whose means and scales are data.
    pub struct Kilpisjarvi;

    data {
        int<lower=0> N;
        vector[N] x;
        vector[N] y;
        real xpred;
        real pmualpha;
        real psalpha;
        real pmubeta;
        real psbeta;
    }
    parameters {
        real alpha;
        real beta;
        real<lower=0> sigma;
    }
    model {
        alpha ~ normal(pmualpha, psalpha);
        beta ~ normal(pmubeta, psbeta);
        y ~ normal(alpha + beta * x, sigma);
    }
}
