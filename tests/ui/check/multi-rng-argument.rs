tilde::model! {
    struct M;
    data { matrix[2, 2] S; }
    generated quantities {
        vector[2] d = dirichlet_rng(S);
    }
}

fn main() {}
