tilde::model! {
    struct M;
    generated values { }
}

fn main() {}
