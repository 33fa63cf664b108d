tilde::model! {
    struct M;
    parameters { real<lower=0> lambda; }
    model {
        2.5 ~ poisson(lambda);
    }
}

fn main() {}
