tilde::model! {
    struct M;
    data { matrix[2, 2] mu; }
    generated quantities {
        array[2] real y = normal_rng(mu, 1);
    }
}

fn main() {}
