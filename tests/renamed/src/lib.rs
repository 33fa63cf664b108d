//! A crate that depends on `tilde` under another name, as a user may: the generated code must
//! reach the runtime through that name.

tl::model! {
    /// A normal mean, with the dependency renamed.
    pub struct Renamed;

    data {
        real y;
    }
    parameters {
        real mu;
    }
    model {
        mu ~ normal(0, 1);
        y ~ normal(mu, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::Renamed;
    use tl::Model;

    #[test]
    fn a_model_compiles_and_evaluates_under_a_renamed_dependency() {
        let m = Renamed::from_json_str(r#"{"y": 1.0}"#).unwrap();
        let mut ws = m.new_workspace::<f64>();
        let lp = m.log_density(&[0.5], &mut ws).unwrap();
        // Up to the constants the normal densities drop: -(0.5^2 + 0.5^2) / 2.
        assert!((lp - (-0.25)).abs() < 1e-12, "{lp}");
    }
}
