tilde::model! {
    struct M;
    data { int N; matrix[N, N] A; }
    transformed data { matrix[N, N] B = A; B *= A; }
}

fn main() {}
