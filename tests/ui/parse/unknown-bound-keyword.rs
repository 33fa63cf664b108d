tilde::model! {
    struct M;
    parameters { real<lowr=0> sigma; }
}

fn main() {}
