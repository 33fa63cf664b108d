tilde::model! {
    struct M;
    functions {
        real twice(real x) {
            return 2 * x;
        }
    }
    data { vector[3] v; }
    transformed data { real t = twice(v); }
}

fn main() {}
