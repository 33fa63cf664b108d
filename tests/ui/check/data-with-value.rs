tilde::model! {
    struct M;
    data { int N = 3; }
}

fn main() {}
