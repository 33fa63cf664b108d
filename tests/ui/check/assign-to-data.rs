tilde::model! {
    struct M;
    data { real y; }
    parameters { real mu; }
    model {
        y = 2;
        mu ~ normal(y, 1);
    }
}

fn main() {}
