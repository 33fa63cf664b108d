tilde::model! {
    struct M;
    data { int N; array[N] matrix[N, N] a; array[N] matrix[N, N] b; }
    generated quantities {
        array[N] matrix[N, N] c = N > 1 ? a : b;
    }
}

fn main() {}
