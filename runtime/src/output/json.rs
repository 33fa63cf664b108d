//! The draws as one JSON document, for tools that would rather not parse Stan's CSV.
//!
//! The layout is one object with a member per column: the sampler statistics (`lp__`,
//! `accept_stat__`, ...) and then every output under its Stan name (`theta[1]`), each an
//! array with one array of draws per chain:
//!
//! ```json
//! {"lp__": [[-4.1, -3.9], [-4.4, -4.0]], "mu": [[1.2, 0.8], [2.5, 1.9]], "theta[1]": ...}
//! ```
//!
//! Non-finite values are written as the strings `"NaN"`, `"Inf"` and `"-Inf"`, as in Stan's
//! JSON data format, since JSON has no numbers for them. Members keep the column order.

use super::io_error;
use crate::error::Error;
use crate::fit::Fit;
use std::path::Path;

impl Fit {
    /// The draws as a JSON document; see [the module documentation](crate::output::json).
    pub fn to_json(&self) -> String {
        let mut s = String::from("{");
        let stats: Vec<_> = (0..self.num_chains()).map(|c| self.stats(c)).collect();
        let mut first = true;
        let mut member =
            |s: &mut String, name: &str, chains: &mut dyn Iterator<Item = Vec<f64>>| {
                if !first {
                    s.push_str(",\n ");
                }
                first = false;
                // Names are identifiers with brackets, commas and digits: no escaping needed,
                // but serde_json quotes them correctly whatever they hold.
                s.push_str(&serde_json::Value::from(name).to_string());
                s.push_str(": [");
                for (i, chain) in chains.enumerate() {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    s.push('[');
                    for (j, x) in chain.iter().enumerate() {
                        if j > 0 {
                            s.push_str(", ");
                        }
                        push_json_number(s, *x);
                    }
                    s.push(']');
                }
                s.push(']');
            };
        member(&mut s, "lp__", &mut stats.iter().map(|st| st.lp.clone()));
        member(&mut s, "accept_stat__", &mut stats.iter().map(|st| st.accept_stat.clone()));
        member(&mut s, "stepsize__", &mut stats.iter().map(|st| st.stepsize.clone()));
        member(
            &mut s,
            "treedepth__",
            &mut stats.iter().map(|st| st.treedepth.iter().map(|&d| f64::from(d)).collect()),
        );
        member(
            &mut s,
            "n_leapfrog__",
            &mut stats.iter().map(|st| st.n_leapfrog.iter().map(|&d| f64::from(d)).collect()),
        );
        member(
            &mut s,
            "divergent__",
            &mut stats
                .iter()
                .map(|st| st.divergent.iter().map(|&d| f64::from(u8::from(d))).collect()),
        );
        member(&mut s, "energy__", &mut stats.iter().map(|st| st.energy.clone()));
        for (i, name) in self.names().iter().enumerate() {
            member(&mut s, name, &mut self.variable_chains(i).into_iter().map(|c| c.to_vec()));
        }
        s.push_str("}\n");
        s
    }

    /// Writes [`Fit::to_json`] to `path`. An error names the file; the fit is not changed.
    pub fn write_json(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        std::fs::write(path, self.to_json()).map_err(|e| io_error(path, e))
    }
}

fn push_json_number(s: &mut String, x: f64) {
    if x.is_nan() {
        s.push_str("\"NaN\"");
    } else if x.is_infinite() {
        s.push_str(if x > 0.0 { "\"Inf\"" } else { "\"-Inf\"" });
    } else {
        // Integral values come out without a fraction ("3"), so counts read as integers.
        s.push_str(&super::csv::format_number(x));
    }
}
