tilde::model! {
    struct M;
    parameters {
        column_stochastic_matrix[3, 2] P;
    }
}

fn main() {}
