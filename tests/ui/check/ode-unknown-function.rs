tilde::model! {
    struct M;
    data { array[3] real ts; }
    parameters { real<lower=0> k; }
    transformed parameters {
        array[3] vector[1] y = ode_rk45(decay, rep_vector(1.0, 1), 0, ts, k);
    }
}

fn main() {}
