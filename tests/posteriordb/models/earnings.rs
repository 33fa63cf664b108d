//! Earnings on height and sex (Gelman and Hill, chapter 4): raw, natural-log and base-10-log
//! responses, with and without the sex interaction.

tilde::model! {
    /// Earnings in dollars on height in inches; no priors.
    pub struct EarnHeight;

    data {
        int<lower=0> N;
        vector[N] earn;
        vector[N] height;
    }
    parameters {
        vector[2] beta;
        real<lower=0> sigma;
    }
    model {
        earn ~ normal(beta[1] + beta[2] * height, sigma);
    }
}

tilde::model! {
    /// Log earnings on height.
    pub struct LogearnHeight;

    data {
        int<lower=0> N;
        vector[N] earn;
        vector[N] height;
    }
    transformed data {
        vector[N] log_earn = log(earn);
    }
    parameters {
        vector[2] beta;
        real<lower=0> sigma;
    }
    model {
        log_earn ~ normal(beta[1] + beta[2] * height, sigma);
    }
}

tilde::model! {
    /// Base-10 log earnings on height, the logarithm taken element by element.
    pub struct Log10earnHeight;

    data {
        int<lower=0> N;
        vector[N] earn;
        vector[N] height;
    }
    transformed data {
        vector[N] log10_earn;
        for (i in 1:N) {
            log10_earn[i] = log10(earn[i]);
        }
    }
    parameters {
        vector[2] beta;
        real<lower=0> sigma;
    }
    model {
        log10_earn ~ normal(beta[1] + beta[2] * height, sigma);
    }
}

tilde::model! {
    /// Log earnings on height and sex.
    pub struct LogearnHeightMale;

    data {
        int<lower=0> N;
        vector[N] earn;
        vector[N] height;
        vector[N] male;
    }
    transformed data {
        vector[N] log_earn = log(earn);
    }
    parameters {
        vector[3] beta;
        real<lower=0> sigma;
    }
    model {
        log_earn ~ normal(beta[1] + beta[2] * height + beta[3] * male, sigma);
    }
}

tilde::model! {
    /// Log earnings on log height and sex: the intercept and slope correlate at -0.9999.
    pub struct LogearnLogheightMale;

    data {
        int<lower=0> N;
        vector[N] earn;
        vector[N] height;
        vector[N] male;
    }
    transformed data {
        vector[N] log_earn = log(earn);
        vector[N] log_height = log(height);
    }
    parameters {
        vector[3] beta;
        real<lower=0> sigma;
    }
    model {
        log_earn ~ normal(beta[1] + beta[2] * log_height + beta[3] * male, sigma);
    }
}

tilde::model! {
    /// Log earnings on height, sex and their product.
    pub struct LogearnInteraction;

    data {
        int<lower=0> N;
        vector[N] earn;
        vector[N] height;
        vector[N] male;
    }
    transformed data {
        vector[N] log_earn = log(earn);
        vector[N] inter = height .* male;
    }
    parameters {
        vector[4] beta;
        real<lower=0> sigma;
    }
    model {
        log_earn ~ normal(beta[1] + beta[2] * height + beta[3] * male + beta[4] * inter, sigma);
    }
}

tilde::model! {
    /// Log earnings on standardised height (one sample sd), sex and their product.
    pub struct LogearnInteractionZ;

    data {
        int<lower=0> N;
        vector[N] earn;
        vector[N] height;
        vector[N] male;
    }
    transformed data {
        vector[N] log_earn = log(earn);
        vector[N] z_height = (height - mean(height)) / sd(height);
        vector[N] inter = z_height .* male;
    }
    parameters {
        vector[4] beta;
        real<lower=0> sigma;
    }
    model {
        log_earn ~ normal(beta[1] + beta[2] * z_height + beta[3] * male + beta[4] * inter,
                          sigma);
    }
}
