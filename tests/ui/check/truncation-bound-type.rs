tilde::model! {
    struct M;
    data { real y; vector[2] b; }
    parameters { real mu; }
    model {
        y ~ normal(mu, 1) T[b, ];
    }
}

fn main() {}
