tilde::model! {
    struct M;
    data { int N; array[N, N] vector[N] x; }
}

fn main() {}
