tilde::model! {
    struct M;
    functions {
        vector decay(real t, vector y, real k, array[] int flags) {
            return -k * y;
        }
    }
    data { array[3] real ts; vector[2] rates; }
    parameters { real<lower=0> k; }
    transformed parameters {
        array[3] vector[1] y = ode_bdf(decay, rep_vector(1.0, 1), 0, ts, rates, {1.5});
    }
}

fn main() {}
