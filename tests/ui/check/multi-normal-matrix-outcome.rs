tilde::model! {
    struct M;
    data { int N; matrix[N, N] Y; vector[N] mu; cov_matrix[N] S; }
    model { Y ~ multi_normal(mu, S); }
}

fn main() {}
