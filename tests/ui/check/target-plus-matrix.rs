tilde::model! {
    struct M;
    data { matrix[2, 2] X; }
    parameters { real mu; }
    model {
        target += X;
    }
}

fn main() {}
