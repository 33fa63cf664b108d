//! Stan's CSV output format, as CmdStan's `sample` method writes it, one file per chain:
//! the configuration as `#` comments, the header row, the warm-up draws if saved, the
//! adaptation block (step size and inverse metric), the draws, and the timing footer. ArviZ's
//! `from_cmdstan` and cmdstanpy's `from_csv` read these files.

use super::io_error;
use crate::error::Error;
use crate::fit::{Fit, RunConfig, SamplerStats};
use crate::nuts::MetricKind;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The Stan release whose sampler and CSV layout Tilde follows. CSV readers look for these
/// version lines, so they are written as CmdStan writes them.
const STAN_VERSION: (u32, u32, u32) = (2, 36, 0);

/// The names of the sampler statistics columns, in CmdStan's order.
pub const SAMPLER_COLUMNS: [&str; 7] = [
    "lp__",
    "accept_stat__",
    "stepsize__",
    "treedepth__",
    "n_leapfrog__",
    "divergent__",
    "energy__",
];

/// An output name in CmdStan's CSV spelling: `theta[1]` becomes `theta.1` and `z[2,1]`
/// becomes `z.2.1`; a scalar name is unchanged.
pub fn csv_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '[' | ',' => out.push('.'),
            ']' | ' ' => {}
            c => out.push(c),
        }
    }
    out
}

/// A number as the CSV holds it: the shortest text that reads back to the same `f64`, in
/// exponent notation when very large or small, and `nan`, `inf`, `-inf` as CmdStan writes
/// them.
pub fn format_number(x: f64) -> String {
    let mut s = String::new();
    push_number(&mut s, x);
    s
}

fn push_number(out: &mut String, x: f64) {
    // Writing into a String cannot fail.
    let _ = if x.is_nan() {
        write!(out, "nan")
    } else if x.is_infinite() {
        write!(out, "{}", if x > 0.0 { "inf" } else { "-inf" })
    } else if x == 0.0 || (1e-5..1e15).contains(&x.abs()) {
        write!(out, "{x}")
    } else {
        write!(out, "{x:e}")
    };
}

/// The path of chain `chain`'s file (numbered from 1): `{prefix}_{chain}.csv`.
pub fn chain_path(prefix: &Path, chain: usize) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(format!("_{chain}.csv"));
    PathBuf::from(name)
}

impl Fit {
    /// Writes one CmdStan CSV file per chain, `{prefix}_1.csv`, `{prefix}_2.csv`, ..., and
    /// returns their paths. The directory must exist. An error names the file that could not
    /// be written; the fit is not changed.
    pub fn write_csv(&self, prefix: impl AsRef<Path>) -> Result<Vec<PathBuf>, Error> {
        let prefix = prefix.as_ref();
        // A folder given as the prefix would put the files beside it (`/tmp` gives
        // `/tmp_1.csv`), which is never what was meant.
        let names_folder = prefix.as_os_str().to_string_lossy().ends_with(['/', '\\']);
        if prefix.is_dir() || names_folder {
            let why = std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "this is a folder, but a prefix of file names is needed: the files are \
                 `{prefix}_1.csv`, `{prefix}_2.csv`, ...; give a prefix inside the folder, \
                 such as `folder/fit`",
            );
            return Err(io_error(prefix, why));
        }
        let mut paths = Vec::with_capacity(self.num_chains());
        for chain in 0..self.num_chains() {
            let path = chain_path(prefix, chain + 1);
            let file = std::fs::File::create(&path).map_err(|e| io_error(&path, e))?;
            let mut out = BufWriter::new(file);
            let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            self.write_chain_csv(chain, file_name.as_deref().unwrap_or(""), &mut out)
                .and_then(|()| out.flush())
                .map_err(|e| io_error(&path, e))?;
            paths.push(path);
        }
        Ok(paths)
    }

    /// Writes chain `chain` (0-based) in CmdStan's CSV format to `out`; `file_name` is
    /// reported as the output file in the header. Panics if there is no such chain.
    pub fn write_chain_csv(
        &self,
        chain: usize,
        file_name: &str,
        out: &mut impl Write,
    ) -> std::io::Result<()> {
        out.write_all(config_header(self.config(), chain + 1, file_name).as_bytes())?;
        let mut line = String::new();
        for (i, column) in SAMPLER_COLUMNS.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            line.push_str(column);
        }
        for name in self.names() {
            line.push(',');
            line.push_str(&csv_name(name));
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
        if let Some(warmup) = self.warmup_chains().get(chain) {
            write_draws(out, &warmup.stats, &warmup.draws, self.names().len())?;
        }
        out.write_all(adaptation_block(self, chain).as_bytes())?;
        let c = &self.chains()[chain];
        write_draws(out, &c.stats, &c.draws, self.names().len())?;
        let (warmup, sampling) = (c.warmup_time.as_secs_f64(), c.sampling_time.as_secs_f64());
        write!(
            out,
            "# \n#  Elapsed Time: {warmup:.3} seconds (Warm-up)\n\
             #                {sampling:.3} seconds (Sampling)\n\
             #                {:.3} seconds (Total)\n# \n",
            warmup + sampling
        )
    }
}

/// One row per draw: the sampler statistics, then the outputs. `draws` is variable-major.
fn write_draws(
    out: &mut impl Write,
    stats: &SamplerStats,
    draws: &[f64],
    num_outputs: usize,
) -> std::io::Result<()> {
    let n = stats.len();
    let mut line = String::new();
    for d in 0..n {
        line.clear();
        push_number(&mut line, stats.lp[d]);
        line.push(',');
        push_number(&mut line, stats.accept_stat[d]);
        line.push(',');
        push_number(&mut line, stats.stepsize[d]);
        let _ = write!(
            line,
            ",{},{},{},",
            stats.treedepth[d],
            stats.n_leapfrog[d],
            u8::from(stats.divergent[d])
        );
        push_number(&mut line, stats.energy[d]);
        for v in 0..num_outputs {
            line.push(',');
            push_number(&mut line, draws[v * n + d]);
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// `# Adaptation terminated`, the step size and the inverse metric: its diagonal on one line,
/// or a dense matrix one row per line, as CmdStan writes them.
fn adaptation_block(fit: &Fit, chain: usize) -> String {
    let c = &fit.chains()[chain];
    let mut s = String::from("# Adaptation terminated\n# Step size = ");
    push_number(&mut s, c.step_size);
    s.push('\n');
    if fit.config().adapt_metric {
        let (title, row_len) = match fit.config().metric {
            MetricKind::Diagonal => ("Diagonal elements of", c.inv_metric.len()),
            MetricKind::Dense => ("Elements of", c.inv_metric.len().isqrt()),
        };
        let _ = writeln!(s, "# {title} inverse mass matrix:");
        if c.inv_metric.is_empty() {
            s.push_str("# \n");
        }
        for row in c.inv_metric.chunks(row_len.max(1)) {
            s.push_str("# ");
            for (i, x) in row.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                push_number(&mut s, *x);
            }
            s.push('\n');
        }
    } else {
        s.push_str("# No free parameters for unit metric\n");
    }
    s
}

/// The configuration comments, in CmdStan's layout and argument names; `(Default)` marks a
/// value equal to CmdStan's default, as CmdStan does.
fn config_header(config: &RunConfig, chain_id: usize, file_name: &str) -> String {
    let mut s = String::new();
    let mut line = |indent: usize, key: &str, value: &str, default: bool| {
        let _ = write!(s, "# {:indent$}{key}", "", indent = 2 * indent);
        if !value.is_empty() || default {
            let _ = write!(s, " = {value}");
            if default {
                s.push_str(" (Default)");
            }
        }
        s.push('\n');
    };
    let (major, minor, patch) = STAN_VERSION;
    line(0, "stan_version_major", &major.to_string(), false);
    line(0, "stan_version_minor", &minor.to_string(), false);
    line(0, "stan_version_patch", &patch.to_string(), false);
    line(0, "tilde_version", env!("CARGO_PKG_VERSION"), false);
    line(0, "model", &config.model, false);
    line(0, "method", "sample", true);
    line(1, "sample", "", false);
    let n = |x: usize| x.to_string();
    line(2, "num_samples", &n(config.num_samples), config.num_samples == 1000);
    line(2, "num_warmup", &n(config.num_warmup), config.num_warmup == 1000);
    line(2, "save_warmup", bool_text(config.save_warmup), !config.save_warmup);
    line(2, "thin", "1", true);
    line(2, "adapt", "", false);
    line(3, "engaged", "true", true);
    line(3, "gamma", &format_number(config.gamma), config.gamma == 0.05);
    line(3, "delta", &format_number(config.adapt_delta), config.adapt_delta == 0.8);
    line(3, "kappa", &format_number(config.kappa), config.kappa == 0.75);
    line(3, "t0", &format_number(config.t0), config.t0 == 10.0);
    line(3, "init_buffer", &n(config.init_buffer), config.init_buffer == 75);
    line(3, "term_buffer", &n(config.term_buffer), config.term_buffer == 50);
    line(3, "window", &n(config.window), config.window == 25);
    line(3, "save_metric", "false", true);
    line(2, "algorithm", "hmc", true);
    line(3, "hmc", "", false);
    line(4, "engine", "nuts", true);
    line(5, "nuts", "", false);
    line(6, "max_depth", &config.max_depth.to_string(), config.max_depth == 10);
    let metric = match (config.adapt_metric, config.metric) {
        (false, _) => "unit_e",
        (true, MetricKind::Diagonal) => "diag_e",
        (true, MetricKind::Dense) => "dense_e",
    };
    line(4, "metric", metric, metric == "diag_e");
    line(4, "metric_file", "", true);
    line(4, "stepsize", "1", true);
    line(4, "stepsize_jitter", "0", true);
    line(2, "num_chains", &n(config.chains), config.chains == 1);
    line(0, "id", &n(chain_id), chain_id == 1);
    line(0, "data", "", false);
    line(1, "file", "", true);
    if config.inits_given {
        line(0, "init", "given", false);
    } else {
        line(0, "init", &format_number(config.init_radius), config.init_radius == 2.0);
    }
    line(0, "random", "", false);
    line(1, "seed", &config.seed.to_string(), false);
    line(0, "output", "", false);
    line(1, "file", file_name, false);
    line(1, "diagnostic_file", "", true);
    line(1, "refresh", "100", true);
    line(1, "sig_figs", "17", false);
    line(0, "num_threads", &n(config.threads), config.threads == 1);
    line(0, "stanc_version", concat!("tilde ", env!("CARGO_PKG_VERSION")), false);
    s
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_dotted() {
        assert_eq!(csv_name("mu"), "mu");
        assert_eq!(csv_name("theta[1]"), "theta.1");
        assert_eq!(csv_name("Sigma[2,1]"), "Sigma.2.1");
        assert_eq!(csv_name("z[3, 12]"), "z.3.12");
    }

    #[test]
    fn numbers_read_back_exactly() {
        for x in [0.0, -0.0, 1.5, -2.25e-7, 3.0e20, 0.1 + 0.2, 123456.789, f64::MIN_POSITIVE] {
            let text = format_number(x);
            assert_eq!(text.parse::<f64>().unwrap(), x, "{text}");
        }
        assert_eq!(format_number(-2.25e-7), "-2.25e-7");
        assert_eq!(format_number(12.5), "12.5");
        assert_eq!(format_number(f64::NAN), "nan");
        assert_eq!(format_number(f64::INFINITY), "inf");
        assert_eq!(format_number(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn chain_paths_append_the_number() {
        assert_eq!(chain_path(Path::new("out/fit"), 3), PathBuf::from("out/fit_3.csv"));
    }
}
