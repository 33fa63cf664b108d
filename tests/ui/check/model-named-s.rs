use tilde::Model;

tilde::model! {
    struct S;
    parameters { real mu; }
    model { mu ~ normal(undefined, 1); }
}

fn main() {
    let m = S::from_json_str("{}").unwrap();
    println!("{}", m.dim());
}
