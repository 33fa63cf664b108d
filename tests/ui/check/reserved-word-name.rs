tilde::model! {
    struct M;
    parameters { real target; }
}

fn main() {}
