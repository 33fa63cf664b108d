tilde::model! {
    struct M;
    data { real N; vector[N] y; }
}

fn main() {}
