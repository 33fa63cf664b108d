//! Log price of diamonds on 24 strongly correlated predictors, as brms writes a linear
//! regression: a centred design matrix, and the intercept of the centred model.

tilde::model! {
    /// brms's Gaussian regression with `normal_id_glm` on the centred predictors.
    pub struct Diamonds;

    data {
        int<lower=1> N;
        vector[N] Y;
        int<lower=1> K;
        matrix[N, K] X;
        int prior_only;
    }
    transformed data {
        // Column 1 of X is the intercept's column of ones; the rest are centred.
        int Kc = K - 1;
        matrix[N, Kc] Xc;
        vector[Kc] means_X;
        for (i in 2:K) {
            means_X[i - 1] = mean(X[:, i]);
            for (n in 1:N) {
                Xc[n, i - 1] = X[n, i] - means_X[i - 1];
            }
        }
    }
    parameters {
        vector[Kc] b;
        real Intercept;
        real<lower=0> sigma;
    }
    model {
        if (!prior_only) {
            target += normal_id_glm_lpdf(Y | Xc, Intercept, b, sigma);
        }
        target += normal_lpdf(b | 0, 1);
        target += student_t_lpdf(Intercept | 3, 8, 10);
        target += student_t_lpdf(sigma | 3, 0, 10) - student_t_lccdf(0 | 3, 0, 10);
    }
    generated quantities {
        // The intercept on the scale of the uncentred predictors.
        real b_Intercept = Intercept - dot_product(means_X, b);
    }
}
