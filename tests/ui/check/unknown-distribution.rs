tilde::model! {
    struct M;
    parameters { real mu; }
    model { mu ~ normall(0, 1); }
}

fn main() {}
