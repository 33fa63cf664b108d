tilde::model! {
    struct M;
    data { int N; array[N, N, N] real a; }
    generated quantities {
        array[N, N, N] real c = exp(a);
        array[N, N, N] real d = pow(a, 2);
        array[N, N] vector[N] e;
        e = {{rep_vector(0, N)}};
    }
}

fn main() {}
