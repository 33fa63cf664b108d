tilde::model! {
    struct M;
    functions {
        vector decay(real t, vector y, real k) {
            return -k * y;
        }
    }
    data { array[3] real ts; }
    parameters { real<lower=0> k; }
    model {
        target += size(ode_rk45(decay, rep_vector(1.0, 1), 0, ts, k));
    }
}

fn main() {}
