tilde::model! {
    struct M;
    functions {
        real total(array[,] vector x) {
            return 0;
        }
    }
    data { int N; array[N, N] vector[N] x; }
}

fn main() {}
