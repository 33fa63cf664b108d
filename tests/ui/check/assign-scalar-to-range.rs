tilde::model! {
    struct M;
    generated quantities {
        vector[3] x = rep_vector(0, 3);
        x[2:3] = 1;
    }
}

fn main() {}
