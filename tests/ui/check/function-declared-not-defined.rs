tilde::model! {
    struct M;
    functions {
        real g(real a);
    }
    parameters { real mu; }
    model { mu ~ normal(g(1.0), 1); }
}

fn main() {}
