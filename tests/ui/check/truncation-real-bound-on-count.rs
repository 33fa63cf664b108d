tilde::model! {
    struct M;
    data { int<lower=0> n; }
    parameters { real<lower=0> lambda; }
    model {
        n ~ poisson(lambda) T[0.5, ];
    }
}

fn main() {}
