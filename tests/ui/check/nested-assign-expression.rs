tilde::model! {
    struct M;
    data { int N; array[N, N, N] real a; }
    generated quantities {
        array[N, N, N] real c = exp(a);
        array[N, N] vector[N] d;
        d = {{rep_vector(0, N)}};
    }
}

fn main() {}
