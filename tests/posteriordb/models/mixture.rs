//! A two-component normal mixture fitted to well-separated simulated data.

tilde::model! {
    /// Mixture of two normals with ordered means. Tilde has no `ordered` type yet, so the pair
    /// is written as `mu_1` and `mu_2 > mu_1`: Stan's ordered transform
    /// (`mu_2 = mu_1 + exp(u)`) is exactly the lower-bound transform with bound `mu_1`, so the
    /// density and its Jacobian are the same. `log_mix` is written out as a log-sum-exp.
    pub struct LowDimGaussMix;

    data {
        int<lower=0> N;
        vector[N] y;
    }
    parameters {
        real mu_1;
        real<lower=mu_1> mu_2;
        array[2] real<lower=0> sigma;
        real<lower=0, upper=1> theta;
    }
    transformed parameters {
        array[2] real mu = {mu_1, mu_2};
    }
    model {
        sigma ~ normal(0, 2);
        mu ~ normal(0, 2);
        theta ~ beta(5, 5);
        for (n in 1:N) {
            target += log_sum_exp({log(theta) + normal_lpdf(y[n] | mu[1], sigma[1]),
                                   log1m(theta) + normal_lpdf(y[n] | mu[2], sigma[2])});
        }
    }
}
