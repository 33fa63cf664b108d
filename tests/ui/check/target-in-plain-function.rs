tilde::model! {
    struct M;
    functions {
        void add(real x) {
            target += x;
        }
    }
}

fn main() {}
