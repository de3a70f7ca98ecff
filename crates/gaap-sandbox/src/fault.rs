//! Fault injection: added latency, 5xx, connection reset and 429, each at a rate, from the config or from the
//! `Sandbox-Fault` request header (`latency=200ms:0.5,5xx=0.2,reset=0.1,429=0.1`).

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The request header that adds faults to one request.
pub const FAULT_HEADER: &str = "sandbox-fault";

/// Fault rates; each rate is a probability from 0 to 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Extra latency added to a request, in milliseconds.
    pub latency_ms: u64,
    /// How often the latency is added.
    pub latency_rate: f64,
    /// How often a 5xx (503) is answered.
    pub error_rate: f64,
    /// How often the connection is reset.
    pub reset_rate: f64,
    /// How often a 429 is answered, in the service's own envelope.
    pub rate_limit_rate: f64,
}

impl FaultConfig {
    /// True when no fault can fire.
    #[must_use]
    pub fn is_off(&self) -> bool {
        !(self.latency_rate > 0.0
            || self.error_rate > 0.0
            || self.reset_rate > 0.0
            || self.rate_limit_rate > 0.0)
    }

    /// Parses the header form, `latency=200ms:0.5,5xx=0.2,reset=0.1,429=0.1`.
    ///
    /// # Errors
    /// A message naming the part that did not parse.
    pub fn parse_header(value: &str) -> Result<Self, String> {
        let mut out = Self::default();
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, arg) =
                part.split_once('=').ok_or_else(|| format!("expected name=value in {part:?}"))?;
            match name.trim() {
                "latency" => {
                    let (ms, rate) = arg.split_once(':').unwrap_or((arg, "1"));
                    let ms = ms.trim().trim_end_matches("ms");
                    out.latency_ms = ms.parse().map_err(|_| format!("bad latency {ms:?}"))?;
                    out.latency_rate = parse_rate(rate)?;
                }
                "5xx" => out.error_rate = parse_rate(arg)?,
                "reset" => out.reset_rate = parse_rate(arg)?,
                "429" => out.rate_limit_rate = parse_rate(arg)?,
                other => return Err(format!("unknown fault {other:?}")),
            }
        }
        Ok(out)
    }

    /// The larger of each rate (config plus header).
    #[must_use]
    pub fn merge(self, other: Self) -> Self {
        Self {
            latency_ms: self.latency_ms.max(other.latency_ms),
            latency_rate: self.latency_rate.max(other.latency_rate),
            error_rate: self.error_rate.max(other.error_rate),
            reset_rate: self.reset_rate.max(other.reset_rate),
            rate_limit_rate: self.rate_limit_rate.max(other.rate_limit_rate),
        }
    }

    /// Draws the faults for one request.
    pub(crate) fn draw(&self) -> Draw {
        let roll = |rate: f64| rate > 0.0 && rand::random::<f64>() < rate;
        let latency = roll(self.latency_rate).then(|| Duration::from_millis(self.latency_ms));
        let kind = if roll(self.reset_rate) {
            Some(FaultKind::Reset { after_handler: rand::random() })
        } else if roll(self.error_rate) {
            Some(FaultKind::ServerError { after_handler: rand::random() })
        } else if roll(self.rate_limit_rate) {
            Some(FaultKind::TooManyRequests)
        } else {
            None
        };
        Draw { latency, kind }
    }
}

fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text.trim().parse().map_err(|_| format!("bad rate {text:?}"))?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!("rate {rate} is not between 0 and 1"))
    }
}

/// What one request suffers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Draw {
    pub(crate) latency: Option<Duration>,
    pub(crate) kind: Option<FaultKind>,
}

/// A fault that replaces the answer. `after_handler` faults run the request first, so the client cannot
/// tell whether it took effect (the case idempotency keys exist for).
#[derive(Debug, Clone, Copy)]
pub(crate) enum FaultKind {
    Reset { after_handler: bool },
    ServerError { after_handler: bool },
    TooManyRequests,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_header_form() {
        let f = FaultConfig::parse_header("latency=200ms:0.5, 5xx=0.2,reset=0.1,429=1").unwrap();
        assert_eq!(f.latency_ms, 200);
        assert!((f.latency_rate - 0.5).abs() < f64::EPSILON);
        assert!((f.error_rate - 0.2).abs() < f64::EPSILON);
        assert!((f.reset_rate - 0.1).abs() < f64::EPSILON);
        assert!((f.rate_limit_rate - 1.0).abs() < f64::EPSILON);
    }

    #[test]
    fn rejects_bad_rates_and_names() {
        assert!(FaultConfig::parse_header("5xx=2").is_err());
        assert!(FaultConfig::parse_header("boom=0.1").is_err());
        assert!(FaultConfig::parse_header("reset").is_err());
    }

    #[test]
    fn certain_faults_always_fire() {
        let f = FaultConfig { rate_limit_rate: 1.0, ..FaultConfig::default() };
        assert!(matches!(f.draw().kind, Some(FaultKind::TooManyRequests)));
        assert!(FaultConfig::default().draw().kind.is_none());
    }
}
