tilde::model! {
    struct M;
    data { int N; array[N] matrix[N, N] a; array[N, N] vector[N] v; }
    generated quantities {
        array[N] matrix[N, N] c = N > 1 ? a : a[{1, 1}];
        array[N] matrix[N, N] d = N > 1 ? a : v;
        array[N, N] vector[N] e = N > 1 ? c : d;
    }
}

fn main() {}
