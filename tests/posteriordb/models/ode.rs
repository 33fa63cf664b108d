//! Ordinary differential equation models: predator and prey populations, and a
//! pharmacokinetic compartment. Each is solved with the solver and tolerances that
//! posteriordb's Stan program uses.
//!
//! posteriordb's Lotka–Volterra program still calls the old `integrate_ode_rk45`, which passes
//! the state as `array[] real` and the parameters through `theta`, `x_r` and `x_i`; written
//! with `ode_rk45_tol`, the state is a `vector` and the only extra argument is `theta`. Slices
//! of the two-level `y` and `z` become loops.

tilde::model! {
    /// Lotka–Volterra dynamics of hare (prey) and lynx (predator) pelts, with multiplicative
    /// (log-normal) measurement error.
    pub struct LotkaVolterra;

    functions {
        vector dz_dt(real t, vector z, array[] real theta) {
            real u = z[1];
            real v = z[2];
            real du_dt = (theta[1] - theta[2] * v) * u;
            real dv_dt = (-theta[3] + theta[4] * u) * v;
            return transpose([du_dt, dv_dt]);
        }
    }
    data {
        int<lower=0> N;
        array[N] real ts;
        array[2] real y_init;
        array[N, 2] real<lower=0> y;
    }
    parameters {
        array[4] real<lower=0> theta;
        array[2] real<lower=0> z_init;
        array[2] real<lower=0> sigma;
    }
    transformed parameters {
        array[N] vector[2] z = ode_rk45_tol(
            dz_dt, to_vector(z_init), 0, ts, 1e-5, 1e-3, 500, theta
        );
    }
    model {
        theta[{1, 3}] ~ normal(1, 0.5);
        theta[{2, 4}] ~ normal(0.05, 0.05);
        sigma ~ lognormal(-1, 1);
        z_init ~ lognormal(log(10), 1);
        for (k in 1:2) {
            y_init[k] ~ lognormal(log(z_init[k]), sigma[k]);
            for (n in 1:N) {
                y[n, k] ~ lognormal(log(z[n, k]), sigma[k]);
            }
        }
    }
}

tilde::model! {
    /// One-compartment pharmacokinetics: first-order absorption of a dose `D` into a volume
    /// `V`, Michaelis–Menten elimination, log-normal measurement error.
    pub struct OneCompMmElimAbs;

    functions {
        vector one_comp_mm_elim_abs(
            real t, vector y, real k_a, real K_m, real V_m, real D, real V
        ) {
            real dose = 0;
            real elim = (V_m / V) * y[1] / (K_m + y[1]);
            if (t > 0) {
                dose = exp(-k_a * t) * D * k_a / V;
            }
            return rep_vector(dose - elim, 1);
        }
    }
    data {
        real t0;
        real D;
        real V;
        int<lower=1> N_t;
        array[N_t] real times;
        array[N_t] real C_hat;
    }
    transformed data {
        // The concentration starts at zero, as posteriordb's program has it.
        vector[1] C0 = rep_vector(0.0, 1);
    }
    parameters {
        real<lower=0> k_a;
        real<lower=0> K_m;
        real<lower=0> V_m;
        real<lower=0> sigma;
    }
    transformed parameters {
        array[N_t] vector[1] C =
            ode_bdf(one_comp_mm_elim_abs, C0, t0, times, k_a, K_m, V_m, D, V);
    }
    model {
        k_a ~ cauchy(0, 1);
        K_m ~ cauchy(0, 1);
        V_m ~ cauchy(0, 1);
        sigma ~ cauchy(0, 1);
        for (n in 1:N_t) {
            C_hat[n] ~ lognormal(log(C[n, 1]), sigma);
        }
    }
}
