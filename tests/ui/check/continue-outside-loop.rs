tilde::model! {
    struct M;
    parameters { real mu; }
    model {
        continue;
        mu ~ normal(0, 1);
    }
}

fn main() {}
