tilde::model! {
    struct M;
    data { real<lower=mu> y; }
    parameters { real mu; }
}

fn main() {}
