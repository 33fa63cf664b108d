tilde::model! {
    struct M;
    transformed data { real x = exp(1 | 2); }
}

fn main() {}
