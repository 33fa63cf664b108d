tilde::model! {
    struct M;
    parameters { real mu; }
    model { mu ~ normal(0, 1); }
    generated quantities {
        int k = 2;
        array[k] real a;
    }
}

fn main() {}
