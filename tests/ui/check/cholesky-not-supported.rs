tilde::model! {
    struct M;
    parameters { cholesky_factor_corr[3] L; }
}

fn main() {}
