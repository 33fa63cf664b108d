//! Container constructs of Stan's language through the whole pipeline: functions returning
//! two-level containers, `?:` and `*=` on containers, indexing expressions, assignment to parts
//! of two-level containers, container literals and loops over containers.

mod common;

use common::{get, outputs};

use tilde::Model;
use tilde::gradient::fast_gradients_agree_with_dual;
use tilde::rng::{Stream, chain_rng};

fn in_statement(message: &str, statement: &str) -> String {
    common::in_statement(include_str!("containers.rs"), message, statement)
}

/// Elements 1 to `n` of the one-level output `name`.
fn vec_of(outs: &[(String, f64)], name: &str, n: usize) -> Vec<f64> {
    (1..=n).map(|i| get(outs, &format!("{name}[{i}]"))).collect()
}

/// The `r` by `c` two-level output `name`, row by row.
fn rows_of(outs: &[(String, f64)], name: &str, r: usize, c: usize) -> Vec<f64> {
    (1..=r)
        .flat_map(|i| (1..=c).map(move |j| (i, j)))
        .map(|(i, j)| get(outs, &format!("{name}[{i},{j}]")))
        .collect()
}

/// The log density and its gradient at `theta`, from the reverse-mode evaluator.
fn logp_and_grad<M: Model>(model: &M, theta: &[f64]) -> (f64, Vec<f64>) {
    use tilde::LogDensity;
    let mut eval = tilde::gradient::GradientEvaluator::new(model);
    let mut grad = vec![0.0; theta.len()];
    let lp = eval.logp_and_grad(theta, &mut grad).unwrap();
    (lp, grad)
}

tilde::model! {
    /// User-defined functions returning a matrix, an array of vectors and a two-dimensional
    /// array, called from every block.
    pub struct NestedResults;

    functions {
        matrix outer_self(vector v) {
            return v * transpose(v);
        }
        array[] vector doubled(vector v) {
            array[2] vector[2] out;
            out[1] = v;
            out[2] = 2 * v;
            return out;
        }
        array[,] real grid(real a) {
            array[2, 2] real g;
            g[1, 1] = a;
            g[1, 2] = 2 * a;
            g[2, 1] = 3 * a;
            g[2, 2] = 4 * a;
            return g;
        }
    }
    data {
        vector[2] x;
    }
    parameters {
        vector[2] theta;
    }
    transformed parameters {
        matrix[2, 2] S = outer_self(theta);
    }
    model {
        matrix[2, 2] P = outer_self(theta) + outer_self(x);
        array[2] vector[2] d = doubled(theta);
        theta ~ normal(0, 1);
        target += P[1, 2];
        target += sum(d[2]);
        target += sum(to_vector(outer_self(theta)));
    }
    generated quantities {
        matrix[2, 2] D = outer_self(x);
        array[2] vector[2] dx = doubled(x);
        array[2, 2] real g = grid(1.5);
        vector[2] mx = outer_self(x) * x;
        int r = rows(outer_self(x));
        real ld = log_determinant(outer_self(x) + diag_matrix(x));
    }
}

#[test]
fn functions_return_two_level_containers_to_every_block() {
    let m = NestedResults::from_json_str(r#"{"x": [1, 2]}"#).unwrap();
    let o = outputs(&m, &[0.5, -1.0]);
    assert_eq!(rows_of(&o, "S", 2, 2), [0.25, -0.5, -0.5, 1.0]);
    assert_eq!(rows_of(&o, "D", 2, 2), [1.0, 2.0, 2.0, 4.0]);
    assert_eq!(rows_of(&o, "dx", 2, 2), [1.0, 2.0, 2.0, 4.0]);
    assert_eq!(rows_of(&o, "g", 2, 2), [1.5, 3.0, 4.5, 6.0]);
    assert_eq!(vec_of(&o, "mx", 2), [5.0, 10.0]);
    assert_eq!(get(&o, "r"), 2.0);
    assert!((get(&o, "ld") - 8f64.ln()).abs() < 1e-14);
    let (t1, t2) = (0.5, -1.0);
    let (lp, grad) = logp_and_grad(&m, &[t1, t2]);
    // -|theta|^2 / 2 + (t1 t2 + x1 x2) + 2 (t1 + t2) + (t1 + t2)^2.
    let expected = -0.5 * (t1 * t1 + t2 * t2) + (t1 * t2 + 2.0) + 2.0 * (t1 + t2) + 0.25;
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
    let s = t1 + t2;
    assert_eq!(grad, [-t1 + t2 + 2.0 + 2.0 * s, -t2 + t1 + 2.0 + 2.0 * s]);
    assert_eq!(fast_gradients_agree_with_dual(&m, &[t1, t2]), Ok(true));
}

tilde::model! {
    /// `?:` choosing between containers, and `*=` and `/=` by a matrix as in Stan.
    pub struct ChoicesAndProducts;

    data {
        int flag;
        matrix[2, 2] A;
        matrix[2, 2] B;
    }
    parameters {
        vector[2] theta;
    }
    model {
        vector[2] v = flag ? theta : 2 * theta;
        matrix[2, 2] M = A;
        row_vector[2] r = transpose(theta);
        M *= B;
        r *= A;
        target += -0.5 * dot_self(v) + sum(r) + M[1, 1];
    }
    generated quantities {
        array[2] real arr = flag ? {1, 2} : {3.5, 4.5};
        matrix[2, 2] pm = flag ? A : B;
        matrix[2, 2] sum_or_diff = flag ? A + B : A - B;
        row_vector[2] safe = flag < 2 ? A[1] : A[3];
        matrix[2, 2] prod = A;
        row_vector[2] rr = [1, 1];
        array[2] vector[2] av;
        array[2] vector[2] same;
        matrix[2, 2] quot = A;
        row_vector[2] rq = [1, 1];
        prod *= B;
        rr *= A;
        quot /= B;
        rq /= A;
        av[1] = theta;
        av[2] = -theta;
        same[1] = theta;
        same[2] = theta;
        av = flag ? av : same;
    }
}

#[test]
fn choices_between_containers_and_matrix_products_in_place() {
    let data =
        |flag: i32| format!(r#"{{"flag": {flag}, "A": [[1, 2], [3, 4]], "B": [[0, 1], [1, 0]]}}"#);
    let m = ChoicesAndProducts::from_json_str(&data(1)).unwrap();
    let theta = [0.5, -1.5];
    let o = outputs(&m, &theta);
    assert_eq!(vec_of(&o, "arr", 2), [1.0, 2.0]);
    assert_eq!(rows_of(&o, "pm", 2, 2), [1.0, 2.0, 3.0, 4.0]);
    assert_eq!(rows_of(&o, "sum_or_diff", 2, 2), [1.0, 3.0, 4.0, 4.0]);
    // `A[3]` is out of range, but only the branch taken is evaluated.
    assert_eq!(vec_of(&o, "safe", 2), [1.0, 2.0]);
    assert_eq!(rows_of(&o, "prod", 2, 2), [2.0, 1.0, 4.0, 3.0]);
    assert_eq!(vec_of(&o, "rr", 2), [4.0, 6.0]);
    // A / B = A * inverse(B), and B is its own inverse; [1, 1] / A solves x A = [1, 1].
    assert_eq!(rows_of(&o, "quot", 2, 2), [2.0, 1.0, 4.0, 3.0]);
    let rq = vec_of(&o, "rq", 2);
    assert!((rq[0] + 0.5).abs() < 1e-15 && (rq[1] - 0.5).abs() < 1e-15, "{rq:?}");
    assert_eq!(rows_of(&o, "av", 2, 2), [0.5, -1.5, -0.5, 1.5]);
    let (t1, t2) = (theta[0], theta[1]);
    // v = theta, r = theta' A, (A B)[1, 1] = 2.
    let (lp, grad) = logp_and_grad(&m, &theta);
    assert_eq!(lp, -0.5 * (t1 * t1 + t2 * t2) + (3.0 * t1 + 7.0 * t2) + 2.0);
    assert_eq!(grad, [-t1 + 3.0, -t2 + 7.0]);
    assert_eq!(fast_gradients_agree_with_dual(&m, &theta), Ok(true));

    let m = ChoicesAndProducts::from_json_str(&data(0)).unwrap();
    let o = outputs(&m, &theta);
    assert_eq!(vec_of(&o, "arr", 2), [3.5, 4.5]);
    assert_eq!(rows_of(&o, "pm", 2, 2), [0.0, 1.0, 1.0, 0.0]);
    assert_eq!(rows_of(&o, "sum_or_diff", 2, 2), [1.0, 1.0, 2.0, 4.0]);
    assert_eq!(rows_of(&o, "av", 2, 2), [0.5, -1.5, 0.5, -1.5]);
    // v = 2 theta.
    let (lp, grad) = logp_and_grad(&m, &theta);
    assert_eq!(lp, -2.0 * (t1 * t1 + t2 * t2) + (3.0 * t1 + 7.0 * t2) + 2.0);
    assert_eq!(grad, [-4.0 * t1 + 3.0, -4.0 * t2 + 7.0]);
}

tilde::model! {
    /// Indexing expressions rather than variables: results of functions and of operators.
    pub struct IndexedExpressions;

    functions {
        vector twice(vector v) {
            return 2 * v;
        }
        matrix outer_self(vector v) {
            return v * transpose(v);
        }
    }
    data {
        vector[3] x;
        matrix[2, 2] A;
        array[2] int idx;
        int k;
    }
    parameters {
        vector[2] theta;
    }
    model {
        theta ~ normal(0, 1);
        target += twice(theta)[2] + (A * theta)[1] + sum((A * theta)[1:2]);
    }
    generated quantities {
        real f2 = twice(x)[2];
        real ab = (A * A)[2, 1];
        vector[2] mv = (A * x[1:2])[1:2];
        real seg = segment(x, 1, 3)[2];
        row_vector[2] row2 = (A + A)[2];
        vector[2] col = (A * A)[:, 2];
        real colpart = A[:, 2][2];
        vector[2] multi = twice(x)[idx];
        matrix[2, 2] block = outer_self(x[1:2])[idx, 1:2];
        real nested = twice(twice(x))[3];
        real chosen = (k > 0 ? x : twice(x))[3];
        real picked = twice(x)[k];
    }
}

#[test]
fn expressions_can_be_indexed() {
    let data =
        |k: i32| format!(r#"{{"x": [1, 2, 3], "A": [[1, 2], [3, 4]], "idx": [2, 1], "k": {k}}}"#);
    let m = IndexedExpressions::from_json_str(&data(1)).unwrap();
    let theta = [0.25, -0.75];
    let o = outputs(&m, &theta);
    assert_eq!(get(&o, "f2"), 4.0);
    assert_eq!(get(&o, "ab"), 15.0);
    assert_eq!(vec_of(&o, "mv", 2), [5.0, 11.0]);
    assert_eq!(get(&o, "seg"), 2.0);
    assert_eq!(vec_of(&o, "row2", 2), [6.0, 8.0]);
    assert_eq!(vec_of(&o, "col", 2), [10.0, 22.0]);
    assert_eq!(get(&o, "colpart"), 4.0);
    assert_eq!(vec_of(&o, "multi", 2), [4.0, 2.0]);
    assert_eq!(rows_of(&o, "block", 2, 2), [2.0, 4.0, 1.0, 2.0]);
    assert_eq!(get(&o, "nested"), 12.0);
    assert_eq!(get(&o, "chosen"), 3.0);
    assert_eq!(get(&o, "picked"), 2.0);
    let (t1, t2) = (theta[0], theta[1]);
    // 2 t2 + (t1 + 2 t2) + (t1 + 2 t2) + (3 t1 + 4 t2).
    let (lp, grad) = logp_and_grad(&m, &theta);
    assert_eq!(lp, -0.5 * (t1 * t1 + t2 * t2) + 5.0 * t1 + 10.0 * t2);
    assert_eq!(grad, [-t1 + 5.0, -t2 + 10.0]);
    assert_eq!(fast_gradients_agree_with_dual(&m, &theta), Ok(true));

    let m = IndexedExpressions::from_json_str(&data(4)).unwrap();
    let mut ws = m.new_workspace::<f64>();
    let mut out = vec![0.0; m.output_names().len()];
    let mut rng = chain_rng(1, 0, Stream::Generated);
    let err = m.write_outputs(&theta, &mut ws, &mut rng, true, &mut out).unwrap_err();
    assert_eq!(
        err.message(),
        in_statement(
            "index 4 out of range for `twice(...)`, which has size 3",
            "real picked = twice(x)[k]"
        )
    );
}

tilde::model! {
    /// Assignment to rows, columns and blocks of matrices and arrays of vectors.
    pub struct TwoLevelTargets;

    data {
        matrix[3, 3] M;
        array[2] int idx;
        vector[2] v;
        int k;
    }
    parameters {
        vector[2] theta;
    }
    model {
        matrix[3, 2] W = rep_matrix(0, 3, 2);
        W[2:3, 1] = theta;
        W[1, 1:2] = transpose(theta);
        W[idx] = W[2:3] + 1;
        theta ~ normal(0, 1);
        target += sum(to_vector(W));
    }
    generated quantities {
        matrix[3, 3] rows = M;
        matrix[3, 3] col_part = M;
        matrix[3, 3] blk = M;
        matrix[3, 3] shifted = M;
        matrix[3, 3] plus = M;
        row_vector[2] row_part = M[1, 2:3];
        array[3] vector[2] av;
        array[3, 2] int ai;
        rows[1:2] = M[2:3];
        col_part[2:3, 1] = v;
        blk[idx, 2:3] = M[1:2, 1:2];
        shifted[2:3] = shifted[1:2];
        plus[:, 2:3] += M[:, 1:2];
        row_part[1:2] = M[3, 1:2];
        for (i in 1:3) {
            av[i] = transpose([i, 10 * i]);
            ai[i, 1] = i;
            ai[i, 2] = -i;
        }
        av[idx, 2] = {-1, -2};
        av[3:3] = av[1:1];
        ai[2:3] = ai[1:2];
        matrix[3, 3] scaled = M;
        scaled[2:3] *= 2;
        scaled[:, 1] += 1;
        matrix[3, 3] grow = M;
        grow[1:k] = M[1:2];
    }
}

#[test]
fn parts_of_two_level_containers_can_be_assigned() {
    let data = r#"{"M": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "idx": [3, 1], "v": [-1, -2],
        "k": 2}"#;
    let m = TwoLevelTargets::from_json_str(data).unwrap();
    let theta = [0.5, 2.0];
    let o = outputs(&m, &theta);
    assert_eq!(rows_of(&o, "rows", 3, 3), [4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 7.0, 8.0, 9.0]);
    assert_eq!(rows_of(&o, "col_part", 3, 3), [1.0, 2.0, 3.0, -1.0, 5.0, 6.0, -2.0, 8.0, 9.0]);
    assert_eq!(rows_of(&o, "blk", 3, 3), [1.0, 4.0, 5.0, 4.0, 5.0, 6.0, 7.0, 1.0, 2.0]);
    assert_eq!(rows_of(&o, "shifted", 3, 3), [1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(rows_of(&o, "plus", 3, 3), [1.0, 3.0, 5.0, 4.0, 9.0, 11.0, 7.0, 15.0, 17.0]);
    assert_eq!(vec_of(&o, "row_part", 2), [7.0, 8.0]);
    assert_eq!(rows_of(&o, "scaled", 3, 3), [2.0, 2.0, 3.0, 9.0, 10.0, 12.0, 15.0, 16.0, 18.0]);
    assert_eq!(rows_of(&o, "av", 3, 2), [1.0, -2.0, 2.0, 20.0, 1.0, -2.0]);
    assert_eq!(rows_of(&o, "ai", 3, 2), [1.0, -1.0, 1.0, -1.0, 2.0, -2.0]);
    // W = [t1, t2; t1, 0; t2, 0] before W[idx] = W[2:3] + 1 sets rows 3 and 1 to the old rows
    // 2 and 3 plus one: [t2 + 1, 1; t1, 0; t1 + 1, 1], whose sum is 2 t1 + t2 + 4.
    let (t1, t2) = (theta[0], theta[1]);
    let (lp, grad) = logp_and_grad(&m, &theta);
    assert_eq!(lp, -0.5 * (t1 * t1 + t2 * t2) + 2.0 * t1 + t2 + 4.0);
    assert_eq!(grad, [-t1 + 2.0, -t2 + 1.0]);
    assert_eq!(fast_gradients_agree_with_dual(&m, &theta), Ok(true));

    let m = TwoLevelTargets::from_json_str(&data.replace("\"k\": 2", "\"k\": 3")).unwrap();
    let mut ws = m.new_workspace::<f64>();
    let mut out = vec![0.0; m.output_names().len()];
    let mut rng = chain_rng(1, 0, Stream::Generated);
    let err = m.write_outputs(&theta, &mut ws, &mut rng, true, &mut out).unwrap_err();
    assert_eq!(
        err.message(),
        in_statement(
            "size mismatch in assignment to a part of `grow`: the part is 3 x 3, the value 2 x 3",
            "grow[1:k] = M[1:2]"
        )
    );
}

tilde::model! {
    /// Array literals of containers and matrix literals.
    pub struct Literals;

    data {
        vector[2] v;
        row_vector[2] r;
        int k;
    }
    parameters {
        vector[2] theta;
    }
    model {
        array[2] vector[2] av = {theta, v};
        matrix[2, 2] M = [transpose(theta), r];
        theta ~ normal(0, 1);
        target += sum(av[1]) + M[1, 2] + sum(M[2]);
    }
    generated quantities {
        array[2] vector[2] lit = {v, 2 * v};
        array[2, 2] int grid = {{1, 2}, {3, 4}};
        array[2, 2] real mixed = {{1, 2.5}, {3, 4}};
        matrix[2, 2] mat = [[1, 2], [3, 4]];
        matrix[2, 2] rows_m = [r, 2 * r];
        real e = [[1, 2], [3, 4]][2, 1];
        matrix[2, 2] prodm = [[1, 2], [3, 4]] * [[0, 1], [1, 0]];
        array[2] vector[2] ragged = {v, head(v, k)};
    }
}

#[test]
fn container_literals_follow_stan() {
    let data = |k: i32| format!(r#"{{"v": [1, 2], "r": [3, 4], "k": {k}}}"#);
    let m = Literals::from_json_str(&data(2)).unwrap();
    let theta = [0.5, -0.25];
    let o = outputs(&m, &theta);
    assert_eq!(rows_of(&o, "lit", 2, 2), [1.0, 2.0, 2.0, 4.0]);
    assert_eq!(rows_of(&o, "grid", 2, 2), [1.0, 2.0, 3.0, 4.0]);
    assert_eq!(rows_of(&o, "mixed", 2, 2), [1.0, 2.5, 3.0, 4.0]);
    assert_eq!(rows_of(&o, "mat", 2, 2), [1.0, 2.0, 3.0, 4.0]);
    assert_eq!(rows_of(&o, "rows_m", 2, 2), [3.0, 4.0, 6.0, 8.0]);
    assert_eq!(get(&o, "e"), 3.0);
    assert_eq!(rows_of(&o, "prodm", 2, 2), [2.0, 1.0, 4.0, 3.0]);
    let (t1, t2) = (theta[0], theta[1]);
    // sum(theta) + theta[2] + sum(r).
    let (lp, grad) = logp_and_grad(&m, &theta);
    assert_eq!(lp, -0.5 * (t1 * t1 + t2 * t2) + t1 + 2.0 * t2 + 7.0);
    assert_eq!(grad, [-t1 + 1.0, -t2 + 2.0]);
    assert_eq!(fast_gradients_agree_with_dual(&m, &theta), Ok(true));

    let m = Literals::from_json_str(&data(1)).unwrap();
    let mut ws = m.new_workspace::<f64>();
    let mut out = vec![0.0; m.output_names().len()];
    let mut rng = chain_rng(1, 0, Stream::Generated);
    let err = m.write_outputs(&theta, &mut ws, &mut rng, true, &mut out).unwrap_err();
    assert_eq!(
        err.message(),
        in_statement(
            "the elements of an array literal must have one size, found sizes 2 and 1",
            "array[2] vector[2] ragged = {v, head(v, k)}"
        )
    );
}

tilde::model! {
    /// Loops over arrays of containers and over the entries of matrices.
    pub struct LoopsOverContainers;

    data {
        matrix[2, 3] M;
        array[2] vector[2] av;
        array[2, 2] int ai;
    }
    parameters {
        vector[2] theta;
    }
    model {
        array[2] vector[2] tv = {theta, 2 * theta};
        theta ~ normal(0, 1);
        for (v in tv) {
            target += sum(v);
        }
    }
    generated quantities {
        real total = 0;
        real order = 0;
        int isum = 0;
        real wsum = 0;
        int count = 0;
        real first = 0;
        array[2] vector[2] w = av;
        for (v in av) {
            total += v[1] * v[2];
        }
        {
            real k = 0;
            for (x in M) {
                k += 1;
                order += k * x;
            }
        }
        for (row in ai) {
            isum += row[1] - row[2];
        }
        for (v in w) {
            w[2] = w[1];
            wsum += sum(v);
        }
        for (x in M) {
            if (x > 4) break;
            count += 1;
        }
        for (v in {av[2], av[1]}) {
            first = v[1];
            break;
        }
    }
}

#[test]
fn loops_run_over_arrays_of_containers_and_matrix_entries() {
    let data = r#"{"M": [[1, 2, 3], [4, 5, 6]], "av": [[1, 2], [3, 4]], "ai": [[5, 1], [2, 7]]}"#;
    let m = LoopsOverContainers::from_json_str(data).unwrap();
    let theta = [0.5, 1.5];
    let o = outputs(&m, &theta);
    assert_eq!(get(&o, "total"), 14.0);
    // Column-major order: 1, 4, 2, 5, 3, 6, weighted by position.
    assert_eq!(get(&o, "order"), 86.0);
    assert_eq!(get(&o, "isum"), -1.0);
    // The loop sees the body's write of `w[2]`.
    assert_eq!(get(&o, "wsum"), 6.0);
    assert_eq!(get(&o, "count"), 3.0);
    assert_eq!(get(&o, "first"), 3.0);
    let (t1, t2) = (theta[0], theta[1]);
    let (lp, grad) = logp_and_grad(&m, &theta);
    assert_eq!(lp, -0.5 * (t1 * t1 + t2 * t2) + 3.0 * (t1 + t2));
    assert_eq!(grad, [-t1 + 3.0, -t2 + 3.0]);
    assert_eq!(fast_gradients_agree_with_dual(&m, &theta), Ok(true));
}
