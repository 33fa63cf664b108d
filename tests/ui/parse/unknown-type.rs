tilde::model! {
    struct M;
    parameters {
        reall mu;
    }
}

fn main() {}
