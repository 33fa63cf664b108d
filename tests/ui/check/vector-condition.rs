tilde::model! {
    struct M;
    data { vector[2] v; }
    transformed data {
        if (v) print("yes");
    }
}

fn main() {}
