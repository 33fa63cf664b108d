tilde::model! {
    struct M;
    parameters { real mu; }
    model {
        target += normal_lpmf(mu | 0, 1);
    }
}

fn main() {}
