tilde::model! {
    struct M;
    parameters { real mu; }
    model {
        break;
        mu ~ normal(0, 1);
    }
}

fn main() {}
