tilde::model! {
    struct M;
    parameters { vector theta; }
}

fn main() {}
