//! "applying n/N file" on stderr while files apply: rewritten in place on a terminal; on
//! anything else (a CI log) one line every few seconds, so a long apply shows it is alive
//! without flooding the log with a line per file.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// On a log, at most one line this often.
pub const LOG_EVERY: Duration = Duration::from_secs(5);

pub struct Progress {
    total: usize,
    terminal: bool,
    /// When the last log line was written (or the apply started).
    last: Instant,
}

impl Progress {
    pub fn new(total: usize) -> Progress {
        Progress {
            total,
            terminal: std::io::stderr().is_terminal(),
            last: Instant::now(),
        }
    }

    /// File `index` (from 0) starts applying.
    pub fn file(&mut self, index: usize, path: &str) {
        let line = format!(
            "applying {}/{} {}",
            index + 1,
            self.total,
            crate::report::escape::terminal_line(path)
        );
        if self.terminal {
            eprint!("\r\x1b[2K{line}");
        } else if self.log_due(Instant::now()) {
            eprintln!("{line}");
        }
    }

    /// Is a log line due at `now`? Records it when it is.
    fn log_due(&mut self, now: Instant) -> bool {
        let due = now.duration_since(self.last) >= LOG_EVERY;
        if due {
            self.last = now;
        }
        due
    }

    /// Clears the terminal line.
    pub fn finish(&self) {
        if self.terminal {
            eprint!("\r\x1b[2K");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_gets_one_line_every_few_seconds() {
        let mut progress = Progress {
            total: 3,
            terminal: false,
            last: Instant::now(),
        };
        let start = progress.last;
        assert!(
            !progress.log_due(start + Duration::from_secs(1)),
            "a short apply says nothing"
        );
        assert!(progress.log_due(start + LOG_EVERY));
        assert!(!progress.log_due(start + LOG_EVERY + Duration::from_secs(1)));
        assert!(progress.log_due(start + LOG_EVERY * 2));
    }
}
