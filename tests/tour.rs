//! A tour of the language: one model that uses every construct the README lists, whose
//! posterior is known in closed form. It is sampled, its posterior means are checked against
//! the closed forms within 4 Monte Carlo standard errors, and everything deterministic that it
//! computes is checked exactly.

use tilde::Model;
use tilde::sampler::Sampler;

tilde::model! {
    /// Normal-normal with known sigma (`mu`), beta-binomial (`theta`), Dirichlet (`p`), a
    /// half-normal by truncation (`tau`) and a bivariate normal (`z`).
    pub struct Tour;

    functions {
        int fib(int n) {
            if (n <= 2) return 1;
            return fib(n - 1) + fib(n - 2);
        }
        real gauss_lpdf(real y, real mu, real sigma) {
            return normal_lpdf(y | mu, sigma);
        }
        void beta_prior_lp(real theta, real a, real b) {
            theta ~ beta(a, b);
        }
        real gauss_rng(real mu, real sigma) {
            return normal_rng(mu, sigma);
        }
        vector cumulative(vector x) {
            vector[rows(x)] out = x;
            for (i in 2:rows(x)) out[i] += out[i - 1];
            return out;
        }
        void check_finite(real x) {
            if (x > positive_infinity() || x < negative_infinity()) reject("not finite: ", x);
        }
    }
    data {
        int<lower=0> N;
        vector[N] y;
        real<lower=0> sigma;
        real m0;
        real<lower=0> s0;
        int<lower=0> trials;
        int<lower=0, upper=trials> successes;
        vector<lower=0>[3] alpha;
        array[2] int<lower=1, upper=5> idx;
        cov_matrix[2] S;
    }
    transformed data {
        int f10 = fib(10);
        real acc = 1;
        vector[3] v = transpose([1, 2, 3]);
        int count = 0;
        int odd_sum = 0;
        real total = 0;
        vector[5] w = cumulative(rep_vector(1, 5));
        matrix[2, 2] grid = rep_matrix(0, 2, 2);
        array[N, 2] real table;
        int ops = (7 %/% 2) * 10 + 7 % 3;
        real pw = -2^2;
        int logic = !(1 == 2) && (1 != 1 || 1 <= 2);
        real picked;
        acc += 2;
        acc -= 1;
        acc *= 6;
        acc /= 4;
        v .*= transpose([2, 2, 2]);
        v ./= transpose([2, 4, 3]);
        while (1) {
            count += 1;
            if (count > 9) break;
            if (count % 2 == 0) continue;
            odd_sum += count;
        }
        for (x in y) total += x;
        for (n in 1:N) {
            table[n, 1] = y[n];
            table[n, 2] = n > 2 ? -y[n] : y[n];
        }
        w[2:3] = w[4:5];
        w[idx] = rep_vector(0, 2);
        picked = sum(w[2:4]) + (N > 0 ? 1 : 0);
        grid[1, :] = [1, 2];
        grid[:, 2] = transpose([3, 4]);
        {
            real inner = 2;
            acc += inner;
        }
        if (acc < 0) {
            fatal_error("acc is negative: ", acc);
        } else {
            print("tour: acc = ", acc);
        }
        check_finite(acc);
    }
    parameters {
        real<offset=m0, multiplier=s0> mu;
        real<lower=0, upper=1> theta;
        simplex[3] p;
        real<lower=0> tau;
        vector[2] z;
    }
    transformed parameters {
        real mu_shifted = mu + picked;
        vector[3] p_cum = cumulative(p);
    }
    model {
        mu ~ normal(m0, s0);
        for (n in 1:N) {
            if (n > N) break;
            y[n] ~ gauss(mu, sigma);
        }
        beta_prior_lp(theta, 2, 3);
        target += binomial_lpmf(successes | trials, theta);
        p ~ dirichlet(alpha);
        tau ~ normal(0, 1) T[0, ];
        z ~ multi_normal(rep_vector(0, 2), S);
    }
    generated quantities {
        real y_rep = gauss_rng(mu, sigma);
        array[N] real y_reps = normal_rng(rep_vector(mu, N), sigma);
        int k_rep = binomial_rng(trials, theta);
        int f10_out = f10;
        real acc_out = acc;
        vector[3] v_out = v;
        int odd_sum_out = odd_sum;
        real total_out = total;
        vector[5] w_out = w;
        real picked_out = picked;
        matrix[2, 2] grid_out = grid;
        real table_sum = 0;
        int ops_out = ops;
        real pw_out = pw;
        int logic_out = logic;
        for (n in 1:N) table_sum += table[n, 1] + table[n, 2];
    }
}

const DATA: &str = r#"{
    "N": 5, "y": [1.2, 0.4, 2.1, 1.7, 0.9], "sigma": 1, "m0": 0, "s0": 2,
    "trials": 20, "successes": 7, "alpha": [2, 3, 5], "idx": [1, 5],
    "S": [[1, 0.5], [0.5, 2]]
}"#;

#[test]
fn every_construct_together() {
    let m = Tour::from_json_str(DATA).unwrap();
    // mu, theta, two free coordinates of the simplex, tau, z.
    assert_eq!(m.dim(), 1 + 1 + 2 + 1 + 2);
    let fit = Sampler::new().seed(2024).sample(&m).unwrap();
    let summary = fit.summary();
    let within = |name: &str, expected: f64| {
        let row = summary.row(name).unwrap_or_else(|| panic!("no output {name}"));
        let z = (row.mean - expected) / row.mcse;
        assert!(
            z.abs() < 4.0,
            "{name}: mean {} (MCSE {}), expected {expected}",
            row.mean,
            row.mcse
        );
    };

    // mu: normal prior N(0, 2) and five observations with sigma = 1.
    let y = [1.2, 0.4, 2.1, 1.7, 0.9];
    let precision = 1.0 / 4.0 + y.len() as f64;
    let mu_mean = y.iter().sum::<f64>() / precision;
    within("mu", mu_mean);
    within("y_rep", mu_mean);
    within("y_reps[3]", mu_mean);
    // theta: Beta(2, 3) prior, 7 successes in 20 trials.
    let theta_mean = (2.0 + 7.0) / (2.0 + 3.0 + 20.0);
    within("theta", theta_mean);
    within("k_rep", 20.0 * theta_mean);
    // p: Dirichlet(2, 3, 5).
    for (k, a) in [2.0, 3.0, 5.0].iter().enumerate() {
        within(&format!("p[{}]", k + 1), a / 10.0);
    }
    // tau: N(0, 1) truncated to [0, inf), the half-normal.
    within("tau", (2.0 / std::f64::consts::PI).sqrt());
    within("z[1]", 0.0);
    within("z[2]", 0.0);

    // Transformed parameters, per draw.
    let mu = fit.draws("mu").unwrap();
    let shifted = fit.draws("mu_shifted").unwrap();
    assert!(mu.iter().zip(&shifted).all(|(m, s)| *s == m + 14.0));
    let p1 = fit.draws("p[1]").unwrap();
    let c1 = fit.draws("p_cum[1]").unwrap();
    let c3 = fit.draws("p_cum[3]").unwrap();
    assert_eq!(p1, c1);
    assert!(c3.iter().all(|c| (c - 1.0).abs() < 1e-12));
    assert!(fit.draws("tau").unwrap().iter().all(|&t| t > 0.0));
    assert!(fit.draws("k_rep").unwrap().iter().all(|&k| (0.0..=20.0).contains(&k)));

    // Transformed data, exactly.
    let first = |name: &str| fit.draws(name).unwrap()[0];
    let exact = [
        ("f10_out", 55.0),
        ("acc_out", 5.0),
        ("v_out[1]", 1.0),
        ("v_out[2]", 1.0),
        ("v_out[3]", 2.0),
        ("odd_sum_out", 25.0),
        ("w_out[1]", 0.0),
        ("w_out[2]", 4.0),
        ("w_out[3]", 5.0),
        ("w_out[4]", 4.0),
        ("w_out[5]", 0.0),
        ("picked_out", 14.0),
        ("grid_out[1,1]", 1.0),
        ("grid_out[2,1]", 0.0),
        ("grid_out[1,2]", 3.0),
        ("grid_out[2,2]", 4.0),
        ("ops_out", 31.0),
        ("pw_out", -4.0),
        ("logic_out", 1.0),
    ];
    for (name, value) in exact {
        assert_eq!(first(name), value, "{name}");
    }
    assert!((first("total_out") - 6.3).abs() < 1e-12);
    // Rows 1 and 2 count twice, the others cancel.
    assert!((first("table_sum") - 2.0 * (1.2 + 0.4)).abs() < 1e-12);
}

/// The tour's reverse-mode gradient agrees with the dual-number oracle across the
/// unconstrained space.
#[test]
fn the_tour_gradient_matches_dual_numbers() {
    use tilde::Model;
    use tilde::gradient::fast_gradients_agree_with_dual;
    let m = Tour::from_json_str(DATA).unwrap();
    let mut compared = 0;
    for point in 0..6 {
        let x: Vec<f64> =
            (0..m.dim()).map(|i| ((i * 5 + point * 7) % 13) as f64 / 6.5 - 1.0).collect();
        match fast_gradients_agree_with_dual(&m, &x) {
            Ok(true) => compared += 1,
            Ok(false) => {}
            Err(why) => panic!("point {point}: {why}"),
        }
    }
    assert!(compared >= 4, "only {compared} of 6 points had a finite density");
}
