tilde::model! {
    struct M;
    data { matrix[2, 2] Sigma; }
    parameters { vector[2] mu; }
    model {
        vector[2] z = multi_normal_rng(mu, Sigma);
        mu ~ normal(z, 1);
    }
}

fn main() {}
