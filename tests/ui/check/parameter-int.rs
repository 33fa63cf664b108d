tilde::model! {
    struct M;
    parameters { int k; }
}

fn main() {}
