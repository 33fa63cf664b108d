tilde::model! {
    parameters { real mu; }
}

fn main() {}
