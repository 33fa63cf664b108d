tilde::model! {
    struct M;
    transformed data {
        for (i in 1:3) {
            i = 2;
        }
    }
}

fn main() {}
