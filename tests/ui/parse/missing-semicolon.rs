tilde::model! {
    struct M;
    parameters { real mu }
}

fn main() {}
