tilde::model! {
    struct M;
    data { int N; matrix[N, N] A; matrix[N, N] B; }
    transformed data { matrix[N, N] C = A / B; }
}

fn main() {}
