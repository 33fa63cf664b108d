tilde::model! {
    struct M;
    functions {
        real bump(real x) {
            x = x + 1;
            return x;
        }
    }
}

fn main() {}
