tilde::model! {
    struct M;
    parameters { real mu; }
    model {
        real<lower=0> s = 1;
        mu ~ normal(0, s);
    }
}

fn main() {}
