tilde::model! {
    struct M;
    data { matrix[2, 2] A; }
    generated quantities {
        real x = 1;
        print({A, A});
        print(log({A, A}));
        print(fmin({A, A}, 1));
    }
}

fn main() {}
