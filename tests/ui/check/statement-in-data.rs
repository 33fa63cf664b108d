tilde::model! {
    struct M;
    data {
        int N;
        print(N);
    }
}

fn main() {}
