tilde::model! {
    struct M;
    data { real y; }
    parameters { real<lower=0, upper=1> mu; }
    model {
        target += beta_proportion_cdf(y | mu, 2);
    }
}

fn main() {}
