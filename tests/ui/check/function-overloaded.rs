tilde::model! {
    struct M;
    functions {
        real f(real x) {
            return 2 * x;
        }
        real f(vector x) {
            return sum(x);
        }
    }
    parameters {
        real mu;
    }
    model {
        mu ~ normal(f(mu), 1);
    }
}

fn main() {}
