tilde::model! {
    struct M;
    parameters { cov_matrix<lower=0>[3] S; }
}

fn main() {}
