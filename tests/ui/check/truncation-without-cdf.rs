tilde::model! {
    struct M;
    data { real y; }
    parameters { real<lower=0> alpha; }
    model {
        y ~ skew_normal(0, 1, alpha) T[, 10];
    }
}

fn main() {}
