tilde::model! {
    struct M;
    functions {
        vector decay(vector y, real t, real k) {
            return -k * y;
        }
    }
    data { array[3] real ts; }
    parameters { real<lower=0> k; }
    transformed parameters {
        array[3] vector[1] y = ode_bdf(decay, rep_vector(1.0, 1), 0, ts, k);
    }
}

fn main() {}
