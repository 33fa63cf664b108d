tilde::model! {
    struct M;
    data { matrix[3] X; }
}

fn main() {}
