//! Trace and density plots of a fit, as SVG files, in the manner of ArviZ's `plot_trace`:
//! one row per output, chains in distinct colours, divergent draws marked on the trace.
//!
//! SVG needs no font library on the machine (the viewer draws the text), which keeps the
//! build free of system packages.

use super::io_error;
use crate::error::Error;
use crate::fit::Fit;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Chain colours (the "tab10" palette), reused cyclically past ten chains.
const CHAIN_COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Points at which a density estimate is drawn.
const DENSITY_POINTS: usize = 200;
/// Height in pixels of one output's row.
const ROW_HEIGHT: u32 = 200;

impl Fit {
    /// Writes an SVG with one row per output in `vars`: the trace of each chain on the left,
    /// with divergent draws marked by black crosses, and each chain's density on the right.
    /// A name may be an output (`"theta[1]"`) or a whole variable (`"theta"`, one row per
    /// element). An unknown name or a failed write is an error that names `path`.
    pub fn plot_trace(&self, path: impl AsRef<Path>, vars: &[&str]) -> Result<(), Error> {
        self.plot(path.as_ref(), vars, true)
    }

    /// Writes an SVG with each chain's density estimate of every output in `vars`, one row
    /// per output; names as for [`Fit::plot_trace`].
    pub fn plot_density(&self, path: impl AsRef<Path>, vars: &[&str]) -> Result<(), Error> {
        self.plot(path.as_ref(), vars, false)
    }

    fn plot(&self, path: &Path, vars: &[&str], with_trace: bool) -> Result<(), Error> {
        let rows = self.plot_rows(vars).map_err(|e| io_error(path, e))?;
        let width = if with_trace { 1000 } else { 500 };
        let height = ROW_HEIGHT * rows.len().max(1) as u32;
        let root = SVGBackend::new(path, (width, height)).into_drawing_area();
        let drawn = (|| -> Result<(), String> {
            root.fill(&WHITE).map_err(|e| e.to_string())?;
            let cells = root.split_evenly((rows.len().max(1), if with_trace { 2 } else { 1 }));
            for (r, &index) in rows.iter().enumerate() {
                let name = &self.names()[index];
                if with_trace {
                    self.draw_trace(&cells[2 * r], name, index).map_err(|e| e.to_string())?;
                    self.draw_density(&cells[2 * r + 1], name, index).map_err(|e| e.to_string())?;
                } else {
                    self.draw_density(&cells[r], name, index).map_err(|e| e.to_string())?;
                }
            }
            root.present().map_err(|e| e.to_string())
        })();
        drawn.map_err(|why| io_error(path, std::io::Error::other(why)))
    }

    /// The output indices to draw, in the order asked for.
    fn plot_rows(&self, vars: &[&str]) -> Result<Vec<usize>, std::io::Error> {
        let mut rows = Vec::new();
        for var in vars {
            if let Some(i) = self.names().iter().position(|n| n == var) {
                rows.push(i);
                continue;
            }
            let mut first = 0;
            let mut found = false;
            for (name, dims) in self.shapes() {
                let len: usize = dims.iter().product();
                if name == var {
                    rows.extend(first..first + len);
                    found = true;
                    break;
                }
                first += len;
            }
            if !found {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("cannot plot `{var}`: the fit has no output of that name"),
                ));
            }
        }
        Ok(rows)
    }

    fn draw_trace<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        name: &str,
        index: usize,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let chains = self.variable_chains(index);
        let (lo, hi) = padded_range(chains.iter().flat_map(|c| c.iter().copied()), 0.05);
        let n = self.num_draws().max(2);
        let mut chart = ChartBuilder::on(area)
            .caption(format!("{name} (trace)"), ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(24)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..(n - 1) as f64, lo..hi)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(6)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_labels(5)
            .draw()?;
        for (c, draws) in chains.iter().enumerate() {
            let colour = CHAIN_COLOURS[c % CHAIN_COLOURS.len()];
            let points = draws.iter().enumerate().filter(|(_, y)| y.is_finite());
            chart.draw_series(LineSeries::new(
                points.map(|(i, &y)| (i as f64, y)),
                colour.mix(0.7).stroke_width(1),
            ))?;
        }
        for (c, draws) in chains.iter().enumerate() {
            let divergent = &self.stats(c).divergent;
            let marks = draws
                .iter()
                .enumerate()
                .filter(|&(i, y)| divergent[i] && y.is_finite())
                .map(|(i, &y)| Cross::new((i as f64, y), 4, BLACK.stroke_width(2)));
            chart.draw_series(marks)?;
        }
        Ok(())
    }

    fn draw_density<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        name: &str,
        index: usize,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let chains = self.variable_chains(index);
        let (lo, hi) = padded_range(chains.iter().flat_map(|c| c.iter().copied()), 0.1);
        let curves: Vec<Vec<(f64, f64)>> =
            chains.iter().map(|c| density_curve(c, lo, hi)).collect();
        let top = curves.iter().flatten().map(|p| p.1).fold(0.0, f64::max);
        let top = if top > 0.0 { top * 1.05 } else { 1.0 };
        let mut chart = ChartBuilder::on(area)
            .caption(format!("{name} (density)"), ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(24)
            .y_label_area_size(50)
            .build_cartesian_2d(lo..hi, 0.0..top)?;
        chart.configure_mesh().disable_mesh().x_labels(6).y_labels(4).draw()?;
        for (c, curve) in curves.into_iter().enumerate() {
            let colour = CHAIN_COLOURS[c % CHAIN_COLOURS.len()];
            chart.draw_series(LineSeries::new(curve, colour.stroke_width(2)))?;
        }
        Ok(())
    }
}

/// The range of the finite values, widened by `pad` of its width on each side; a unit range
/// around the value when all are equal, and (0, 1) when none is finite.
fn padded_range(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(x), hi.max(x)));
    if lo > hi {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        let w = hi - lo;
        (lo - pad * w, hi + pad * w)
    }
}

/// A Gaussian kernel density estimate of the finite `draws` on [`DENSITY_POINTS`] points
/// spanning `lo..hi`, with Silverman's rule-of-thumb bandwidth.
pub fn density_curve(draws: &[f64], lo: f64, hi: f64) -> Vec<(f64, f64)> {
    let finite: Vec<f64> = draws.iter().copied().filter(|x| x.is_finite()).collect();
    let n = finite.len();
    if n == 0 {
        return Vec::new();
    }
    let mean = finite.iter().sum::<f64>() / n as f64;
    let sd = (finite.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    let mut sorted = finite.clone();
    sorted.sort_by(f64::total_cmp);
    let iqr = sorted[(3 * n) / 4] - sorted[n / 4];
    let spread = if iqr > 0.0 { sd.min(iqr / 1.34) } else { sd };
    let bandwidth = if spread > 0.0 { 0.9 * spread * (n as f64).powf(-0.2) } else { 1e-3 };
    let norm = 1.0 / (n as f64 * bandwidth * (2.0 * std::f64::consts::PI).sqrt());
    (0..DENSITY_POINTS)
        .map(|k| {
            let x = lo + (hi - lo) * k as f64 / (DENSITY_POINTS - 1) as f64;
            let sum: f64 =
                finite.iter().map(|&d| (-0.5 * ((x - d) / bandwidth).powi(2)).exp()).sum();
            (x, norm * sum)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_integrates_to_one() {
        let draws: Vec<f64> = (0..500).map(|i| ((i * 37) % 101) as f64 / 10.0).collect();
        let curve = density_curve(&draws, -5.0, 15.0);
        let dx = curve[1].0 - curve[0].0;
        let area: f64 = curve.iter().map(|p| p.1 * dx).sum();
        assert!((area - 1.0).abs() < 0.01, "{area}");
    }

    #[test]
    fn ranges_are_padded_and_never_empty() {
        assert_eq!(padded_range([1.0, 3.0].into_iter(), 0.5), (0.0, 4.0));
        assert_eq!(padded_range([2.0, f64::NAN].into_iter(), 0.1), (1.5, 2.5));
        assert_eq!(padded_range(std::iter::empty(), 0.1), (0.0, 1.0));
    }
}
