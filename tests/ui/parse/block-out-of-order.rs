tilde::model! {
    struct M;
    parameters { real mu; }
    data { int N; }
}

fn main() {}
