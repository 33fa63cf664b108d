tilde::model! {
    struct M;
    parameters { real mu; }
    model {
        mu + 1;
    }
}

fn main() {}
