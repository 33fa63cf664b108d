tilde::model! {
    struct M;
    generated quantities {
        array[2] int idx = {1, 3};
        matrix[3, 2] m = rep_matrix(0, 3, 2);
        m[idx, 1.5] = rep_vector(1, 2);
    }
}

fn main() {}
