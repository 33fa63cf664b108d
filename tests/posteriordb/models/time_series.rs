//! Time-series models: an autoregression of order K, ARMA(1,1) and GARCH(1,1), each written
//! with loops and local variables that carry the recursion.

tilde::model! {
    /// AR(K): each observation after the first K is normal around a linear function of the K
    /// before it.
    pub struct ArK;

    data {
        int<lower=0> K;
        int<lower=0> T;
        array[T] real y;
    }
    parameters {
        real alpha;
        array[K] real beta;
        real<lower=0> sigma;
    }
    model {
        alpha ~ normal(0, 10);
        beta ~ normal(0, 10);
        sigma ~ cauchy(0, 2.5);
        for (t in (K + 1):T) {
            real mu = alpha;
            for (k in 1:K) {
                mu += beta[k] * y[t - k];
            }
            y[t] ~ normal(mu, sigma);
        }
    }
}

tilde::model! {
    /// ARMA(1,1): the one-step prediction errors are computed by recursion (the error before
    /// the first observation is taken as zero, and the first prediction uses mu for y[0]).
    pub struct Arma11;

    data {
        int<lower=1> T;
        array[T] real y;
    }
    parameters {
        real mu;
        real phi;
        real theta;
        real<lower=0> sigma;
    }
    model {
        vector[T] nu;
        vector[T] err;
        nu[1] = mu + phi * mu;
        err[1] = y[1] - nu[1];
        for (t in 2:T) {
            nu[t] = mu + phi * y[t - 1] + theta * err[t - 1];
            err[t] = y[t] - nu[t];
        }
        mu ~ normal(0, 10);
        phi ~ normal(0, 2);
        theta ~ normal(0, 2);
        sigma ~ cauchy(0, 2.5);
        err ~ normal(0, sigma);
    }
}

tilde::model! {
    /// GARCH(1,1): the volatility follows a recursion in the previous squared deviation and
    /// volatility. Stationarity (alpha1 + beta1 < 1) is a bound on beta1 that depends on
    /// alpha1; no priors beyond the constraints.
    pub struct Garch11;

    data {
        int<lower=0> T;
        array[T] real y;
        real<lower=0> sigma1;
    }
    parameters {
        real mu;
        real<lower=0> alpha0;
        real<lower=0, upper=1> alpha1;
        real<lower=0, upper=(1 - alpha1)> beta1;
    }
    model {
        array[T] real sigma;
        sigma[1] = sigma1;
        for (t in 2:T) {
            sigma[t] = sqrt(alpha0 + alpha1 * square(y[t - 1] - mu)
                            + beta1 * square(sigma[t - 1]));
        }
        y ~ normal(mu, sigma);
    }
}
