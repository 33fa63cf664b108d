tilde::model! {
    struct M;
    functions {
        real count_lpdf(int k, real lambda) {
            return poisson_lpmf(k | lambda);
        }
    }
}

fn main() {}
