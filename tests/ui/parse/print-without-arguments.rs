tilde::model! {
    struct M;
    parameters {
        real mu;
    }
    model {
        print();
        mu ~ normal(0, 1);
    }
}

fn main() {}
