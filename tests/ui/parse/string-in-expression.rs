tilde::model! {
    struct M;
    transformed data { real x = "one"; }
}

fn main() {}
