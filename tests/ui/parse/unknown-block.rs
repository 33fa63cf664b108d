tilde::model! {
    struct M;
    parameter { real mu; }
}

fn main() {}
