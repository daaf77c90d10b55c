//! The shared GCRA: one Lua script that Redis runs atomically, deciding a
//! request's charges in order and stopping at the first refusal — the same
//! algorithm and order as the engine's local limiter
//! (`palisade_engine::ratelimit`), with Redis's clock, so every instance of
//! a fleet reads one time and one theoretical arrival time (TAT) per key.
//!
//! Each key holds its TAT in microseconds of Redis time and expires when the
//! TAT passes (the key then means nothing more than a new key would), so
//! Redis memory is bounded by the keys active within one limit's horizon
//! (`period / requests * burst`).

use crate::shared_limits::resp::Reply;
use palisade_engine::ratelimit::{Charge, Decision};
use std::time::Duration;

/// KEYS: one per charge. ARGV: interval and burst tolerance in microseconds,
/// two per charge. Returns `{refused charge (1-based, 0 when none), retry
/// after in microseconds}`.
pub const SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local tolerance = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '')
  if tat == nil or tat < now then
    tat = now
  end
  local earliest = tat - tolerance
  if now < earliest then
    return {i, earliest - now}
  end
  local nxt = tat + interval
  redis.call('SET', KEYS[i], string.format('%.0f', nxt), 'PX', math.ceil((nxt - now) / 1000))
end
return {0, 0}
"#;

/// The Redis key of a charge: prefix, limit name, client key.
pub fn key(prefix: &str, charge: &Charge) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + charge.limit.len() + charge.key.len() + 1);
    k.extend_from_slice(prefix.as_bytes());
    k.extend_from_slice(charge.limit.as_bytes());
    k.push(b':');
    k.extend_from_slice(&charge.key);
    k
}

fn micros(d: Duration) -> String {
    d.as_micros().max(1).to_string()
}

/// `numkeys KEYS... ARGV...` for EVAL / EVALSHA.
pub fn arguments(prefix: &str, charges: &[Charge]) -> Vec<Vec<u8>> {
    let mut args = Vec::with_capacity(1 + charges.len() * 3);
    args.push(charges.len().to_string().into_bytes());
    for c in charges {
        args.push(key(prefix, c));
    }
    for c in charges {
        args.push(micros(c.quota.interval).into_bytes());
        args.push(c.quota.tolerance().as_micros().to_string().into_bytes());
    }
    args
}

/// The decisions for `charges` from the script's reply: every charge before
/// the refused one allowed, the refused one limited, none after it (they were
/// not charged, and admission stops at the refusal).
pub fn decisions(charges: &[Charge], reply: &Reply) -> Option<Vec<(String, Decision)>> {
    let Reply::Array(Some(items)) = reply else {
        return None;
    };
    let (Some(Reply::Int(refused)), Some(Reply::Int(retry))) = (items.first(), items.get(1)) else {
        return None;
    };
    let refused = usize::try_from(*refused).ok()?;
    let mut out = Vec::with_capacity(charges.len());
    for (i, c) in charges.iter().enumerate() {
        if i + 1 == refused {
            let retry_after = Duration::from_micros(u64::try_from(*retry).unwrap_or(1).max(1));
            out.push((c.limit.clone(), Decision::Limited { retry_after }));
            return Some(out);
        }
        out.push((c.limit.clone(), Decision::Allowed));
    }
    (refused == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_engine::ratelimit::Quota;

    fn charge(limit: &str) -> Charge {
        Charge {
            limit: limit.into(),
            key: b"10.0.0.1\x1f".to_vec(),
            quota: Quota::new(10, Duration::from_secs(10), 10).unwrap(),
        }
    }

    #[test]
    fn arguments_and_keys() {
        let args = arguments("p:", &[charge("a"), charge("b")]);
        assert_eq!(args[0], b"2");
        assert_eq!(args[1], b"p:a:10.0.0.1\x1f");
        assert_eq!(args[3], b"1000000");
        assert_eq!(args[4], b"9000000");
    }

    #[test]
    fn decisions_stop_at_the_refusal() {
        let charges = [charge("a"), charge("b"), charge("c")];
        let all = Reply::Array(Some(vec![Reply::Int(0), Reply::Int(0)]));
        assert_eq!(decisions(&charges, &all).unwrap().len(), 3);
        let second = Reply::Array(Some(vec![Reply::Int(2), Reply::Int(1_500_000)]));
        let d = decisions(&charges, &second).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].1, Decision::Allowed);
        assert_eq!(
            d[1].1,
            Decision::Limited {
                retry_after: Duration::from_millis(1500)
            }
        );
        assert!(decisions(&charges, &Reply::Int(1)).is_none());
        let beyond = Reply::Array(Some(vec![Reply::Int(9), Reply::Int(1)]));
        assert!(decisions(&charges, &beyond).is_none());
    }
}
