tilde::model! {
    struct M;
    data { real y; }
    parameters { vector[2] mu; }
    model {
        y ~ normal(mu, 1) T[0, ];
    }
}

fn main() {}
