tilde::model! {
    struct M;
    parameters { real<lower=0, lower=1> x; }
}

fn main() {}
