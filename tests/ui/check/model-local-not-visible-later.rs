tilde::model! {
    struct M;
    parameters { real mu; }
    model {
        real z = 2;
        mu ~ normal(z, 1);
    }
    generated quantities {
        real w = z;
    }
}

fn main() {}
