tilde::model! {
    struct M;
    parameters {
        vector[3] e;
        vector[3] e;
    }
}

fn main() {}
