tilde::model! {
    struct M;
    functions {
        real mynorm_lpdf(real y, real mu) {
            return normal_lpdf(y | mu, 1);
        }
    }
    data { int N; vector[N] y; }
    parameters { real mu; }
    model { y ~ mynorm(mu); }
}

fn main() {}
