use tilde::Model;

tilde::model! {
    struct M;
    parameters { real mu; }
    model { mu ~ normal(undefined_name, 1); }
}

fn main() {
    let model = M::from_json_str("{}").unwrap();
    println!("{}", model.dim());
}
