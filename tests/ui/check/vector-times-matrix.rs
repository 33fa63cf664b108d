tilde::model! {
    struct M;
    data { int N; matrix[N, N] A; vector[N] v; }
    transformed data { vector[N] w = v * A; }
}

fn main() {}
