//! Leaf biomass of mesquite bushes from measurements of the plant (Gelman and Hill, chapter 4):
//! the raw regression and the log-log models built from canopy volume, area and shape.

tilde::model! {
    /// Biomass on the six raw measurements; no priors.
    pub struct Mesquite;

    data {
        int<lower=0> N;
        vector[N] weight;
        vector[N] diam1;
        vector[N] diam2;
        vector[N] canopy_height;
        vector[N] total_height;
        vector[N] density;
        vector[N] group;
    }
    parameters {
        vector[7] beta;
        real<lower=0> sigma;
    }
    model {
        weight ~ normal(beta[1] + beta[2] * diam1 + beta[3] * diam2 + beta[4] * canopy_height
                        + beta[5] * total_height + beta[6] * density + beta[7] * group,
                        sigma);
    }
}

tilde::model! {
    /// Log biomass on the logs of the same measurements (group stays a 0/1 indicator).
    pub struct Logmesquite;

    data {
        int<lower=0> N;
        vector[N] weight;
        vector[N] diam1;
        vector[N] diam2;
        vector[N] canopy_height;
        vector[N] total_height;
        vector[N] density;
        vector[N] group;
    }
    transformed data {
        vector[N] log_weight = log(weight);
        vector[N] log_diam1 = log(diam1);
        vector[N] log_diam2 = log(diam2);
        vector[N] log_canopy_height = log(canopy_height);
        vector[N] log_total_height = log(total_height);
        vector[N] log_density = log(density);
    }
    parameters {
        vector[7] beta;
        real<lower=0> sigma;
    }
    model {
        log_weight ~ normal(beta[1] + beta[2] * log_diam1 + beta[3] * log_diam2
                            + beta[4] * log_canopy_height + beta[5] * log_total_height
                            + beta[6] * log_density + beta[7] * group,
                            sigma);
    }
}

tilde::model! {
    /// Log biomass on the log of the canopy volume alone.
    pub struct LogmesquiteLogvolume;

    data {
        int<lower=0> N;
        vector[N] weight;
        vector[N] diam1;
        vector[N] diam2;
        vector[N] canopy_height;
    }
    transformed data {
        vector[N] log_weight = log(weight);
        vector[N] log_canopy_volume = log(diam1 .* diam2 .* canopy_height);
    }
    parameters {
        vector[2] beta;
        real<lower=0> sigma;
    }
    model {
        log_weight ~ normal(beta[1] + beta[2] * log_canopy_volume, sigma);
    }
}

tilde::model! {
    /// Log biomass on log canopy volume, log canopy area and group.
    pub struct LogmesquiteLogva;

    data {
        int<lower=0> N;
        vector[N] weight;
        vector[N] diam1;
        vector[N] diam2;
        vector[N] canopy_height;
        vector[N] group;
    }
    transformed data {
        vector[N] log_weight = log(weight);
        vector[N] log_canopy_volume = log(diam1 .* diam2 .* canopy_height);
        vector[N] log_canopy_area = log(diam1 .* diam2);
    }
    parameters {
        vector[4] beta;
        real<lower=0> sigma;
    }
    model {
        log_weight ~ normal(beta[1] + beta[2] * log_canopy_volume + beta[3] * log_canopy_area
                            + beta[4] * group,
                            sigma);
    }
}

tilde::model! {
    /// Log biomass on log volume, area, shape (long over short diameter), total height and
    /// group.
    pub struct LogmesquiteLogvash;

    data {
        int<lower=0> N;
        vector[N] weight;
        vector[N] diam1;
        vector[N] diam2;
        vector[N] canopy_height;
        vector[N] total_height;
        vector[N] group;
    }
    transformed data {
        vector[N] log_weight = log(weight);
        vector[N] log_canopy_volume = log(diam1 .* diam2 .* canopy_height);
        vector[N] log_canopy_area = log(diam1 .* diam2);
        vector[N] log_canopy_shape = log(diam1 ./ diam2);
        vector[N] log_total_height = log(total_height);
    }
    parameters {
        vector[6] beta;
        real<lower=0> sigma;
    }
    model {
        log_weight ~ normal(beta[1] + beta[2] * log_canopy_volume + beta[3] * log_canopy_area
                            + beta[4] * log_canopy_shape + beta[5] * log_total_height
                            + beta[6] * group,
                            sigma);
    }
}

tilde::model! {
    /// The model above with the log number of stems added.
    pub struct LogmesquiteLogvas;

    data {
        int<lower=0> N;
        vector[N] weight;
        vector[N] diam1;
        vector[N] diam2;
        vector[N] canopy_height;
        vector[N] total_height;
        vector[N] density;
        vector[N] group;
    }
    transformed data {
        vector[N] log_weight = log(weight);
        vector[N] log_canopy_volume = log(diam1 .* diam2 .* canopy_height);
        vector[N] log_canopy_area = log(diam1 .* diam2);
        vector[N] log_canopy_shape = log(diam1 ./ diam2);
        vector[N] log_total_height = log(total_height);
        vector[N] log_density = log(density);
    }
    parameters {
        vector[7] beta;
        real<lower=0> sigma;
    }
    model {
        log_weight ~ normal(beta[1] + beta[2] * log_canopy_volume + beta[3] * log_canopy_area
                            + beta[4] * log_canopy_shape + beta[5] * log_total_height
                            + beta[6] * log_density + beta[7] * group,
                            sigma);
    }
}
