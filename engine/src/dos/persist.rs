//! The learned baseline as a file: what a front end saves on shutdown (and
//! periodically) and loads at start, so a restart resumes detecting at once
//! instead of learning again. JSON with a format name and version; a file of
//! another version, for another feature set, or corrupt is refused with a
//! typed error (the caller logs it and starts learning — never fatal).
//!
//! Saved per site: the learned numeric baselines (rate, busiest and average
//! client rate, latency, error ratio), the feature frequency tables, and how
//! many seconds were learned. Not saved: the current window, attacks in
//! progress, blocked clients, signatures, the known-clients filter (rebuilt
//! from traffic).

use super::baseline::{Ewma, FreqTable};
use super::features::FEATURES;
use serde::{Deserialize, Serialize};

/// Names the format, so another JSON file is not mistaken for a baseline.
pub const FORMAT: &str = "palisade-dos-baseline";
/// Bumped when the saved model changes meaning.
pub const VERSION: u32 = 1;
/// Largest baseline file read.
pub const MAX_FILE_BYTES: usize = 64 << 20;

/// One site's learned baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteBaseline {
    pub site: String,
    pub learned_seconds: u64,
    pub rate: Ewma,
    pub client_peak: Ewma,
    pub client_rate: Ewma,
    pub latency: Ewma,
    pub error_ratio: Ewma,
    pub features: Vec<FreqTable>,
}

/// Every site's baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    pub format: String,
    pub version: u32,
    /// Number of categorical features per site (the model's `FEATURES`).
    pub features: usize,
    pub sites: Vec<SiteBaseline>,
}

/// Why a baseline file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaselineError {
    #[error("larger than {MAX_FILE_BYTES} bytes")]
    TooLarge,
    #[error("not a baseline file: {0}")]
    Corrupt(String),
    #[error("format `{0}` is not {FORMAT}")]
    Format(String),
    #[error("version {found}, this build reads version {VERSION}")]
    Version { found: u32 },
    #[error("site `{site}` has {found} feature tables, this build has {FEATURES}")]
    Features { site: String, found: usize },
}

impl BaselineFile {
    pub fn new(sites: Vec<SiteBaseline>) -> BaselineFile {
        BaselineFile {
            format: FORMAT.to_string(),
            version: VERSION,
            features: FEATURES,
            sites,
        }
    }

    /// The file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads and checks a file's bytes.
    pub fn decode(bytes: &[u8]) -> Result<BaselineFile, BaselineError> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(BaselineError::TooLarge);
        }
        let file: BaselineFile =
            serde_json::from_slice(bytes).map_err(|e| BaselineError::Corrupt(e.to_string()))?;
        if file.format != FORMAT {
            return Err(BaselineError::Format(file.format));
        }
        if file.version != VERSION {
            return Err(BaselineError::Version {
                found: file.version,
            });
        }
        for site in &file.sites {
            if site.features.len() != FEATURES || file.features != FEATURES {
                return Err(BaselineError::Features {
                    site: site.site.clone(),
                    found: site.features.len(),
                });
            }
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dos::{DosConfig, DosModel, RequestFeatures};
    use crate::request::RequestHead;
    use std::net::{IpAddr, Ipv4Addr};
    use std::time::Duration;

    fn learned_model() -> DosModel {
        let model = DosModel::new(DosConfig {
            enabled: true,
            learning_seconds: 10,
            ..DosConfig::default()
        });
        let head = RequestHead::new("GET", b"/shop/item")
            .with_header("Host", "shop.example")
            .with_header("User-Agent", "Mozilla/5.0");
        for second in 0..15u64 {
            for client in 0..20u32 {
                let ip = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + client));
                let f = RequestFeatures::from_head(&head, "shop.example", Some(ip));
                let _ = model.check(&f, Duration::from_millis(second * 1000 + u64::from(client)));
            }
        }
        model.tick(Duration::from_secs(15));
        model
    }

    #[test]
    fn a_saved_baseline_loads_ready() {
        let model = learned_model();
        assert!(!model.status("shop.example").unwrap().learning);
        let saved = model.snapshot();
        assert_eq!(saved.sites.len(), 1);
        let bytes = saved.encode();
        let loaded = BaselineFile::decode(&bytes).unwrap();
        // JSON keeps floats to within their last digit.
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(1.0);
        let (l, s) = (&loaded.sites[0], &saved.sites[0]);
        assert_eq!(l.learned_seconds, s.learned_seconds);
        assert!(close(l.rate.mean, s.rate.mean) && close(l.rate.var, s.rate.var));
        assert!(close(l.client_peak.mean, s.client_peak.mean));
        assert_eq!(l.features.len(), s.features.len());
        let fresh = DosModel::new(model.config().clone());
        assert_eq!(fresh.restore(loaded, Duration::from_secs(3)), 1);
        let status = fresh.status("shop.example").unwrap();
        assert!(!status.learning, "a restored site is ready");
        assert!((status.baseline_rps - 20.0).abs() < 1.0, "{status:?}");
        // The restored model saves the same baseline again.
        let again = fresh.snapshot();
        assert_eq!(
            again.encode(),
            BaselineFile::decode(&bytes).unwrap().encode()
        );
    }

    #[test]
    fn other_versions_and_garbage_are_refused() {
        let mut saved = learned_model().snapshot();
        assert!(matches!(
            BaselineFile::decode(b"{not json"),
            Err(BaselineError::Corrupt(_))
        ));
        assert!(matches!(
            BaselineFile::decode(b"{\"format\":\"x\"}"),
            Err(BaselineError::Corrupt(_))
        ));
        saved.version = VERSION + 1;
        assert_eq!(
            BaselineFile::decode(&saved.encode()),
            Err(BaselineError::Version { found: VERSION + 1 })
        );
        saved.version = VERSION;
        saved.format = "other".into();
        assert!(matches!(
            BaselineFile::decode(&saved.encode()),
            Err(BaselineError::Format(_))
        ));
        saved.format = FORMAT.into();
        saved.sites[0].features.pop();
        assert!(matches!(
            BaselineFile::decode(&saved.encode()),
            Err(BaselineError::Features { .. })
        ));
    }
}
