tilde::model! {
    struct M;
    functions {
        real normal_lpdf(real y, real mu, real sigma) {
            return 0;
        }
    }
}

fn main() {}
