tilde::model! {
    struct M;
    transformed data { real x = 1.5f32; }
}

fn main() {}
