//! One pass over posteriordb reference draws, summarising each wanted parameter as it streams
//! by. The Monte Carlo SE uses Stan's multi-chain lag-1 autocorrelation (Stan reference
//! manual, "Effective sample size"), extended to all lags as if the draws were AR(1).

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::ParamStats;

/// Running moments of one parameter within the current chain.
#[derive(Debug, Clone, Copy, Default)]
struct ChainMoments {
    n: usize,
    /// Welford's running mean and sum of squared deviations.
    mean: f64,
    m2: f64,
    /// Draws are shifted by the chain's first draw before forming the lag-1 products, so
    /// that parameters with a large mean and a small spread keep their precision.
    first: f64,
    sum_shifted: f64,
    last_shifted: f64,
    lag1_products: f64,
}

impl ChainMoments {
    fn push(&mut self, x: f64) {
        if self.n == 0 {
            self.first = x;
        }
        let y = x - self.first;
        if self.n > 0 {
            self.lag1_products += self.last_shifted * y;
        }
        self.sum_shifted += y;
        self.last_shifted = y;
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// The biased (1/n) lag-1 autocovariance, as Stan's FFT-based estimate gives it:
    /// sum over t of (y_t - ybar)(y_{t+1} - ybar), expanded into the running sums; the first
    /// shifted draw is 0.
    fn autocovariance_lag1(&self) -> f64 {
        let n = self.n as f64;
        let ybar = self.sum_shifted / n;
        let ends = 2.0 * self.sum_shifted - self.last_shifted;
        (self.lag1_products - ybar * ends + (n - 1.0) * ybar * ybar) / n
    }
}

/// Moments of one parameter over the chains read so far.
#[derive(Debug, Clone, Copy, Default)]
struct Pooled {
    n: usize,
    mean: f64,
    m2: f64,
    /// Chains with at least two draws, which enter the autocorrelation.
    chains: usize,
    draws_in_chains: usize,
    sum_chain_variance: f64,
    sum_autocovariance_lag1: f64,
    /// Welford's moments of the chain means.
    chain_means_mean: f64,
    chain_means_m2: f64,
}

impl Pooled {
    fn add_chain(&mut self, chain: &ChainMoments) {
        if chain.n == 0 {
            return;
        }
        // Chan et al.'s pairwise update of mean and sum of squared deviations.
        let total = (self.n + chain.n) as f64;
        let delta = chain.mean - self.mean;
        self.mean += delta * chain.n as f64 / total;
        self.m2 += chain.m2 + delta * delta * (self.n as f64) * (chain.n as f64) / total;
        self.n += chain.n;
        if chain.n < 2 {
            return;
        }
        self.chains += 1;
        self.draws_in_chains += chain.n;
        self.sum_chain_variance += chain.m2 / (chain.n - 1) as f64;
        self.sum_autocovariance_lag1 += chain.autocovariance_lag1();
        let delta = chain.mean - self.chain_means_mean;
        self.chain_means_mean += delta / self.chains as f64;
        self.chain_means_m2 += delta * (chain.mean - self.chain_means_mean);
    }

    /// Stan's combined lag-1 autocorrelation: 1 - (W - mean autocovariance) / var+, where W is
    /// the mean within-chain variance and var+ adds the variance between chain means.
    fn autocorrelation_lag1(&self) -> f64 {
        let chains = self.chains as f64;
        let mean_n = self.draws_in_chains as f64 / chains;
        let w = self.sum_chain_variance / chains;
        let mut var_plus = w * (mean_n - 1.0) / mean_n;
        if self.chains > 1 {
            var_plus += self.chain_means_m2 / (chains - 1.0);
        }
        1.0 - (w - self.sum_autocovariance_lag1 / chains) / var_plus
    }

    /// Effective sample size n (1 - r1) / (1 + r1), the AR(1) value, kept within
    /// [1, n log10 n] (the upper bound is Stan's cap for antithetic chains).
    fn ess(&self) -> f64 {
        let n = self.n as f64;
        let cap = n * n.log10().max(1.0);
        let r1 = self.autocorrelation_lag1();
        if !r1.is_finite() {
            return n;
        }
        if r1 >= 1.0 {
            return 1.0;
        }
        let ess = n * (1.0 - r1) / (1.0 + r1.max(-1.0));
        if ess.is_nan() { n } else { ess.clamp(1.0, cap) }
    }

    fn stats(&self, name: &str) -> ParamStats {
        let sd = if self.n > 1 { (self.m2 / (self.n - 1) as f64).sqrt() } else { f64::NAN };
        let mcse = if sd == 0.0 { 0.0 } else { sd / self.ess().sqrt() };
        ParamStats { name: name.to_string(), n: self.n, mean: self.mean, sd, mcse }
    }
}

/// Everything gathered while the draws stream by; sized by the number of parameters only.
pub(super) struct Collector<'p> {
    names: Vec<&'p str>,
    lookup: HashMap<&'p str, usize>,
    current: Vec<ChainMoments>,
    seen: Vec<bool>,
    pooled: Vec<Pooled>,
    chains: usize,
    /// For each parameter, the first chain (0-based) that lacks it.
    first_missing: Vec<Option<usize>>,
}

impl<'p> Collector<'p> {
    pub(super) fn new(params: &[&'p str]) -> Self {
        let mut names = Vec::new();
        let mut lookup = HashMap::new();
        for &p in params {
            lookup.entry(p).or_insert_with(|| {
                names.push(p);
                names.len() - 1
            });
        }
        let k = names.len();
        Collector {
            names,
            lookup,
            current: vec![ChainMoments::default(); k],
            seen: vec![false; k],
            pooled: vec![Pooled::default(); k],
            chains: 0,
            first_missing: vec![None; k],
        }
    }

    /// The summaries in the order of `params`, or an error naming an absent parameter.
    pub(super) fn finish(self, params: &[&str], source: &str) -> Result<Vec<ParamStats>, String> {
        if self.chains == 0 {
            return Err(format!("{source}: the reference draws hold no chains"));
        }
        for (i, name) in self.names.iter().enumerate() {
            match self.first_missing[i] {
                Some(_) if self.pooled[i].n == 0 => {
                    return Err(format!("{source}: parameter `{name}` is not in the draws"));
                }
                Some(chain) => {
                    let chain = chain + 1;
                    return Err(format!(
                        "{source}: parameter `{name}` is missing from chain {chain}"
                    ));
                }
                None => {}
            }
        }
        Ok(params.iter().map(|p| self.pooled[self.lookup[p]].stats(p)).collect())
    }

    fn end_chain(&mut self) {
        for i in 0..self.names.len() {
            if self.seen[i] {
                self.pooled[i].add_chain(&self.current[i]);
            } else if self.first_missing[i].is_none() {
                self.first_missing[i] = Some(self.chains);
            }
            self.current[i] = ChainMoments::default();
            self.seen[i] = false;
        }
        self.chains += 1;
    }
}

/// The whole document: a list of chains.
pub(super) struct Chains<'c, 'p>(pub(super) &'c mut Collector<'p>);

impl<'de> DeserializeSeed<'de> for Chains<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Chains<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of chains")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Chain(&mut *self.0))?.is_some() {
            self.0.end_chain();
        }
        Ok(())
    }
}

/// One chain: an object mapping parameter names to lists of draws.
struct Chain<'c, 'p>(&'c mut Collector<'p>);

impl<'de> DeserializeSeed<'de> for Chain<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Chain<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a chain: an object mapping parameter names to draws")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let collector = self.0;
        while let Some(slot) = map.next_key_seed(Key(&collector.lookup))? {
            let Some(i) = slot else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if collector.seen[i] {
                let name = collector.names[i];
                return Err(de::Error::custom(format!("parameter `{name}` appears twice")));
            }
            collector.seen[i] = true;
            map.next_value_seed(Draws(&mut collector.current[i]))?;
        }
        Ok(())
    }
}

/// A parameter name, looked up without allocating: `Some(slot)` for a wanted parameter.
struct Key<'l, 'p>(&'l HashMap<&'p str, usize>);

impl<'de> DeserializeSeed<'de> for Key<'_, '_> {
    type Value = Option<usize>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_, '_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a parameter name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Option<usize>, E> {
        Ok(self.0.get(name).copied())
    }
}

/// The draws of one wanted parameter in one chain, fed into its running moments.
struct Draws<'m>(&'m mut ChainMoments);

impl<'de> DeserializeSeed<'de> for Draws<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Draws<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of draws")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(x) = seq.next_element::<f64>()? {
            self.0.push(x);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summarise(json: &str, params: &[&str]) -> Result<Vec<ParamStats>, String> {
        let mut collector = Collector::new(params);
        let mut de = serde_json::Deserializer::from_str(json);
        Chains(&mut collector).deserialize(&mut de).map_err(|e| e.to_string())?;
        collector.finish(params, "test")
    }

    #[test]
    fn lag1_autocovariance_matches_the_direct_sum() {
        let xs = [3.0, 1.5, 4.0, 1.0, 5.5, 9.0, 2.0, 6.5];
        let mut m = ChainMoments::default();
        xs.iter().for_each(|&x| m.push(x));
        let mean = xs.iter().sum::<f64>() / 8.0;
        let direct: f64 = xs.windows(2).map(|w| (w[0] - mean) * (w[1] - mean)).sum::<f64>() / 8.0;
        assert!((m.autocovariance_lag1() - direct).abs() < 1e-12);
        assert!((m.mean - mean).abs() < 1e-14);
    }

    #[test]
    fn pooled_moments_and_order_of_parameters() {
        let json = r#"[{"a": [1, 2, 3], "skip": [[1], {"x": 2}], "b": [0, 0, 0]},
                       {"b": [0, 0, 0], "a": [4, 5, 6]}]"#;
        let stats = summarise(json, &["b", "a", "b"]).unwrap();
        assert_eq!(stats.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["b", "a", "b"]);
        let a = &stats[1];
        assert_eq!((a.n, a.mean), (6, 3.5));
        assert!((a.sd - 3.5f64.sqrt()).abs() < 1e-14);
        assert_eq!((stats[0].sd, stats[0].mcse), (0.0, 0.0));
    }

    #[test]
    fn absent_parameters_are_named() {
        let json = r#"[{"a": [1, 2]}, {"a": [3, 4], "b": [1, 2]}]"#;
        assert_eq!(summarise(json, &["c"]).unwrap_err(), "test: parameter `c` is not in the draws");
        assert_eq!(
            summarise(json, &["a", "b"]).unwrap_err(),
            "test: parameter `b` is missing from chain 1"
        );
    }

    #[test]
    fn autocorrelated_draws_get_a_larger_mcse() {
        // A deterministic sequence alternating slowly: strongly positively autocorrelated.
        let chain = |offset: usize| {
            let draws: Vec<String> =
                (0..400).map(|t| (((t + offset) / 20) % 2).to_string()).collect();
            format!("{{\"x\": [{}]}}", draws.join(","))
        };
        let json = format!("[{}, {}]", chain(0), chain(7));
        let s = &summarise(&json, &["x"]).unwrap()[0];
        let iid = s.sd / (s.n as f64).sqrt();
        // r1 = 0.9 for runs of 20, so the AR(1) ESS is n / 19 and the MCSE is sqrt(19) larger.
        assert!(s.mcse > 4.0 * iid && s.mcse < 4.6 * iid, "{} vs {}", s.mcse, iid);
    }
}
