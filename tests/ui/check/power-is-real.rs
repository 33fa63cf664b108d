tilde::model! {
    struct M;
    transformed data {
        int k = 2 ^ 2;
    }
}

fn main() {}
