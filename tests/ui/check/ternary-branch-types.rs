tilde::model! {
    struct M;
    data { vector[2] v; }
    transformed data {
        real x = 1 ? 2.0 : v;
    }
}

fn main() {}
