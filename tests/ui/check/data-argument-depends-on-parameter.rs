tilde::model! {
    struct M;
    functions {
        real scaled(data vector x, real s) {
            return s * sum(x);
        }
    }
    data { int N; vector[N] x; }
    parameters { real mu; }
    model {
        mu ~ normal(scaled(x, 2.0), 1);
        target += scaled(x * mu, 1.0);
    }
}

fn main() {}
