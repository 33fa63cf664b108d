tilde::model! {
    struct M;
    generated quantities {
        matrix[2, 2] m = [[1, 2], 3];
    }
}

fn main() {}
