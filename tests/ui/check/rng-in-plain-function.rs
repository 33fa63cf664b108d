tilde::model! {
    struct M;
    functions {
        real noisy(real x) {
            return x + normal_rng(0, 1);
        }
    }
}

fn main() {}
