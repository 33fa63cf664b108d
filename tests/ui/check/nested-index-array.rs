tilde::model! {
    struct M;
    data { int N; array[N] matrix[N, N] a; }
    generated quantities {
        array[2] matrix[N, N] b = a[{1, 2}];
        array[N] matrix[N, N] c = a;
        array[2] row_vector[N] d = a[{1, 2}, 1];
        c[{1, 2}] = b;
    }
}

fn main() {}
