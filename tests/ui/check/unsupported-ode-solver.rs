tilde::model! {
    struct M;
    functions {
        vector rhs(real t, vector y, real k) {
            return -k * y;
        }
    }
    data {
        int N;
        array[N] real ts;
    }
    parameters {
        real<lower=0> k;
    }
    transformed parameters {
        array[N] vector[1] z = ode_adams(rhs, rep_vector(1.0, 1), 0.0, ts, k);
    }
}

fn main() {}
