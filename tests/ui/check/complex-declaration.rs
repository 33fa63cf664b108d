tilde::model! {
    struct M;
    generated quantities {
        complex z = 1;
    }
}

fn main() {}
