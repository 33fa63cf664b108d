//! Children's test scores with the mother's work history (Gelman and Hill, chapter 4): the
//! interaction model under three centrings, and a four-level factor coded with indicators.

tilde::model! {
    /// Interaction model with both predictors centred on their sample means.
    pub struct KidscoreInteractionC;

    data {
        int<lower=0> N;
        vector[N] kid_score;
        vector[N] mom_hs;
        vector[N] mom_iq;
    }
    transformed data {
        vector[N] c_mom_hs = mom_hs - mean(mom_hs);
        vector[N] c_mom_iq = mom_iq - mean(mom_iq);
        vector[N] inter = c_mom_hs .* c_mom_iq;
    }
    parameters {
        vector[4] beta;
        real<lower=0> sigma;
    }
    model {
        kid_score ~ normal(beta[1] + beta[2] * c_mom_hs + beta[3] * c_mom_iq + beta[4] * inter,
                           sigma);
    }
}

tilde::model! {
    /// Interaction model with both predictors centred and divided by two sample standard
    /// deviations, so that a binary and a continuous predictor get comparable coefficients.
    pub struct KidscoreInteractionZ;

    data {
        int<lower=0> N;
        vector[N] kid_score;
        vector[N] mom_hs;
        vector[N] mom_iq;
    }
    transformed data {
        vector[N] z_mom_hs = (mom_hs - mean(mom_hs)) / (2 * sd(mom_hs));
        vector[N] z_mom_iq = (mom_iq - mean(mom_iq)) / (2 * sd(mom_iq));
        vector[N] inter = z_mom_hs .* z_mom_iq;
    }
    parameters {
        vector[4] beta;
        real<lower=0> sigma;
    }
    model {
        kid_score ~ normal(beta[1] + beta[2] * z_mom_hs + beta[3] * z_mom_iq + beta[4] * inter,
                           sigma);
    }
}

tilde::model! {
    /// Interaction model centred on round reference values: half for schooling, 100 for IQ.
    pub struct KidscoreInteractionC2;

    data {
        int<lower=0> N;
        vector[N] kid_score;
        vector[N] mom_hs;
        vector[N] mom_iq;
    }
    transformed data {
        vector[N] c2_mom_hs = mom_hs - 0.5;
        vector[N] c2_mom_iq = mom_iq - 100;
        vector[N] inter = c2_mom_hs .* c2_mom_iq;
    }
    parameters {
        vector[4] beta;
        real<lower=0> sigma;
    }
    model {
        kid_score ~ normal(beta[1] + beta[2] * c2_mom_hs + beta[3] * c2_mom_iq + beta[4] * inter,
                           sigma);
    }
}

tilde::model! {
    /// Test score on the mother's work history, a factor with four levels; level 1 (did not
    /// work in the child's first three years) is the baseline.
    pub struct KidscoreMomWork;

    data {
        int<lower=0> N;
        vector[N] kid_score;
        array[N] int mom_work;
    }
    transformed data {
        vector[N] work2;
        vector[N] work3;
        vector[N] work4;
        for (i in 1:N) {
            work2[i] = mom_work[i] == 2;
            work3[i] = mom_work[i] == 3;
            work4[i] = mom_work[i] == 4;
        }
    }
    parameters {
        vector[4] beta;
        real<lower=0> sigma;
    }
    model {
        kid_score ~ normal(beta[1] + beta[2] * work2 + beta[3] * work3 + beta[4] * work4, sigma);
    }
}
