tilde::model! {
    struct M;
    parameters {
        real mu__;
    }
    model {
        mu__ ~ normal(0, 1);
    }
}

fn main() {}
