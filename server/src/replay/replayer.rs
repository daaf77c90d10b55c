//! Driving the engine with captured traffic: one [`Inspector`] (same policy
//! and signatures as the live modes) on a virtual clock set to each
//! exchange's capture time, so rate limits and the DoS model run in capture
//! time. The clock never moves backwards: an exchange captured earlier than
//! the last one is inspected at the latest time seen.

use palisade_engine::clock::{Clock, ManualClock};
use palisade_engine::dos::DosEvent;
use palisade_engine::{Inspector, Verdict};
use palisade_replay::exchange::{Exchange, Micros};
use std::sync::Arc;
use std::time::Duration;

/// What the engine said about one exchange.
pub struct Outcome {
    pub verdict: Verdict,
    /// DoS events that became due up to this exchange's time.
    pub dos_events: Vec<DosEvent>,
}

/// The engine and its capture-time clock.
pub struct Replayer {
    inspector: Inspector,
    clock: Arc<ManualClock>,
    /// Latest capture time seen, in microseconds since the epoch.
    now: Option<Micros>,
}

fn duration_of(micros: Micros) -> Duration {
    Duration::from_micros(u64::try_from(micros).unwrap_or(0))
}

impl Replayer {
    /// Wraps an inspector built like the live modes' (see `engine_setup`).
    pub fn new(inspector: Inspector) -> Replayer {
        let clock = Arc::new(ManualClock::default());
        let shared: Arc<dyn Clock> = clock.clone();
        Replayer {
            inspector: inspector.with_clock(shared),
            clock,
            now: None,
        }
    }

    pub fn inspector(&self) -> &Inspector {
        &self.inspector
    }

    /// Moves the clock to `time` unless that would move it backwards.
    fn advance_to(&mut self, time: Micros) {
        let next = self.now.map_or(time, |now| now.max(time));
        self.now = Some(next);
        self.clock.set(duration_of(next));
    }

    /// Inspects one exchange at its capture time and feeds its response (status
    /// and latency) back to the DoS model.
    pub fn replay(&mut self, exchange: &Exchange) -> Outcome {
        self.advance_to(exchange.time);
        let verdict = self.inspector.inspect(&exchange.head, &exchange.body);
        if let Some(response) = &exchange.response {
            let latency = duration_of(response.time.saturating_sub(exchange.time));
            self.inspector
                .observe_response(&exchange.head, response.status, latency);
        }
        Outcome {
            verdict,
            dos_events: self.inspector.drain_dos_events(),
        }
    }

    /// Closes the DoS model's open per-second windows after the last request
    /// and returns the events that produces.
    pub fn finish(&mut self) -> Vec<DosEvent> {
        if let (Some(now), Some(model)) = (self.now, self.inspector.policy().dos.as_ref()) {
            model.tick(duration_of(now.saturating_add(1_000_000)));
        }
        self.inspector.drain_dos_events()
    }
}
