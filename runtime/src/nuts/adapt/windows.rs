//! The warm-up schedule of Stan's windowed adaptation (`windowed_adaptation`; Stan reference
//! manual, "Automatic parameter tuning"): a fast initial buffer, slow windows that double in
//! length, and a fast terminal buffer.

/// Where the metric windows of warm-up start and end.
#[derive(Debug, Clone)]
pub(crate) struct Windows {
    num_warmup: i64,
    init_buffer: i64,
    term_buffer: i64,
    base_window: i64,
    counter: i64,
    window_size: i64,
    next_window_end: i64,
}

impl Windows {
    /// The schedule for `num_warmup` iterations. With fewer than 20 there is no metric
    /// adaptation; when the three stages do not fit they are cut to 15% / 75% / 10%.
    pub fn new(
        num_warmup: usize,
        init_buffer: usize,
        term_buffer: usize,
        base_window: usize,
    ) -> Self {
        let (n, init, term, base) =
            (num_warmup as i64, init_buffer as i64, term_buffer as i64, base_window as i64);
        let (num_warmup, init_buffer, term_buffer, base_window) = if n < 20 {
            (0, 0, 0, 0)
        } else if init + base + term > n {
            let init = (0.15 * n as f64) as i64;
            let term = (0.10 * n as f64) as i64;
            (n, init, term, n - (init + term))
        } else {
            (n, init, term, base)
        };
        // Stan leaves the window state unset in the shortened case, which would disable metric
        // adaptation altogether; the schedule it reports (one 75% window) is the one used here.
        let mut w = Windows {
            num_warmup,
            init_buffer,
            term_buffer,
            base_window,
            counter: 0,
            window_size: 0,
            next_window_end: 0,
        };
        w.restart();
        w
    }

    fn restart(&mut self) {
        self.counter = 0;
        self.window_size = self.base_window;
        self.next_window_end = self.init_buffer + self.window_size - 1;
    }

    /// Whether the current iteration's draw feeds the variance estimate.
    pub fn in_window(&self) -> bool {
        self.counter >= self.init_buffer
            && self.counter < self.num_warmup - self.term_buffer
            && self.counter != self.num_warmup
    }

    /// Whether the current iteration closes a window.
    pub fn is_window_end(&self) -> bool {
        self.counter == self.next_window_end && self.counter != self.num_warmup
    }

    /// Moves to the next window after one has closed; the last window is stretched to the
    /// terminal buffer when the one after it would not fit.
    pub fn compute_next_window(&mut self) {
        let last_end = self.num_warmup - self.term_buffer - 1;
        if self.next_window_end == last_end {
            return;
        }
        self.window_size *= 2;
        self.next_window_end = self.counter + self.window_size;
        if self.next_window_end == last_end {
            return;
        }
        if self.next_window_end + 2 * self.window_size >= self.num_warmup - self.term_buffer {
            self.next_window_end = last_end;
        }
    }

    /// Counts one warm-up iteration.
    pub fn advance(&mut self) {
        self.counter += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window_ends(num_warmup: usize) -> Vec<usize> {
        let mut w = Windows::new(num_warmup, 75, 50, 25);
        let mut ends = Vec::new();
        for i in 0..num_warmup {
            if w.is_window_end() {
                w.compute_next_window();
                ends.push(i);
            }
            w.advance();
        }
        ends
    }

    #[test]
    fn default_schedule_matches_stan() {
        // Stan's 1000-iteration warm-up: windows of 25, 50, 100, 200 and a stretched 500.
        assert_eq!(window_ends(1000), vec![99, 149, 249, 449, 949]);
    }

    #[test]
    fn short_warmup_uses_one_window_and_tiny_warmup_none() {
        // 100 iterations: init 15, window 75, term 10.
        assert_eq!(window_ends(100), vec![89]);
        assert_eq!(window_ends(19), Vec::<usize>::new());
    }
}
