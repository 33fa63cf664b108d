//! The progress bar shown on a terminal while chains run: iterations done over the total of
//! all chains, warm-up and sampling counts, divergences, elapsed and remaining time.
//!
//! The chains only bump atomic counters; a separate thread reads them a few times a second
//! and draws the bar, so a transition never allocates or takes a lock for it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Whether a bar is drawn: only when asked for and when stderr is a terminal, so that logs,
/// pipes and CI output stay clean.
pub fn shows_progress(requested: bool, stderr_is_terminal: bool) -> bool {
    requested && stderr_is_terminal
}

/// Whether this process's stderr is a terminal.
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Counters the chains update after each transition.
#[derive(Debug, Default)]
pub struct Counters {
    warmup_done: AtomicUsize,
    sampling_done: AtomicUsize,
    divergent: AtomicUsize,
    finished: AtomicBool,
}

impl Counters {
    /// Records one warm-up transition.
    pub fn warmup_step(&self) {
        self.warmup_done.fetch_add(1, Ordering::Relaxed);
    }

    /// Records one sampling transition, and whether it diverged.
    pub fn sampling_step(&self, divergent: bool) {
        self.sampling_done.fetch_add(1, Ordering::Relaxed);
        if divergent {
            self.divergent.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Tells the drawing thread that the chains are done.
    pub fn finish(&self) {
        self.finished.store(true, Ordering::Release);
    }

    /// Warm-up transitions, sampling transitions and divergences after warm-up, so far.
    pub fn snapshot(&self) -> (usize, usize, usize) {
        (
            self.warmup_done.load(Ordering::Relaxed),
            self.sampling_done.load(Ordering::Relaxed),
            self.divergent.load(Ordering::Relaxed),
        )
    }
}

/// The totals the bar counts towards.
#[derive(Debug, Clone, Copy)]
pub struct Totals {
    /// Warm-up iterations over all chains.
    pub warmup: usize,
    /// Sampling iterations over all chains.
    pub sampling: usize,
}

/// The line after the bar: which phase is running and what has gone wrong so far.
pub fn message(totals: Totals, warmup: usize, sampling: usize, divergent: usize) -> String {
    let phase = if sampling >= totals.sampling {
        "done"
    } else if warmup < totals.warmup {
        "warm-up"
    } else {
        "sampling"
    };
    format!(
        "{phase}: warm-up {warmup}/{}, sampling {sampling}/{}, {divergent} divergent",
        totals.warmup, totals.sampling
    )
}

/// Draws the bar on stderr until [`Counters::finish`] is called; run it on its own thread.
pub fn draw_until_finished(counters: &Counters, totals: Totals) {
    let bar = ProgressBar::with_draw_target(
        Some((totals.warmup + totals.sampling) as u64),
        ProgressDrawTarget::stderr(),
    );
    let style = ProgressStyle::with_template(
        "{elapsed_precise} [{bar:30.cyan/blue}] {pos}/{len} iterations, {eta} left  {msg}",
    );
    if let Ok(style) = style {
        bar.set_style(style.progress_chars("=> "));
    }
    loop {
        let finished = counters.finished.load(Ordering::Acquire);
        let (warmup, sampling, divergent) = counters.snapshot();
        bar.set_position((warmup + sampling) as u64);
        bar.set_message(message(totals, warmup, sampling, divergent));
        if finished {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.finish();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_only_when_asked_for_and_on_a_terminal() {
        assert!(shows_progress(true, true));
        assert!(!shows_progress(true, false));
        assert!(!shows_progress(false, true));
        assert!(!shows_progress(false, false));
    }

    #[test]
    fn counters_and_message() {
        let c = Counters::default();
        let totals = Totals { warmup: 2, sampling: 4 };
        c.warmup_step();
        assert_eq!(message(totals, 1, 0, 0), "warm-up: warm-up 1/2, sampling 0/4, 0 divergent");
        c.warmup_step();
        c.sampling_step(true);
        c.sampling_step(false);
        assert_eq!(c.snapshot(), (2, 2, 1));
        let (w, s, d) = c.snapshot();
        assert_eq!(message(totals, w, s, d), "sampling: warm-up 2/2, sampling 2/4, 1 divergent");
        assert_eq!(message(totals, 2, 4, 1), "done: warm-up 2/2, sampling 4/4, 1 divergent");
    }
}
