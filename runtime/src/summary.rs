//! The posterior summary table, in the manner of CmdStan's `stansummary`: one row of
//! statistics and convergence diagnostics per output, then warnings in plain words about
//! divergences, tree depth, E-BFMI, R-hat and ESS (thresholds of Vehtari et al. 2021 and
//! Betancourt 2016, as Stan uses them).

use crate::diagnostics;
use std::fmt;

/// R-hat above this means the chains have not mixed (Vehtari et al. 2021).
const RHAT_LIMIT: f64 = 1.01;
/// Bulk and tail ESS below this many per chain make the estimates too noisy to trust.
const ESS_PER_CHAIN: f64 = 100.0;
/// E-BFMI below this suggests the sampler moves slowly between energy levels.
const EBFMI_LIMIT: f64 = 0.3;
/// Variables named in one warning, worst first.
const NAMED: usize = 5;

/// Statistics and diagnostics of one scalar output over all chains.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// Output name in Stan's spelling (`theta[1]`).
    pub name: String,
    /// Posterior mean.
    pub mean: f64,
    /// Monte Carlo standard error of the mean.
    pub mcse: f64,
    /// Posterior standard deviation.
    pub sd: f64,
    /// 5% quantile.
    pub q5: f64,
    /// Median.
    pub q50: f64,
    /// 95% quantile.
    pub q95: f64,
    /// Bulk effective sample size.
    pub ess_bulk: f64,
    /// Tail effective sample size.
    pub ess_tail: f64,
    /// Rank-normalised split R-hat.
    pub rhat: f64,
}

impl SummaryRow {
    /// Computes every column from the draws of one output, one slice per chain.
    pub fn compute(name: &str, chains: &[&[f64]]) -> SummaryRow {
        SummaryRow {
            name: name.to_owned(),
            mean: diagnostics::mean(chains),
            mcse: diagnostics::mcse_mean(chains),
            sd: diagnostics::sd(chains),
            q5: diagnostics::quantile(chains, 0.05),
            q50: diagnostics::quantile(chains, 0.5),
            q95: diagnostics::quantile(chains, 0.95),
            ess_bulk: diagnostics::ess_bulk(chains),
            ess_tail: diagnostics::ess_tail(chains),
            rhat: diagnostics::rhat(chains),
        }
    }
}

/// What the sampler reports about a run, beyond the draws, for the warnings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SamplerFacts {
    /// Number of chains.
    pub chains: usize,
    /// Post-warmup draws in each chain.
    pub draws_per_chain: usize,
    /// Post-warmup transitions that ended with a divergence, per chain.
    pub divergent_per_chain: Vec<usize>,
    /// The maximum tree depth the sampler ran with.
    pub max_depth: u32,
    /// Post-warmup transitions that reached `max_depth`, per chain.
    pub max_depth_hits_per_chain: Vec<usize>,
    /// E-BFMI of each chain.
    pub ebfmi_per_chain: Vec<f64>,
    /// The messages of rejected proposals and failed generated quantities, over all chains.
    pub rejections: crate::rejections::Rejections,
}

/// The summary table of a fit: rows and the warnings that apply to them.
#[derive(Debug, Clone)]
pub struct Summary {
    /// One row per output, in the order given.
    pub rows: Vec<SummaryRow>,
    /// Warnings about the run, each a sentence or two in plain words; empty if all is well.
    pub warnings: Vec<String>,
    facts: SamplerFacts,
}

impl Summary {
    /// Builds the summary and the warnings that apply to these rows and facts.
    pub fn new(rows: Vec<SummaryRow>, facts: &SamplerFacts) -> Summary {
        let warnings = [
            divergence_warning(facts),
            max_depth_warning(facts),
            ebfmi_warning(facts),
            rhat_warning(&rows),
            ess_warning(&rows, facts, "Bulk", |r| r.ess_bulk, "means and medians"),
            ess_warning(&rows, facts, "Tail", |r| r.ess_tail, "the 5% and 95% quantiles"),
        ]
        .into_iter()
        .flatten()
        .collect();
        Summary { rows, warnings, facts: facts.clone() }
    }

    /// The row named `name` exactly (`theta[2]`), if any.
    pub fn row(&self, name: &str) -> Option<&SummaryRow> {
        self.rows.iter().find(|r| r.name == name)
    }

    /// The rows of the given variables, in the order asked for: a bare name (`theta`) selects
    /// the variable and all its elements (`theta[1]`, `theta[2,1]`, ...), an indexed name only
    /// that element. Names that match nothing are skipped. Warnings about the sampler are kept;
    /// those about R-hat and ESS are recomputed for the selected rows.
    pub fn select(&self, variables: &[&str]) -> Summary {
        let rows = variables
            .iter()
            .flat_map(|v| self.rows.iter().filter(move |r| is_part_of(&r.name, v)))
            .cloned()
            .collect();
        Summary::new(rows, &self.facts)
    }
}

/// Whether output `name` is `variable` or one of its elements.
fn is_part_of(name: &str, variable: &str) -> bool {
    name.strip_prefix(variable).is_some_and(|rest| rest.is_empty() || rest.starts_with('['))
}

fn divergence_warning(facts: &SamplerFacts) -> Option<String> {
    let total: usize = facts.divergent_per_chain.iter().sum();
    (total > 0).then(|| {
        format!(
            "{} ended with a divergence{}. The sampler could not follow the curvature of the \
             posterior there, so the draws may be biased. Raise adapt_delta (for example to \
             0.95 or 0.99) or reparameterise the model (for example non-centred).",
            share_of_transitions(total, facts),
            per_chain(&facts.divergent_per_chain),
        )
    })
}

fn max_depth_warning(facts: &SamplerFacts) -> Option<String> {
    let total: usize = facts.max_depth_hits_per_chain.iter().sum();
    (total > 0).then(|| {
        format!(
            "{} reached the maximum tree depth of {}{}. Those trajectories were cut short: \
             the draws are still valid, but exploration is slow. Raise max_depth, or \
             reparameterise the model if the posterior has very different scales.",
            share_of_transitions(total, facts),
            facts.max_depth,
            per_chain(&facts.max_depth_hits_per_chain),
        )
    })
}

fn ebfmi_warning(facts: &SamplerFacts) -> Option<String> {
    let low: Vec<String> = (facts.ebfmi_per_chain.iter().enumerate())
        .filter(|(_, e)| **e < EBFMI_LIMIT)
        .map(|(i, e)| format!("chain {}: {e:.2}", i + 1))
        .collect();
    (!low.is_empty()).then(|| {
        format!(
            "E-BFMI is below {EBFMI_LIMIT} in {} of {} chains ({}). Momentum resampling moves \
             these chains slowly across the energy levels of the posterior, often because of \
             heavy tails; reparameterising the model may help.",
            low.len(),
            facts.ebfmi_per_chain.len(),
            low.join(", "),
        )
    })
}

fn rhat_warning(rows: &[SummaryRow]) -> Option<String> {
    let worst = worst(rows, |r| r.rhat, |r| r.rhat > RHAT_LIMIT, true);
    worst.map(|(count, named)| {
        let named: Vec<String> =
            named.iter().map(|r| format!("{} {}", r.name, rhat_cell(r.rhat))).collect();
        format!(
            "R-hat is above {RHAT_LIMIT} for {}. The chains disagree with each other, so \
             their estimates cannot be trusted yet. Run longer chains, and look for \
             multimodality or a parameterisation that mixes better.",
            variables(count, &named),
        )
    })
}

fn ess_warning(
    rows: &[SummaryRow],
    facts: &SamplerFacts,
    kind: &str,
    ess: fn(&SummaryRow) -> f64,
    governs: &str,
) -> Option<String> {
    let limit = ESS_PER_CHAIN * facts.chains as f64;
    let worst = worst(rows, ess, |r| ess(r) < limit, false);
    worst.map(|(count, named)| {
        let named: Vec<String> =
            named.iter().map(|r| format!("{} {:.0}", r.name, ess(r))).collect();
        format!(
            "{kind} ESS is below {ESS_PER_CHAIN} per chain ({limit} in total) for {}. \
             Estimates of {governs} are too noisy to rely on; run longer chains or \
             reparameterise the model.",
            variables(count, &named),
        )
    })
}

/// Rows that fail `bad`, counted, with the worst few by `key` (largest first if
/// `descending`). NaN keys never fail, since constant outputs have NaN diagnostics.
fn worst(
    rows: &[SummaryRow],
    key: fn(&SummaryRow) -> f64,
    bad: impl Fn(&SummaryRow) -> bool,
    descending: bool,
) -> Option<(usize, Vec<&SummaryRow>)> {
    let mut failing: Vec<&SummaryRow> = rows.iter().filter(|r| bad(r)).collect();
    failing.sort_by(|a, b| {
        let order = key(a).total_cmp(&key(b));
        if descending { order.reverse() } else { order }
    });
    let count = failing.len();
    failing.truncate(NAMED);
    (count > 0).then_some((count, failing))
}

/// "3 variables (worst first: a 1.2, b 1.1, c 1.05)", naming at most [`NAMED`].
fn variables(count: usize, named: &[String]) -> String {
    match count {
        1 => format!("1 variable ({})", named.join(", ")),
        _ if count <= NAMED => format!("{count} variables (worst first: {})", named.join(", ")),
        _ => format!(
            "{count} variables (worst first: {}, and {} more)",
            named.join(", "),
            count - NAMED
        ),
    }
}

/// "12 of 4000 transitions (0.3%)".
fn share_of_transitions(count: usize, facts: &SamplerFacts) -> String {
    let total = facts.chains * facts.draws_per_chain;
    let noun = if count == 1 { "transition" } else { "transitions" };
    if total == 0 {
        return format!("{count} {noun}");
    }
    format!("{count} of {total} transitions ({}%)", percent(100.0 * count as f64 / total as f64))
}

/// A percentage with at most two decimals and no trailing zeros.
fn percent(p: f64) -> String {
    let text = format!("{p:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// " (chain 1: 3, chain 2: 9)" when there is more than one chain.
fn per_chain(counts: &[usize]) -> String {
    if counts.len() < 2 {
        return String::new();
    }
    let parts: Vec<String> =
        counts.iter().enumerate().map(|(i, c)| format!("chain {}: {c}", i + 1)).collect();
    format!(" ({})", parts.join(", "))
}

impl fmt::Display for Summary {
    /// Aligned columns like `stansummary`'s, then the warnings, one paragraph each.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let facts = &self.facts;
        if facts.chains > 0 {
            let chains = if facts.chains == 1 { "chain" } else { "chains" };
            writeln!(
                f,
                "{} {chains} of {} draws each ({} in total)\n",
                facts.chains,
                facts.draws_per_chain,
                facts.chains * facts.draws_per_chain
            )?;
        }
        let cells: Vec<[String; 9]> = self.rows.iter().map(cells).collect();
        let mut widths = HEADERS.map(str::len);
        for row in &cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.len());
            }
        }
        let name_width = self.rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
        write!(f, "{:name_width$}", "")?;
        for (h, w) in HEADERS.iter().zip(widths) {
            write!(f, "  {h:>w$}")?;
        }
        writeln!(f)?;
        for (row, cells) in self.rows.iter().zip(&cells) {
            write!(f, "{:name_width$}", row.name)?;
            for (c, w) in cells.iter().zip(widths) {
                write!(f, "  {c:>w$}")?;
            }
            writeln!(f)?;
        }
        let rejections = &facts.rejections;
        if !rejections.is_empty() {
            writeln!(
                f,
                "\nRejected proposals and failed generated quantities, all chains (counted by \
                 problem; the value shown is the first seen):"
            )?;
            write!(f, "{rejections}")?;
        }
        for warning in &self.warnings {
            write!(f, "\nWarning: {warning}\n")?;
        }
        Ok(())
    }
}

const HEADERS: [&str; 9] =
    ["Mean", "MCSE", "StdDev", "5%", "50%", "95%", "ESS_bulk", "ESS_tail", "R_hat"];

fn cells(row: &SummaryRow) -> [String; 9] {
    [
        significant(row.mean),
        significant(row.mcse),
        significant(row.sd),
        significant(row.q5),
        significant(row.q50),
        significant(row.q95),
        format!("{:.0}", row.ess_bulk),
        format!("{:.0}", row.ess_tail),
        rhat_cell(row.rhat),
    ]
}

/// R-hat with three decimals, as Stan shows it, or in scientific notation when chains that
/// disagree wildly make it too large for a column.
fn rhat_cell(rhat: f64) -> String {
    if rhat.abs() < 1e5 || !rhat.is_finite() { format!("{rhat:.3}") } else { format!("{rhat:.3e}") }
}

/// Four significant digits: fixed notation from 1e-3 up to 1e5, scientific outside it.
fn significant(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{x}");
    }
    let exponent = x.abs().log10().floor();
    if (-3.0..5.0).contains(&exponent) {
        let decimals = (3.0 - exponent).max(0.0) as usize;
        format!("{x:.decimals$}")
    } else {
        format!("{x:.3e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_r_hat_fits_its_column() {
        assert_eq!(rhat_cell(1.0042), "1.004");
        assert_eq!(rhat_cell(8.191_560_148_631_9e14), "8.192e14");
    }

    #[test]
    fn significant_switches_to_scientific_outside_1e_minus_3_to_1e5() {
        assert_eq!(significant(0.001), "0.001000");
        assert_eq!(significant(0.00099), "9.900e-4");
        assert_eq!(significant(-0.5), "-0.5000");
        assert_eq!(significant(99999.0), "99999");
        assert_eq!(significant(100000.0), "1.000e5");
        assert_eq!(significant(f64::NAN), "NaN");
        assert_eq!(significant(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn percent_drops_trailing_zeros() {
        assert_eq!(percent(0.3), "0.3");
        assert_eq!(percent(25.0), "25");
        assert_eq!(percent(100.0 / 3.0), "33.33");
    }
}
