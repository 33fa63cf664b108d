tilde::model! {
    struct M;
    parameters { real mu; }
    model {
        mu ~ normal(a, 1);
        mu ~ normal(0, b);
        target += c;
    }
}

fn main() {}
