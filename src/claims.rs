//! JWT claims: what `sign` puts in a token and what `verify` demands of one.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value};

use crate::clock::{self, Time};
use crate::error::Reject;
use crate::strict;

/// A time claim `sign` sets: at a fixed time (`--exp TIME`), or a span
/// after the time of signing (`--ttl`, `--nbf DURATION`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    At(Time),
    After(Duration),
}

impl When {
    pub fn at(self, now: Time) -> Result<Time> {
        match self {
            When::At(t) => Ok(t),
            When::After(d) => clock::add(now, d),
        }
    }
}

impl Default for When {
    fn default() -> Self {
        When::After(Duration::ZERO)
    }
}

/// The claims of a token `sign` makes, in order, each value kept as its
/// compact JSON text: a claim is carried into the token, never looked into
/// (but for nbf), and a tree of a large one would cost many times its size.
/// Serialized as a JSON object, it is the text a `Map` of the same values
/// serializes to.
#[derive(Clone, Debug, Default)]
pub struct Claims(Vec<(String, Box<RawValue>)>);

impl Claims {
    pub fn get(&self, name: &str) -> Option<&RawValue> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| &**v)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets a claim; one already there keeps its place, as in a `Map`.
    pub fn insert(&mut self, name: &str, value: Box<RawValue>) {
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some((_, old)) => *old = value,
            None => self.0.push((name.to_owned(), value)),
        }
    }

    /// Sets a claim to `value` serialized.
    pub fn set(&mut self, name: &str, value: impl Serialize) -> Result<()> {
        self.insert(name, serde_json::value::to_raw_value(&value)?);
        Ok(())
    }
}

impl Serialize for Claims {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// The claims `sign` was asked for, before the clock is read.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// `--claims`, merged first so that flags win.
    pub base: Claims,
    pub sub: Option<String>,
    pub iss: Option<String>,
    pub aud: Vec<String>,
    /// `--iat TIME`; the time of signing when absent.
    pub iat: Option<Time>,
    /// `--exp TIME` or `--ttl`.
    pub exp: When,
    pub nbf: Option<When>,
    /// `--claim NAME=VALUE`, in order.
    pub extra: Vec<(String, Box<RawValue>)>,
}

/// The registered claims `sign` computes itself, in the order notes name them.
const COMPUTED: [&str; 4] = ["iat", "exp", "nbf", "jti"];

impl Request {
    /// The registered claims that `sign` sets and that `--claims` or
    /// `--claim` also gave: theirs are replaced. `jti`: whether `sign`
    /// adds a random one.
    pub fn overridden(&self, jti: bool) -> Vec<&'static str> {
        let given =
            |name: &str| self.base.contains_key(name) || self.extra.iter().any(|(n, _)| n == name);
        COMPUTED
            .into_iter()
            .filter(|&name| match name {
                "nbf" => self.nbf.is_some(),
                "jti" => jti,
                _ => true,
            })
            .filter(|name| given(name))
            .collect()
    }

    /// The claims of one token signed at `now`; `iat` and `exp` always come
    /// from the clock and the flags, so `--claims` cannot outlive the
    /// store's max token lifetime.
    /// `base` is taken: the one copy of a large `--claims` is the token's.
    pub fn build(&mut self, now: Time) -> Result<Claims> {
        let mut claims = std::mem::take(&mut self.base);
        for (name, value) in &self.extra {
            claims.insert(name, value.clone());
        }
        if let Some(sub) = &self.sub {
            claims.set("sub", sub)?;
        }
        if let Some(iss) = &self.iss {
            claims.set("iss", iss)?;
        }
        match self.aud.as_slice() {
            [] => {}
            [one] => claims.set("aud", one)?,
            many => claims.set("aud", many)?,
        }
        let iat = clock::unix_secs(self.iat.unwrap_or(now));
        claims.set("iat", iat)?;
        let exp = clock::unix_secs(self.exp.at(now)?);
        claims.set("exp", exp)?;
        if let Some(nbf) = self.nbf {
            claims.set("nbf", clock::unix_secs(nbf.at(now)?))?;
        }
        // Valid from nbf on, expired from exp on: nbf at or after exp makes
        // a token that no verifier ever accepts. (Not a number: no f64.)
        if let Some(nbf) = claims
            .get("nbf")
            .and_then(|v| serde_json::from_str::<f64>(v.get()).ok())
            && nbf >= exp as f64
        {
            bail!(
                "nbf {} ({}) is not before exp {} ({}): such a token is never valid (choose an earlier --nbf, or a later --exp or a longer --ttl)",
                show_secs(nbf),
                self.nbf_origin(),
                show_secs(exp as f64),
                self.exp_origin()
            );
        }
        Ok(claims)
    }

    fn nbf_origin(&self) -> String {
        match self.nbf {
            Some(When::At(_)) => "--nbf".into(),
            Some(When::After(d)) => format!("now + {}", clock::show_duration(d)),
            None => "from --claim/--claims".into(),
        }
    }

    fn exp_origin(&self) -> String {
        match self.exp {
            When::At(_) => "--exp".into(),
            When::After(d) => format!("now + {}", clock::show_duration(d)),
        }
    }
}

/// A NumericDate for a message: its time when it has one.
fn show_secs(secs: f64) -> String {
    clock::from_unix(secs).map_or_else(|| secs.to_string(), clock::format)
}

/// Parses `--claim NAME=VALUE`: VALUE is JSON when it parses as JSON.
pub fn parse_claim(arg: &str) -> Result<(String, Box<RawValue>)> {
    let Some((name, value)) = arg.split_once('=') else {
        bail!("--claim {arg:?} has no '=' (write NAME=VALUE, like role=admin or n=3)");
    };
    if name.is_empty() {
        bail!("--claim {arg:?} has an empty NAME (write NAME=VALUE)");
    }
    let value = match strict::compact(value.as_bytes()) {
        Ok(value) => value,
        // Valid JSON but for a repeated name: which value was meant? (The
        // strict reader stops at the name, before any later syntax error
        // that makes VALUE a string after all.)
        Err(e) if e.is_data() && serde_json::from_str::<serde::de::IgnoredAny>(value).is_ok() => {
            bail!("--claim {name}: {e} (keep one of them)")
        }
        Err(_) => serde_json::value::to_raw_value(value)?,
    };
    Ok((name.to_owned(), value))
}

/// Parses the text of `--claims` (already read from a file or stdin). A
/// member name given twice is refused, as in tokens and the store: signing
/// the last one would sign what one reader of the text does not see.
pub fn parse_claims_object(text: &str, origin: &str) -> Result<Claims> {
    let value = match strict::compact(text.as_bytes()) {
        Ok(value) => value,
        Err(e) if e.is_data() => bail!("{origin}: {e} (keep one of them)"),
        Err(e) => return Err(e).with_context(|| format!("{origin}: not valid JSON")),
    };
    if !value.get().starts_with('{') {
        bail!("{origin}: claims must be a JSON object like {{\"role\":\"admin\"}}");
    }
    // The members of compact text with no name twice: each value's text is
    // already what the token carries.
    Ok(serde_json::from_str::<Claims>(value.get())?)
}

/// Read from a JSON object, in order, each value as its text: from compact
/// text with no name twice ([`strict::compact`]) it is that object.
impl<'de> serde::Deserialize<'de> for Claims {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Claims, D::Error> {
        strict::RawMembers::deserialize(d).map(|members| Claims(members.0))
    }
}

/// What `verify` checks in the claims of a token whose signature is good.
#[derive(Clone, Debug)]
pub struct Checks {
    pub leeway: Duration,
    pub require_exp: bool,
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub aud: Vec<String>,
    pub require: Vec<String>,
}

impl Default for Checks {
    fn default() -> Self {
        Checks {
            leeway: Duration::from_secs(60),
            require_exp: true,
            iss: None,
            sub: None,
            aud: Vec::new(),
            require: Vec::new(),
        }
    }
}

impl Checks {
    pub fn check(&self, claims: &Map<String, Value>, now: Time) -> Result<(), Reject> {
        // Types first: a claim of the wrong type is never "just absent".
        for name in ["exp", "nbf", "iat"] {
            if claims.get(name).is_some_and(|v| !v.is_number()) {
                return Err(Reject::InvalidClaim(name.into()));
            }
        }
        for name in ["iss", "sub", "jti"] {
            if claims.get(name).is_some_and(|v| !v.is_string()) {
                return Err(Reject::InvalidClaim(name.into()));
            }
        }
        let audiences = audiences(claims.get("aud"))?;

        let now = now.unix_timestamp_nanos();
        let leeway = i128::try_from(self.leeway.as_nanos()).unwrap_or(i128::MAX);
        match claims.get("exp") {
            // RFC 7519 §4.1.4: expired "on or after" exp.
            Some(Value::Number(exp)) if !after(exp, now.saturating_sub(leeway)) => {
                return Err(Reject::Expired);
            }
            Some(_) => {}
            None if self.require_exp => return Err(Reject::MissingClaim("exp".into())),
            None => {}
        }
        // Valid from nbf on: not yet valid only while now is before it.
        if let Some(Value::Number(nbf)) = claims.get("nbf")
            && after(nbf, now.saturating_add(leeway))
        {
            return Err(Reject::NotYetValid);
        }
        expect(claims, "iss", self.iss.as_deref(), Reject::Issuer)?;
        expect(claims, "sub", self.sub.as_deref(), Reject::Subject)?;
        match audiences {
            None if !self.aud.is_empty() => return Err(Reject::MissingClaim("aud".into())),
            None => {}
            // RFC 7519 §4.1.3: a token meant for an audience is rejected by
            // a verifier that does not identify itself with one of them.
            Some(list) if !list.iter().any(|a| self.aud.iter().any(|want| want == a)) => {
                return Err(Reject::Audience);
            }
            Some(_) => {}
        }
        for name in &self.require {
            if !claims.contains_key(name) {
                return Err(Reject::MissingClaim(name.clone()));
            }
        }
        Ok(())
    }
}

/// Whether NumericDate `date` is later than `nanos` (Unix nanoseconds),
/// compared exactly. Whole seconds are integers on both sides. A fraction
/// reached jwkctl as the double nearest to its JSON text (serde_json's
/// `float_roundtrip`), so `nanos` is written as decimal seconds and turned
/// into the double nearest to it: a date equal to that time is the same
/// double, where float arithmetic on the clock (nanoseconds / 1e9, plus the
/// leeway) could land a step either side.
fn after(date: &Number, nanos: i128) -> bool {
    const NANOS: i128 = 1_000_000_000;
    if let Some(secs) = date.as_i64() {
        return i128::from(secs) * NANOS > nanos;
    }
    if let Some(secs) = date.as_u64() {
        return i128::from(secs) * NANOS > nanos;
    }
    let Some(date) = date.as_f64() else {
        return false;
    };
    let sign = if nanos < 0 { "-" } else { "" };
    let abs = nanos.unsigned_abs();
    let text = format!("{sign}{}.{:09}", abs / 1_000_000_000, abs % 1_000_000_000);
    let boundary = text.parse::<f64>().unwrap_or(nanos as f64 / 1e9);
    date > boundary
}

fn expect(
    claims: &Map<String, Value>,
    name: &str,
    want: Option<&str>,
    mismatch: Reject,
) -> Result<(), Reject> {
    let Some(want) = want else { return Ok(()) };
    match claims.get(name).and_then(Value::as_str) {
        None => Err(Reject::MissingClaim(name.into())),
        Some(have) if have == want => Ok(()),
        Some(_) => Err(mismatch),
    }
}

/// `aud` as a list: a string is one audience, an array of strings many.
fn audiences(aud: Option<&Value>) -> Result<Option<Vec<&str>>, Reject> {
    let invalid = || Reject::InvalidClaim("aud".into());
    match aud {
        None => Ok(None),
        Some(Value::String(one)) => Ok(Some(vec![one.as_str()])),
        Some(Value::Array(many)) => many
            .iter()
            .map(|v| v.as_str().ok_or_else(invalid))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> Time {
        clock::parse_time("1000000").unwrap()
    }

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn base(v: Value) -> Claims {
        parse_claims_object(&v.to_string(), "test").unwrap()
    }

    fn raw(v: Value) -> Box<RawValue> {
        serde_json::value::to_raw_value(&v).unwrap()
    }

    #[test]
    fn flags_win_over_claims_and_clock_sets_times() {
        let mut req = Request {
            base: base(json!({"sub": "base", "role": "x", "exp": 1, "iat": 2})),
            sub: Some("flag".into()),
            aud: vec!["a".into(), "b".into()],
            extra: vec![("role".into(), raw(json!(["admin"])))],
            nbf: Some(When::After(Duration::from_secs(10))),
            exp: When::After(Duration::from_secs(900)),
            ..Request::default()
        };
        assert_eq!(req.overridden(false), ["iat", "exp"]);
        let built = req.build(now()).unwrap();
        // In the order of a Map that got the same inserts.
        assert_eq!(
            serde_json::to_string(&built).unwrap(),
            r#"{"sub":"flag","role":["admin"],"exp":1000900,"iat":1000000,"aud":["a","b"],"nbf":1000010}"#
        );
    }

    #[test]
    fn fixed_times_and_what_they_override() {
        let at = |secs: &str| clock::parse_time(secs).unwrap();
        let mut req = Request {
            base: base(json!({"nbf": 5, "jti": "mine"})),
            extra: vec![("exp".into(), raw(json!(1)))],
            iat: Some(at("900000")),
            exp: When::At(at("999999")),
            nbf: Some(When::At(at("999000"))),
            ..Request::default()
        };
        assert_eq!(req.overridden(true), ["exp", "nbf", "jti"]);
        assert_eq!(req.overridden(false), ["exp", "nbf"]);
        let without_nbf = Request {
            nbf: None,
            ..req.clone()
        };
        assert_eq!(without_nbf.overridden(false), ["exp"]);
        assert_eq!(
            serde_json::to_value(req.build(now()).unwrap()).unwrap(),
            json!({"nbf": 999000, "jti": "mine", "exp": 999999, "iat": 900000})
        );
    }

    #[test]
    fn claim_values_are_json_when_they_parse() {
        let value = |arg: &str| parse_claim(arg).unwrap().1.get().to_owned();
        assert_eq!(parse_claim("n=3").unwrap().0, "n");
        assert_eq!(value("n=3"), "3");
        assert_eq!(value("s=abc"), r#""abc""#);
        assert_eq!(value("o={ \"a\" : true }"), r#"{"a":true}"#);
        assert_eq!(value("e="), r#""""#);
        assert_eq!(value("eq=a=b"), r#""a=b""#);
        assert!(parse_claim("novalue").is_err());
        assert!(parse_claim("=v").is_err());
    }

    #[test]
    fn time_claims_and_leeway_boundaries() {
        let checks = Checks::default();
        let t = 1_000_000.0;
        let at = |exp: f64| checks.check(&claims(json!({"exp": exp})), now());
        assert_eq!(at(t - 60.0), Err(Reject::Expired));
        assert_eq!(at(t - 59.5), Ok(()));
        let strict = Checks {
            leeway: Duration::ZERO,
            ..Checks::default()
        };
        assert_eq!(
            strict.check(&claims(json!({"exp": t})), now()),
            Err(Reject::Expired)
        );
        assert_eq!(
            strict.check(&claims(json!({"exp": t + 0.25, "nbf": t})), now()),
            Ok(())
        );
        assert_eq!(
            strict.check(&claims(json!({"exp": t + 9.0, "nbf": t + 0.5})), now()),
            Err(Reject::NotYetValid)
        );
        assert_eq!(
            checks.check(&claims(json!({})), now()),
            Err(Reject::MissingClaim("exp".into()))
        );
        assert_eq!(
            checks.check(&claims(json!({"exp": "2000000"})), now()),
            Err(Reject::InvalidClaim("exp".into()))
        );
        let lax = Checks {
            require_exp: false,
            ..Checks::default()
        };
        assert_eq!(lax.check(&claims(json!({})), now()), Ok(()));
    }

    #[test]
    fn fractional_dates_at_the_boundary_compare_exactly() {
        let now = clock::parse_time("1767323045.123456789").unwrap();
        let strict = Checks {
            leeway: Duration::ZERO,
            ..Checks::default()
        };
        let parse = |text: &str| -> Map<String, Value> { serde_json::from_str(text).unwrap() };
        // exp equal to now is expired; nbf equal to now is valid.
        assert_eq!(
            strict.check(&parse(r#"{"exp": 1767323045.123456789}"#), now),
            Err(Reject::Expired)
        );
        assert_eq!(
            strict.check(
                &parse(r#"{"exp": 1767326645.5, "nbf": 1767323045.123456789}"#),
                now
            ),
            Ok(())
        );
        // However the number is written, and where float nanoseconds would
        // be a step early (1767323045.25 s is 1767323045249999872 ns).
        let quarter = clock::parse_time("1767323045.25").unwrap();
        for exp in ["1767323045.25", "1767323045.250000", "176732304525e-2"] {
            let claims = parse(&format!(r#"{{"exp": {exp}}}"#));
            assert_eq!(
                strict.check(&claims, quarter),
                Err(Reject::Expired),
                "{exp}"
            );
        }
        // The same with the default leeway of 60 s on either side.
        let checks = Checks::default();
        assert_eq!(
            checks.check(&parse(r#"{"exp": 1767322985.123456789}"#), now),
            Err(Reject::Expired)
        );
        assert_eq!(
            checks.check(
                &parse(r#"{"exp": 1767326645.5, "nbf": 1767323105.123456789}"#),
                now
            ),
            Ok(())
        );
        // A step past the boundary is past it.
        assert_eq!(
            strict.check(&parse(r#"{"exp": 1767323045.1234572}"#), now),
            Ok(())
        );
        assert_eq!(
            strict.check(
                &parse(r#"{"exp": 1767326645, "nbf": 1767323045.1234572}"#),
                now
            ),
            Err(Reject::NotYetValid)
        );
    }

    #[test]
    fn audience_rule_of_rfc7519() {
        let exp = 2_000_000;
        let none = Checks::default();
        let api = Checks {
            aud: vec!["api".into(), "web".into()],
            ..Checks::default()
        };
        let c = |aud: Value| claims(json!({"exp": exp, "aud": aud}));
        assert_eq!(none.check(&c(json!("api")), now()), Err(Reject::Audience));
        assert_eq!(api.check(&c(json!("web")), now()), Ok(()));
        assert_eq!(api.check(&c(json!(["x", "api"])), now()), Ok(()));
        assert_eq!(api.check(&c(json!(["x"])), now()), Err(Reject::Audience));
        assert_eq!(
            api.check(&c(json!([1])), now()),
            Err(Reject::InvalidClaim("aud".into()))
        );
        assert_eq!(
            api.check(&claims(json!({"exp": exp})), now()),
            Err(Reject::MissingClaim("aud".into()))
        );
    }
}
