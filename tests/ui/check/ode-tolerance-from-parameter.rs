tilde::model! {
    struct M;
    functions {
        vector decay(real t, vector y, real k) {
            return -k * y;
        }
    }
    data { array[3] real ts; }
    parameters { real<lower=0> k; }
    transformed parameters {
        array[3] vector[1] y = ode_rk45_tol(decay, rep_vector(1.0, 1), 0, ts, k, 1e-6, 100, k);
    }
}

fn main() {}
