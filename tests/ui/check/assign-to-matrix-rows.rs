tilde::model! {
    struct M;
    generated quantities {
        matrix[3, 2] m = rep_matrix(0, 3, 2);
        m[1:2] = rep_vector(1, 2);
    }
}

fn main() {}
