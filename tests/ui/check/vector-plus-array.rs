tilde::model! {
    struct M;
    data { int N; array[N] real x; }
    parameters { vector[N] beta; }
    model { beta ~ normal(beta + x, 1); }
}

fn main() {}
