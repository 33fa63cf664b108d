tilde::model! {
    struct M;
    generated quantities {
        int k = binomial_rng(2.5, 0.3);
    }
}

fn main() {}
