tilde::model! {
    struct M;
    model { cholesky_factor_corr[3] L; }
}

fn main() {}
