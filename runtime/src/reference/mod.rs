//! Streaming reader of posteriordb reference posteriors (Magnusson et al., "posteriordb: a set
//! of posteriors for Bayesian inference and probabilistic programming"), for the test suite.
//!
//! The draws are summarised in one pass over the zipped JSON, so memory stays at the size of the
//! zip decoder's buffers whatever the size of the file. The folder layout is described in
//! posteriordb's README shipped next to the data.

mod stream;

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeSeed;

use crate::data::{DataError, DataSource};

/// The environment variable that points at a posteriordb folder.
pub const POSTERIORDB_VAR: &str = "POSTERIORDB";

/// Summary of one parameter over all reference draws.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamStats {
    /// Stan's flattened name, such as `theta[1]`.
    pub name: String,
    /// Number of draws over all chains.
    pub n: usize,
    /// Mean over all draws.
    pub mean: f64,
    /// Standard deviation over all draws (divisor n - 1).
    pub sd: f64,
    /// Monte Carlo standard error of `mean`: sd / sqrt(ESS), with the ESS from the chains'
    /// combined lag-1 autocorrelation r1 as n (1 - r1) / (1 + r1).
    pub mcse: f64,
}

/// One posterior of the folder's `index.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct PosteriorEntry {
    /// `<data>-<model>`, such as `eight_schools-eight_schools_noncentered`.
    pub name: String,
    /// The model's name.
    pub model_name: String,
    /// The data set's name, for [`PosteriorDb::data`].
    pub data_name: String,
    /// Rank by difficulty, 1 being the easiest.
    pub rank: usize,
    /// The parameters in the reference, in the draws' order.
    pub param_names: Vec<String>,
    /// Language features the model needs (tags explained in the folder's MODELS.md).
    #[serde(default)]
    pub features: Vec<String>,
    /// Whether a draws zip exists (all but `mcycle_gp-accel_gp`); otherwise only the means do.
    #[serde(skip)]
    pub has_draws: bool,
}

#[derive(Deserialize)]
struct IndexFile {
    posteriors: Vec<IndexEntry>,
}

#[derive(Deserialize)]
struct IndexEntry {
    #[serde(flatten)]
    entry: PosteriorEntry,
    files: IndexFiles,
}

#[derive(Deserialize)]
struct IndexFiles {
    draws: Option<String>,
}

#[derive(Deserialize)]
struct MeanFile {
    names: Vec<String>,
    #[serde(alias = "mean_squared_value")]
    mean_value: Vec<f64>,
    mcse_mean: Vec<f64>,
}

/// A posteriordb folder: `data/`, `reference/`, `posteriors/` and `index.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosteriorDb {
    root: PathBuf,
}

impl PosteriorDb {
    /// A posteriordb folder at this path, without checking it.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        PosteriorDb { root: root.into() }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// $POSTERIORDB, else ../shared/posteriordb relative to the workspace root (the parent
    /// of this crate's CARGO_MANIFEST_DIR) and to the current directory; the error lists
    /// every place it looked.
    pub fn locate() -> Result<PosteriorDb, String> {
        let mut looked = Vec::new();
        match std::env::var_os(POSTERIORDB_VAR) {
            Some(path) => looked.push(PathBuf::from(path)),
            None => looked.push(PathBuf::from(format!("${POSTERIORDB_VAR} (not set)"))),
        }
        let relative = Path::new("..").join("shared").join("posteriordb");
        if let Some(workspace) = Path::new(env!("CARGO_MANIFEST_DIR")).parent() {
            looked.push(workspace.join(&relative));
        }
        if let Ok(cwd) = std::env::current_dir() {
            looked.push(cwd.join(&relative));
        }
        if let Some(found) = looked.iter().find(|p| p.join("index.json").is_file()) {
            return Ok(PosteriorDb::at(found));
        }
        let places: Vec<String> = looked.iter().map(|p| p.display().to_string()).collect();
        Err(format!(
            "posteriordb not found (a folder with index.json); looked in: {}. Set ${} to it.",
            places.join(", "),
            POSTERIORDB_VAR
        ))
    }

    /// The Stan JSON data of a data set, from `data/<data_name>.json.zip`.
    pub fn data(&self, data_name: &str) -> Result<DataSource, DataError> {
        DataSource::from_zip_file(self.root.join("data").join(format!("{data_name}.json.zip")))
    }

    /// The posteriors listed in `index.json`, easiest first.
    pub fn index(&self) -> Result<Vec<PosteriorEntry>, String> {
        let path = self.root.join("index.json");
        let file = File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let index: IndexFile = serde_json::from_reader(BufReader::new(file))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let entries = index
            .posteriors
            .into_iter()
            .map(|e| PosteriorEntry { has_draws: e.files.draws.is_some(), ..e.entry });
        Ok(entries.collect())
    }

    /// Summaries of these parameters over the reference draws of `posterior`, in the order
    /// asked, streamed from `reference/<posterior>.json.zip`. A parameter that the draws do
    /// not hold is an error naming it.
    pub fn reference_draws(
        &self,
        posterior: &str,
        params: &[&str],
    ) -> Result<Vec<ParamStats>, String> {
        let path = self.root.join("reference").join(format!("{posterior}.json.zip"));
        let source = path.display().to_string();
        let file = File::open(&path).map_err(|e| format!("{source}: {e}"))?;
        let mut archive =
            zip::ZipArchive::new(BufReader::new(file)).map_err(|e| format!("{source}: {e}"))?;
        if archive.len() != 1 {
            return Err(format!("{source}: expected one member, found {}", archive.len()));
        }
        let member = archive.by_index(0).map_err(|e| format!("{source}: {e}"))?;
        let mut collector = stream::Collector::new(params);
        let mut de = serde_json::Deserializer::from_reader(BufReader::new(member));
        stream::Chains(&mut collector)
            .deserialize(&mut de)
            .and_then(|()| de.end())
            .map_err(|e| format!("{source}: {e}"))?;
        collector.finish(params, &source)
    }

    /// Reference means from `reference/<posterior>.mean_value.json` and
    /// `.mean_squared_value.json`: `(name, mean, mcse of the mean, sd)` with
    /// `sd = sqrt(E[x^2] - E[x]^2)`. The only source for `mcycle_gp-accel_gp`, which has no
    /// draws. posteriordb rounds `E[x^2]` to 7 significant digits, so the variance carries an
    /// absolute error of up to `5e-7 E[x^2]`; the draws give it exactly.
    pub fn reference_means(&self, posterior: &str) -> Result<Vec<(String, f64, f64, f64)>, String> {
        let means = self.mean_file(posterior, "mean_value")?;
        let squares = self.mean_file(posterior, "mean_squared_value")?;
        if means.names != squares.names {
            return Err(format!(
                "{posterior}: the mean and mean-square files name different parameters"
            ));
        }
        let rows = means.names.into_iter().enumerate().map(|(i, name)| {
            let mean = means.mean_value[i];
            let sd = (squares.mean_value[i] - mean * mean).max(0.0).sqrt();
            (name, mean, means.mcse_mean[i], sd)
        });
        Ok(rows.collect())
    }

    fn mean_file(&self, posterior: &str, kind: &str) -> Result<MeanFile, String> {
        let path = self.root.join("reference").join(format!("{posterior}.{kind}.json"));
        let source = path.display().to_string();
        let file = File::open(&path).map_err(|e| format!("{source}: {e}"))?;
        let parsed: MeanFile =
            serde_json::from_reader(BufReader::new(file)).map_err(|e| format!("{source}: {e}"))?;
        let k = parsed.names.len();
        if parsed.mean_value.len() != k || parsed.mcse_mean.len() != k {
            return Err(format!("{source}: the lists have different lengths"));
        }
        Ok(parsed)
    }
}
