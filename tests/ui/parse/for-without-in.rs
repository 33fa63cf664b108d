tilde::model! {
    struct M;
    parameters { real mu; }
    model {
        for (i of 1:3) mu ~ normal(0, 1);
    }
}

fn main() {}
