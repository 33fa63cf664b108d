//! Arrays of matrices and containers nested more than two levels (`array[K] matrix[N, M]`,
//! `array[I, J] vector[N]`, `array[I, J, K] real`): data, parameters with their transforms,
//! locals and outputs, indexing down to any level, assignment, loops, printing and sampling.

use tilde::Model;
use tilde::gradient::reverse_agrees_with_dual;
use tilde::rng::{Stream, chain_rng};

/// Runs `write_outputs` once at `theta` and returns the outputs by name.
fn outputs<M: Model>(model: &M, theta: &[f64]) -> Vec<(String, f64)> {
    let names = model.output_names();
    let mut out = vec![0.0; names.len()];
    let mut ws = model.new_workspace::<f64>();
    let mut rng = chain_rng(1, 0, Stream::Generated);
    model.write_outputs(theta, &mut ws, &mut rng, true, &mut out).unwrap();
    names.into_iter().zip(out).collect()
}

fn get(outs: &[(String, f64)], name: &str) -> f64 {
    outs.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no output {name}")).1
}

tilde::model! {
    /// Nested data read from JSON, indexed at every level and copied to outputs.
    pub struct NestedData;

    data {
        int K;
        array[K] matrix[2, 3] a;
        array[2, 2, 3] real b;
        array[2, 2] vector[3] c;
        array[2] cholesky_factor_corr[2] L;
        array[2, 2, 2] int<lower=0> n;
    }
    transformed data {
        array[K] matrix[2, 3] a2 = a;
        a2[1, 2, 3] = 100;
        a2[2, 1] = [7, 8, 9];
        a2[K] = a2[1];
    }
    generated quantities {
        array[K] matrix[2, 3] a_out = a;
        array[2, 2, 3] real b_out = b;
        array[2, 2] vector[3] c_out = c;
        array[K] matrix[2, 3] a2_out = a2;
        real a_123 = a[1, 2, 3];
        real b_213 = b[2, 1, 3];
        real c_223 = c[2, 2, 3];
        real row_sum = sum(a[2, 1]);
        real col_sum = sum(to_vector(a[2]));
        real lz = sum(L[2] * transpose([1, 2]));
        int n_222 = n[2, 2, 2];
        int sizes = size(a) * 100 + size(b[1]) * 10 + size(c[1, 2]);
        int count = num_elements(b) + num_elements(a[1]) * 100;
    }
}

fn nested_data_json() -> &'static str {
    r#"{
        "K": 2,
        "a": [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]],
        "b": [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]],
        "c": [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]],
        "L": [[[1, 0], [0, 1]], [[1, 0], [0.6, 0.8]]],
        "n": [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]
    }"#
}

#[test]
fn nested_data_is_read_indexed_and_written_like_stan() {
    let m = NestedData::from_json_str(nested_data_json()).unwrap();
    let outs = outputs(&m, &[]);
    assert_eq!(get(&outs, "a_out[1,2,3]"), 6.0);
    assert_eq!(get(&outs, "a_out[2,1,2]"), 8.0);
    assert_eq!(get(&outs, "b_out[2,2,1]"), 10.0);
    assert_eq!(get(&outs, "c_out[1,2,3]"), 6.0);
    assert_eq!(get(&outs, "a_123"), 6.0);
    assert_eq!(get(&outs, "b_213"), 9.0);
    assert_eq!(get(&outs, "c_223"), 12.0);
    assert_eq!(get(&outs, "row_sum"), 24.0);
    assert_eq!(get(&outs, "col_sum"), 57.0);
    // L[2] * [1, 2]' = [1, 0.6 + 1.6].
    assert!((get(&outs, "lz") - 3.2).abs() < 1e-12);
    assert_eq!(get(&outs, "n_222"), 8.0);
    assert_eq!(get(&outs, "sizes"), 223.0);
    assert_eq!(get(&outs, "count"), 612.0);
    // Transformed data: a2[1] with its [2, 3] entry set, copied into a2[2].
    for k in 1..=2 {
        assert_eq!(get(&outs, &format!("a2_out[{k},2,3]")), 100.0);
        assert_eq!(get(&outs, &format!("a2_out[{k},1,1]")), 1.0);
        assert_eq!(get(&outs, &format!("a2_out[{k},2,2]")), 5.0);
    }
    // Columns are Stan's: column-major over all indices, the first fastest.
    let names = m.output_names();
    let first: Vec<&str> = names.iter().take(4).map(String::as_str).collect();
    assert_eq!(first, ["a_out[1,1,1]", "a_out[2,1,1]", "a_out[1,2,1]", "a_out[2,2,1]"]);
    let values: Vec<f64> = outs.iter().take(4).map(|(_, v)| *v).collect();
    assert_eq!(values, [1.0, 7.0, 4.0, 10.0]);
}
