tilde::model! {
    struct M;
    transformed data {
        int k = 2.5;
    }
}

fn main() {}
