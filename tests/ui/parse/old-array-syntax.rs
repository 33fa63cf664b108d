tilde::model! {
    struct M;
    data {
        int N;
        real y[N];
    }
}

fn main() {}
