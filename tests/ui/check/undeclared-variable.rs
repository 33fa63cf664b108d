tilde::model! {
    struct M;
    parameters { real mu; }
    model { mu ~ normal(m, 1); }
}

fn main() {}
