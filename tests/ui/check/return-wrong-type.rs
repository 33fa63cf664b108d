tilde::model! {
    struct M;
    functions {
        real twice(vector x) {
            return 2 * x;
        }
    }
}

fn main() {}
