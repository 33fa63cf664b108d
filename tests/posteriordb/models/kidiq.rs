//! Children's test scores on their mothers' schooling and IQ (Gelman and Hill, chapter 3).

tilde::model! {
    /// Test score on one binary predictor: did the mother finish high school.
    pub struct KidscoreMomhs;

    data {
        int<lower=0> N;
        vector<lower=0, upper=200>[N] kid_score;
        vector<lower=0, upper=1>[N] mom_hs;
    }
    parameters {
        vector[2] beta;
        real<lower=0> sigma;
    }
    model {
        sigma ~ cauchy(0, 2.5);
        kid_score ~ normal(beta[1] + beta[2] * mom_hs, sigma);
    }
}

tilde::model! {
    /// Test score on the mother's IQ.
    pub struct KidscoreMomiq;

    data {
        int<lower=0> N;
        vector<lower=0, upper=200>[N] kid_score;
        vector<lower=0, upper=200>[N] mom_iq;
    }
    parameters {
        vector[2] beta;
        real<lower=0> sigma;
    }
    model {
        sigma ~ cauchy(0, 2.5);
        kid_score ~ normal(beta[1] + beta[2] * mom_iq, sigma);
    }
}

tilde::model! {
    /// Test score on the mother's schooling and IQ.
    pub struct KidscoreMomhsiq;

    data {
        int<lower=0> N;
        vector<lower=0, upper=200>[N] kid_score;
        vector<lower=0, upper=200>[N] mom_iq;
        vector<lower=0, upper=1>[N] mom_hs;
    }
    parameters {
        vector[3] beta;
        real<lower=0> sigma;
    }
    model {
        sigma ~ cauchy(0, 2.5);
        kid_score ~ normal(beta[1] + beta[2] * mom_hs + beta[3] * mom_iq, sigma);
    }
}

tilde::model! {
    /// Test score on the mother's schooling, IQ and their product. Uncentred, so the intercept
    /// and the IQ slope are almost perfectly correlated.
    pub struct KidscoreInteraction;

    data {
        int<lower=0> N;
        vector<lower=0, upper=200>[N] kid_score;
        vector<lower=0, upper=200>[N] mom_iq;
        vector<lower=0, upper=1>[N] mom_hs;
    }
    transformed data {
        vector[N] inter = mom_hs .* mom_iq;
    }
    parameters {
        vector[4] beta;
        real<lower=0> sigma;
    }
    model {
        sigma ~ cauchy(0, 2.5);
        kid_score ~ normal(beta[1] + beta[2] * mom_hs + beta[3] * mom_iq + beta[4] * inter, sigma);
    }
}
