tilde::model! {
    struct M;
    parameters { simplex<lower=0>[3] p; }
}

fn main() {}
