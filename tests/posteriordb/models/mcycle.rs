//! Head acceleration in simulated motorcycle crashes (Silverman 1985), as brms writes a
//! heteroscedastic model with Hilbert-space approximate Gaussian processes for the mean and
//! for the log residual sd.

tilde::model! {
    /// An approximate GP (40 basis functions) for the mean and another (20) for the log sd.
    pub struct AccelGp;

    functions {
        // The spectral density of the squared-exponential kernel at each basis function's
        // frequency, in one input dimension.
        vector spd_cov_exp_quad(data array[] vector x, real sdgp, real lscale) {
            int nb = size(x);
            vector[nb] out;
            real constant = square(sdgp) * sqrt(2 * pi()) * lscale;
            real neg_half_lscale2 = -0.5 * square(lscale);
            for (m in 1:nb) {
                out[m] = constant * exp(neg_half_lscale2 * dot_self(x[m]));
            }
            return out;
        }
        // The approximate GP at the data: the basis functions weighted by the square root of
        // the spectral density and the standard-normal coefficients.
        vector gpa(data matrix X, real sdgp, real lscale, vector zgp,
                   data array[] vector slambda) {
            vector[cols(X)] diag_spd = sqrt(spd_cov_exp_quad(slambda, sdgp, lscale));
            return X * (diag_spd .* zgp);
        }
    }
    data {
        int<lower=1> N;
        vector[N] Y;
        int<lower=1> Kgp_1;
        int<lower=1> Dgp_1;
        int<lower=1> NBgp_1;
        matrix[N, NBgp_1] Xgp_1;
        array[NBgp_1] vector[Dgp_1] slambda_1;
        int<lower=1> Kgp_sigma_1;
        int<lower=1> Dgp_sigma_1;
        int<lower=1> NBgp_sigma_1;
        matrix[N, NBgp_sigma_1] Xgp_sigma_1;
        array[NBgp_sigma_1] vector[Dgp_sigma_1] slambda_sigma_1;
        int prior_only;
    }
    parameters {
        real Intercept;
        real<lower=0> sdgp_1;
        real<lower=0> lscale_1;
        vector[NBgp_1] zgp_1;
        real Intercept_sigma;
        real<lower=0> sdgp_sigma_1;
        real<lower=0> lscale_sigma_1;
        vector[NBgp_sigma_1] zgp_sigma_1;
    }
    model {
        vector[N] mu = Intercept + gpa(Xgp_1, sdgp_1, lscale_1, zgp_1, slambda_1);
        vector[N] sigma = exp(Intercept_sigma
            + gpa(Xgp_sigma_1, sdgp_sigma_1, lscale_sigma_1, zgp_sigma_1, slambda_sigma_1));
        Y ~ normal(mu, sigma);
        Intercept ~ student_t(3, -13, 36);
        // Half Student-t priors: the normalising CCDF at zero is a constant and is left out.
        sdgp_1 ~ student_t(3, 0, 36);
        lscale_1 ~ inv_gamma(1.124909, 0.0177);
        zgp_1 ~ std_normal();
        Intercept_sigma ~ student_t(3, 0, 10);
        sdgp_sigma_1 ~ student_t(3, 0, 36);
        lscale_sigma_1 ~ inv_gamma(1.124909, 0.0177);
        zgp_sigma_1 ~ std_normal();
    }
}
