//! Gaussian processes on simulated data (posteriordb's `gp_pois_regr` data set): exact
//! regression with the latent function integrated out, and a latent Poisson process.

tilde::model! {
    /// Exact GP regression: y ~ MultivariateNormal(0, K) with an exponentiated quadratic
    /// kernel; `sigma` is added to the diagonal as it is, so it acts as a noise variance.
    pub struct GpRegr;

    data {
        int<lower=1> N;
        array[N] real x;
        vector[N] y;
    }
    parameters {
        real<lower=0> rho;
        real<lower=0> alpha;
        real<lower=0> sigma;
    }
    model {
        matrix[N, N] cov = gp_exp_quad_cov(x, alpha, rho) + diag_matrix(rep_vector(sigma, N));
        matrix[N, N] L_cov = cholesky_decompose(cov);
        rho ~ gamma(25, 4);
        alpha ~ normal(0, 2);
        sigma ~ normal(0, 1);
        y ~ multi_normal_cholesky(rep_vector(0, N), L_cov);
    }
}

tilde::model! {
    /// Latent GP with Poisson counts, non-centred: f = cholesky(K) * f_tilde.
    pub struct GpPoisRegr;

    data {
        int<lower=1> N;
        array[N] real x;
        array[N] int<lower=0> k;
    }
    parameters {
        real<lower=0> rho;
        real<lower=0> alpha;
        vector[N] f_tilde;
    }
    transformed parameters {
        vector[N] f;
        {
            matrix[N, N] cov = gp_exp_quad_cov(x, alpha, rho)
                + diag_matrix(rep_vector(1e-10, N));
            matrix[N, N] L_cov = cholesky_decompose(cov);
            f = L_cov * f_tilde;
        }
    }
    model {
        rho ~ gamma(25, 4);
        alpha ~ normal(0, 2);
        f_tilde ~ normal(0, 1);
        k ~ poisson_log(f);
    }
}
