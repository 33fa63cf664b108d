tilde::model! {
    struct M;
    parameters {
        real mu;
    }
    model {
        mu ~ normal(0, 1);
        print(target());
    }
}

fn main() {}
