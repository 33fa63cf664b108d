tilde::model! {
    struct M;
    transformed model { }
}

fn main() {}
