tilde::model! {
    struct M;
    data { int<lower=0.5> n; }
    parameters { real mu; }
    model { mu ~ normal(n, 1); }
}

fn main() {}
