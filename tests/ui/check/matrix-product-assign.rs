tilde::model! {
    struct M;
    data { int N; matrix[N, N] A; vector[N] x; }
    transformed data { matrix[N, N] B = A; vector[N] v = x; B *= A; v *= A; }
}

fn main() {}
