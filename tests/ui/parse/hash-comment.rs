tilde::model! {
    struct M;
    # the parameters
    parameters { real mu; }
}

fn main() {}
