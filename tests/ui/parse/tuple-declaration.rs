tilde::model! {
    struct M;
    transformed data {
        tuple(real, int) t = (1.5, 2);
    }
}

fn main() {}
