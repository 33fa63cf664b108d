tilde::model! {
    struct M;
    parameters { real lp__; }
}

fn main() {}
