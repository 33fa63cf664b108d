tilde::model! {
    struct M;
    parameters { real mu; }
    model { mu ~ normal(0, 1) 3; }
}

fn main() {}
