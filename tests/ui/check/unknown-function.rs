tilde::model! {
    struct M;
    transformed data { real x = expp(1); }
}

fn main() {}
