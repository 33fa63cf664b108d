tilde::model! {
    struct M;
    data { int N; }
    data { int K; }
}

fn main() {}
