tilde::model! {
    struct M;
    parameters { real<lower=0, offset=1> x; }
}

fn main() {}
