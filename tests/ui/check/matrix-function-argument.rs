tilde::model! {
    struct M;
    data { int N; vector[N] v; }
    transformed data { matrix[N, N] L = cholesky_decompose(v); }
}

fn main() {}
