//! Strict JSON: duplicate member names refused at any depth. Two parsers
//! that keep different duplicates disagree on what a token signed or what
//! a file holds, so every JSON input jwkctl trusts is read this way.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// Parses a JSON object, refusing duplicate member names at any depth.
pub fn strict_object(bytes: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Strict>(bytes).ok()?.0 {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// A JSON value read with duplicate member names refused, at any depth.
pub struct Strict(pub Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

/// The error for a member name that appears twice: a store read last-wins
/// could lose keys on its next write.
pub fn repeated<E: de::Error>(name: &str) -> E {
    // The name is untrusted: escaped, and not a megabyte of it.
    let shown = if name.len() > 64 { "(long)" } else { name };
    E::custom(format_args!("the member name {shown:?} appears twice"))
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("not a finite number"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(name) = access.next_key::<String>()? {
            let Strict(value) = access.next_value()?;
            if map.contains_key(&name) {
                return Err(repeated(&name));
            }
            map.insert(name, value);
        }
        Ok(Value::Object(map))
    }
}

/// A JSON value checked the way [`Strict`] reads one (no member name twice
/// in any object) but not kept: what is carried through as text is checked
/// this way, in memory that grows with the names of one object, not with
/// the number of values.
pub struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Checked, D::Error> {
        d.deserialize_any(CheckedVisitor)
    }
}

/// Checks a JSON text as [`Checked`] does. The error says what is wrong,
/// without a position inside `text` (the caller knows where it is).
pub fn check_text(text: &str) -> Result<(), String> {
    serde_json::from_str::<Checked>(text)
        .map(|_| ())
        .map_err(|e| {
            let message = e.to_string();
            match message.rfind(" at line ") {
                Some(at) => message[..at].to_owned(),
                None => message,
            }
        })
}

struct CheckedVisitor;

/// A member name, borrowed from the input where it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Checked, E> {
        if v.is_finite() {
            Ok(Checked)
        } else {
            Err(E::custom("not a finite number"))
        }
    }
    fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_unit<E>(self) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Checked, A::Error> {
        let mut names = Vec::new();
        while let Some(Key(name)) = access.next_key()? {
            access.next_value::<Checked>()?;
            names.push(name);
        }
        // Sorted once rather than a set: a name costs its 24 bytes here.
        names.sort_unstable();
        match names.windows(2).find(|pair| pair[0] == pair[1]) {
            Some(pair) => Err(repeated(&pair[0])),
            None => Ok(Checked),
        }
    }
}

/// A JSON object's members in order, each value as its text. For text
/// already checked (no name twice), as [`check_text`] or [`compact`] do.
pub struct RawMembers(pub Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for RawMembers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawMembers, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawMembers;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<RawMembers, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = a.next_entry()? {
                    members.push(member);
                }
                Ok(RawMembers(members))
            }
        }
        d.deserialize_map(V)
    }
}

/// A JSON text read as [`Strict`] reads it, kept as the compact text that
/// the [`Value`] it reads to would serialize to (the same numbers, escapes
/// and member order) without that tree: a value of tiny elements costs
/// about its own size, where a tree costs 32 bytes an element and more.
pub fn compact(bytes: &[u8]) -> Result<Box<RawValue>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut out = Vec::with_capacity(bytes.len().min(1 << 16));
    Compact(&mut out).deserialize(&mut de)?;
    de.end()?;
    // Only what serde_json wrote, and names and strings read as UTF-8.
    let text = String::from_utf8(out).map_err(de::Error::custom)?;
    RawValue::from_string(text)
}

/// Writes what it reads, compact, to its buffer.
struct Compact<'a>(&'a mut Vec<u8>);

impl Compact<'_> {
    /// A leaf as serde_json writes it.
    fn leaf<E: de::Error>(self, value: impl serde::Serialize) -> Result<(), E> {
        serde_json::to_writer(self.0, &value).map_err(E::custom)
    }
}

impl<'de> DeserializeSeed<'de> for Compact<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Compact<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.leaf(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.leaf(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.leaf(v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        if !v.is_finite() {
            return Err(E::custom("not a finite number"));
        }
        self.leaf(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.leaf(v)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.leaf(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let out = self.0;
        out.push(b'[');
        let mut first = true;
        loop {
            // The comma goes before an element, which may not come.
            let mark = out.len();
            if !first {
                out.push(b',');
            }
            if seq.next_element_seed(Compact(&mut *out))?.is_none() {
                out.truncate(mark);
                break;
            }
            first = false;
        }
        out.push(b']');
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        let out = self.0;
        out.push(b'{');
        // Refused where Strict refuses it, after the value: the error's
        // position is part of messages people see.
        let mut names = HashSet::new();
        while let Some(Key(name)) = access.next_key()? {
            if !names.is_empty() {
                out.push(b',');
            }
            serde_json::to_writer(&mut *out, name.as_ref()).map_err(de::Error::custom)?;
            out.push(b':');
            access.next_value_seed(Compact(&mut *out))?;
            if names.contains(&name) {
                return Err(repeated(&name));
            }
            names.insert(name);
        }
        out.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_refused_at_any_depth() {
        assert!(strict_object(br#"{"a":{"b":[{"c":1}]}}"#).is_some());
        assert_eq!(check_text(r#"{"a":{"b":[{"c":1,"d":2}]},"b":1}"#), Ok(()));
        assert_eq!(
            check_text(r#"[1, {"a":{"b":[{"c":1,"c":2}]}}]"#),
            Err(r#"the member name "c" appears twice"#.into())
        );
        assert!(compact(br#"{"a":[{"b":1,"b":1}]}"#).is_err());
    }

    #[test]
    fn compact_text_is_what_the_value_serializes_to() {
        for text in [
            r#" { "b" : [1.0, 2e3, -0, 1.5e-7, 18446744073709551615, -9223372036854775808],
                "a":{"s":"\u0041\/\u00e9\ud83d\ude00\n\u001f","t":true,"f":false,"n":null},
                "e":[], "o":{}, "x":[[],[{}]] } "#,
            "[]",
            "\"x\"",
            "0.1",
        ] {
            let Strict(value) = serde_json::from_str(text).unwrap();
            assert_eq!(compact(text.as_bytes()).unwrap().get(), value.to_string());
        }
        for bad in ["{", "[1,]", "1 2", "{\"a\":1,\"a\":1}", "1e400"] {
            assert!(compact(bad.as_bytes()).is_err(), "{bad}");
        }
        for text in [r#"{"a":1,"a":2}"#, r#"{"a":[{"b":1,"b":1}]}"#, "[]", "{"] {
            assert!(strict_object(text.as_bytes()).is_none(), "{text}");
        }
    }
}
