tilde::model! {
    struct M;
    parameters {
        real x;
    }
    transformed parameters {
        real y = exp(x);
        jacobian += x;
    }
    model {
        y ~ lognormal(0, 1);
    }
}

fn main() {}
