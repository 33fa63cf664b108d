tilde::model! {
    struct M;
    data { int N; matrix[N, N] X; }
}

fn main() {}
