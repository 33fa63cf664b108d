tilde::model! {
    struct M;
    functions {
        real my_lpdf(real y, real mu) { return -0.5 * square(y - mu); }
    }
    data { real y; }
    parameters { real mu; }
    model {
        y ~ my(mu) T[0, 1];
    }
}

fn main() {}
