//! Session-API parameters, from a query string, a form-encoded body (PHP `http_build_query`
//! brackets: `payment[basket][0][sku]=X`) or a JSON body. All three decode to the same tree.
//!
//! The bracket syntax is decoded here rather than by a generic query-string crate because
//! the tree is untyped (any merchant keys) and the limits apply while it is built.

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::ground::ids::{InvalidVisitSessionId, VisitSessionId, is_value_name};
use crate::ground::lang::Lang;

/// Largest request body: the Session-API is public, so the worst request must cost little.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Most values one request may carry: scalars, and empty arrays and objects.
pub const VALUE_LIMIT: usize = 200;
/// Deepest nesting below `payment` (`payment[a][b]` is depth 2).
pub const DEPTH_LIMIT: usize = 8;

#[derive(Debug, Default, PartialEq)]
pub struct SessionParams {
    pub form_hash: Option<String>,
    pub session_hash: Option<String>,
    pub lang: Option<Lang>,
    pub payment: Option<Map<String, Value>>,
    /// Payment values left out because a JSON number in them cannot be stored exactly.
    pub unstorable: Vec<String>,
    /// A visit session of the Session Management API to link the donation to …
    pub visit_session: Option<VisitSessionId>,
    /// … and its link token, without which only the merchant's key may link it.
    pub visit_session_token: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParamsError {
    #[error("the body is larger than {BODY_LIMIT} bytes")]
    TooLarge,
    #[error("send the body as application/x-www-form-urlencoded or application/json, not '{0}'")]
    UnsupportedMediaType(String),
    #[error("the body is not valid UTF-8")]
    InvalidUtf8,
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("'{0}' must be {1}")]
    WrongType(&'static str, &'static str),
    #[error("malformed parameter name '{0}'")]
    MalformedName(String),
    #[error("value name '{0}' must match [A-Za-z0-9_]{{1,64}}")]
    InvalidValueName(String),
    #[error("at most {VALUE_LIMIT} values per request")]
    TooManyValues,
    #[error("values may be nested at most {DEPTH_LIMIT} levels deep")]
    TooDeep,
    #[error("visitSessionId: {0}")]
    VisitSessionId(#[from] InvalidVisitSessionId),
}

enum BodyKind {
    Form,
    Json,
}

/// Decodes the query string and body; body parameters win over query parameters.
pub fn decode(
    query: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<SessionParams, ParamsError> {
    if body.len() > BODY_LIMIT {
        return Err(ParamsError::TooLarge);
    }
    let mut top = Map::new();
    if let Some(query) = query {
        insert_pairs(&mut top, query.as_bytes())?;
    }
    let mut unstorable = Vec::new();
    if !body.iter().all(u8::is_ascii_whitespace) {
        let kind = body_kind(content_type)?;
        let text = std::str::from_utf8(body).map_err(|_| ParamsError::InvalidUtf8)?;
        let from_body = match kind {
            BodyKind::Form => {
                let mut map = Map::new();
                insert_pairs(&mut map, body)?;
                map
            }
            BodyKind::Json => json_params(text, &mut unstorable)?,
        };
        merge(&mut top, from_body);
    }
    let mut params = params_from(top)?;
    params.unstorable = unstorable;
    Ok(params)
}

/// A JSON body's parameters. A payment value holding a number DynamoDB cannot store exactly
/// is left out and named in `unstorable`, to be answered as that field's error.
fn json_params(
    text: &str,
    unstorable: &mut Vec<String>,
) -> Result<Map<String, Value>, ParamsError> {
    let malformed = |e: serde_json::Error| ParamsError::MalformedJson(e.to_string());
    let raw: Map<String, Value> = serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(text)
        .map_err(malformed)?
        .into_iter()
        .map(|(name, value)| {
            let value = if name == "payment" {
                payment_values(&value, unstorable)?
            } else {
                serde_json::from_str(value.get()).map_err(malformed)?
            };
            Ok((name, value))
        })
        .collect::<Result<_, ParamsError>>()?;
    Ok(raw)
}

fn payment_values(raw: &RawValue, unstorable: &mut Vec<String>) -> Result<Value, ParamsError> {
    let malformed = |e: serde_json::Error| ParamsError::MalformedJson(e.to_string());
    let Ok(entries) = serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(raw.get()) else {
        // Not an object: `params_from` names what it must be.
        return serde_json::from_str(raw.get()).map_err(malformed);
    };
    let mut payment = Map::new();
    for (name, value) in entries {
        if numbers_storable(value.get()) {
            payment.insert(name, serde_json::from_str(value.get()).map_err(malformed)?);
        } else {
            unstorable.push(name);
        }
    }
    Ok(Value::Object(payment))
}

/// Whether every number in a JSON text (outside its strings) is one DynamoDB stores exactly
/// as we read it: an integer of at most 64 bits, or a decimal of at most 15 significant digits
/// (which survives the double it is read as) between 1e-130 and 1e126 in magnitude, or zero.
pub fn numbers_storable(json: &str) -> bool {
    let bytes = json.as_bytes();
    let (mut i, mut in_string, mut escaped) = (0, false, false);
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
        } else if b == b'-' || b.is_ascii_digit() {
            let start = i;
            while i < bytes.len()
                && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
            {
                i += 1;
            }
            if !number_storable(&json[start..i]) {
                return false;
            }
        } else {
            i += 1;
        }
    }
    true
}

fn number_storable(token: &str) -> bool {
    let unsigned = token.strip_prefix('-').unwrap_or(token);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i64>().ok()),
        None => (unsigned, Some(0)),
    };
    let Some(exponent) = exponent else {
        return false;
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if unsigned == mantissa && fraction.is_empty() {
        // A plain integer: exact when it fits 64 bits.
        return token.parse::<i64>().is_ok() || token.parse::<u64>().is_ok();
    }
    let digits: String = format!("{whole}{fraction}");
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return true;
    }
    let leading_zeros = digits.len() - significant.len();
    let significant = significant.trim_end_matches('0');
    // The power of ten of the first significant digit.
    let Ok(whole_len) = i64::try_from(whole.len()) else {
        return false;
    };
    let Ok(leading) = i64::try_from(leading_zeros) else {
        return false;
    };
    let magnitude = exponent.saturating_add(whole_len - leading - 1);
    significant.len() <= 15 && (-130..=125).contains(&magnitude)
}

fn body_kind(content_type: Option<&str>) -> Result<BodyKind, ParamsError> {
    let media = content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media.as_str() {
        "application/x-www-form-urlencoded" => Ok(BodyKind::Form),
        "application/json" => Ok(BodyKind::Json),
        _ => Err(ParamsError::UnsupportedMediaType(media)),
    }
}

/// Top-level keys of `extra` replace those of `base`; `payment` maps are merged key by key.
fn merge(base: &mut Map<String, Value>, extra: Map<String, Value>) {
    for (key, value) in extra {
        match (base.get_mut(&key), value) {
            (Some(Value::Object(old)), Value::Object(new)) if key == "payment" => {
                old.extend(new);
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn params_from(mut top: Map<String, Value>) -> Result<SessionParams, ParamsError> {
    let text = |top: &mut Map<String, Value>, name: &'static str| match top.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ParamsError::WrongType(name, "a string")),
    };
    let form_hash = text(&mut top, "hash")?.filter(|s| !s.is_empty());
    let session_hash = text(&mut top, "fbSessionHash")?.filter(|s| !s.is_empty());
    let lang = text(&mut top, "lang")?.and_then(|tag| Lang::from_tag(&tag));
    let visit_session = text(&mut top, "visitSessionId")?
        .filter(|s| !s.is_empty())
        .map(|id| VisitSessionId::parse(&id))
        .transpose()?;
    let visit_session_token = text(&mut top, "visitSessionToken")?.filter(|s| !s.is_empty());
    let payment = match top.remove("payment") {
        None | Some(Value::Null) => None,
        Some(Value::Object(payment)) => {
            check_tree(&payment)?;
            Some(payment)
        }
        // `payment=` with nothing in it, as a form sends an empty group.
        Some(Value::String(s)) if s.is_empty() => None,
        Some(_) => Err(ParamsError::WrongType("payment", "a set of named values"))?,
    };
    Ok(SessionParams {
        form_hash,
        session_hash,
        lang,
        payment,
        unstorable: Vec::new(),
        visit_session,
        visit_session_token,
    })
}

/// Value names, count and depth within the limits.
fn check_tree(payment: &Map<String, Value>) -> Result<(), ParamsError> {
    fn walk(value: &Value, depth: usize, leaves: &mut usize) -> Result<(), ParamsError> {
        if depth > DEPTH_LIMIT {
            return Err(ParamsError::TooDeep);
        }
        match value {
            // An empty container is a value too: it costs storage like one.
            Value::Object(map) if map.is_empty() => *leaves += 1,
            Value::Array(items) if items.is_empty() => *leaves += 1,
            Value::Object(map) => {
                for (name, child) in map {
                    if !is_value_name(name) {
                        return Err(ParamsError::InvalidValueName(name.clone()));
                    }
                    walk(child, depth + 1, leaves)?;
                }
            }
            Value::Array(items) => {
                for child in items {
                    walk(child, depth + 1, leaves)?;
                }
            }
            _ => *leaves += 1,
        }
        if *leaves > VALUE_LIMIT {
            return Err(ParamsError::TooManyValues);
        }
        Ok(())
    }
    let mut leaves = 0;
    for (name, value) in payment {
        if !is_value_name(name) {
            return Err(ParamsError::InvalidValueName(name.clone()));
        }
        walk(value, 1, &mut leaves)?;
    }
    Ok(())
}

/// `a[b][0][c]=v` pairs into nested maps; maps keyed `0..n` become arrays, as JSON sends them.
fn insert_pairs(top: &mut Map<String, Value>, encoded: &[u8]) -> Result<(), ParamsError> {
    let mut pairs = 0usize;
    for (key, value) in form_urlencoded::parse(encoded) {
        pairs += 1;
        // Bounds the work before the tree is checked: names, hash, lang and the values.
        if pairs > VALUE_LIMIT + 16 {
            return Err(ParamsError::TooManyValues);
        }
        let path = key_path(&key)?;
        if path.len() > DEPTH_LIMIT + 1 {
            return Err(ParamsError::TooDeep);
        }
        insert_at(top, &path, value.into_owned());
    }
    for (name, value) in top.iter_mut() {
        match value {
            // `payment` is a set of named values even when the names are 0, 1, …
            Value::Object(payment) if name == "payment" => {
                payment.values_mut().for_each(arrays_from_indexed_maps);
            }
            value => arrays_from_indexed_maps(value),
        }
    }
    Ok(())
}

/// `payment[basket][0][sku]` → `["payment", "basket", "0", "sku"]`; `x[]` → `["x", ""]`.
fn key_path(key: &str) -> Result<Vec<&str>, ParamsError> {
    let malformed = || ParamsError::MalformedName(key.chars().take(80).collect());
    let (base, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if base.is_empty() || base.contains(']') {
        return Err(malformed());
    }
    let mut path = vec![base];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[').ok_or_else(malformed)?;
        let end = inner.find(']').ok_or_else(malformed)?;
        let segment = &inner[..end];
        if segment.contains('[') {
            return Err(malformed());
        }
        path.push(segment);
        rest = &inner[end + 1..];
    }
    Ok(path)
}

fn insert_at(map: &mut Map<String, Value>, path: &[&str], value: String) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    // `[]` appends: the next free index.
    let key = if first.is_empty() {
        map.len().to_string()
    } else {
        (*first).to_owned()
    };
    if rest.is_empty() {
        map.insert(key, Value::String(value));
        return;
    }
    let child = map
        .entry(key)
        .and_modify(|v| {
            if !v.is_object() {
                *v = Value::Object(Map::new());
            }
        })
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(child) = child {
        insert_at(child, rest, value);
    }
}

fn arrays_from_indexed_maps(value: &mut Value) {
    let Value::Object(map) = value else {
        return;
    };
    for child in map.values_mut() {
        arrays_from_indexed_maps(child);
    }
    let indexed = !map.is_empty() && (0..map.len()).all(|i| map.contains_key(&i.to_string()));
    if indexed {
        let items = (0..map.len())
            .filter_map(|i| map.remove(&i.to_string()))
            .collect();
        *value = Value::Array(items);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form(body: &str) -> Result<SessionParams, ParamsError> {
        decode(
            None,
            Some("application/x-www-form-urlencoded"),
            body.as_bytes(),
        )
    }

    #[test]
    fn php_brackets_json_and_query_decode_alike() {
        let php = form(
            "hash=abc123def&fbSessionHash=s1&payment%5Bfirst_name%5D=Max&payment[basket][0][sku]=X\
             &payment[basket][0][qty]=2&payment[basket][1][sku]=Y&payment[tags][]=a&payment[tags][]=b",
        )
        .expect("decodes");
        let json = decode(
            None,
            Some("application/json; charset=utf-8"),
            json!({"hash": "abc123def", "fbSessionHash": "s1", "payment": {
                "first_name": "Max",
                "basket": [{"sku": "X", "qty": "2"}, {"sku": "Y"}],
                "tags": ["a", "b"]}})
            .to_string()
            .as_bytes(),
        )
        .expect("decodes");
        let query = decode(
            Some("hash=abc123def&fbSessionHash=s1&payment[first_name]=Max&payment[basket][0][sku]=X&payment[basket][0][qty]=2&payment[basket][1][sku]=Y&payment[tags][0]=a&payment[tags][1]=b"),
            None,
            b"",
        )
        .expect("decodes");
        assert_eq!(php, json);
        assert_eq!(php, query);
        assert_eq!(php.form_hash.as_deref(), Some("abc123def"));
    }

    #[test]
    fn body_values_win_over_the_query() {
        let params = decode(
            Some("hash=fromquery1&payment[amount]=5&payment[email]=a@b.de"),
            Some("application/x-www-form-urlencoded"),
            b"payment[amount]=10",
        )
        .expect("decodes");
        assert_eq!(params.form_hash.as_deref(), Some("fromquery1"));
        assert_eq!(
            params.payment,
            Some(
                json!({"amount": "10", "email": "a@b.de"})
                    .as_object()
                    .cloned()
                    .expect("map")
            )
        );
    }

    #[test]
    fn limits_and_malformed_input_are_refused() {
        let too_many: String = (0..=VALUE_LIMIT)
            .map(|i| format!("payment[v{i}]=x&"))
            .collect();
        assert_eq!(form(&too_many), Err(ParamsError::TooManyValues));
        let deep = format!("payment{}=x", "[a]".repeat(DEPTH_LIMIT + 1));
        assert_eq!(form(&deep), Err(ParamsError::TooDeep));
        let ok_deep = format!("payment{}=x", "[a]".repeat(DEPTH_LIMIT));
        assert!(form(&ok_deep).is_ok());
        assert_eq!(
            form("payment[first-name]=x"),
            Err(ParamsError::InvalidValueName("first-name".into()))
        );
        assert!(matches!(
            form("payment[a=x"),
            Err(ParamsError::MalformedName(_))
        ));
        assert!(matches!(
            form("payment[a]b=x"),
            Err(ParamsError::MalformedName(_))
        ));
        assert_eq!(
            decode(None, Some("text/plain"), b"hash=x"),
            Err(ParamsError::UnsupportedMediaType("text/plain".into()))
        );
        assert_eq!(
            decode(None, None, &vec![b'a'; BODY_LIMIT + 1]),
            Err(ParamsError::TooLarge)
        );
        assert!(matches!(
            decode(None, Some("application/json"), b"{\"hash\":"),
            Err(ParamsError::MalformedJson(_))
        ));
        assert_eq!(
            decode(None, Some("application/json"), br#"{"hash": 5}"#),
            Err(ParamsError::WrongType("hash", "a string"))
        );
        assert_eq!(
            decode(None, Some("application/json"), br#"{"payment": [1]}"#),
            Err(ParamsError::WrongType("payment", "a set of named values"))
        );
    }

    #[test]
    fn payment_stays_a_set_of_named_values_whatever_its_names() {
        let params = form("hash=abc123&payment=&payment[]=a&payment[]=b").expect("decodes");
        assert_eq!(
            params.payment,
            json!({"0": "a", "1": "b"}).as_object().cloned()
        );
    }

    #[test]
    fn language_and_empty_parameters() {
        let params = form("hash=&lang=en-GB&payment=").expect("decodes");
        assert_eq!(params.form_hash, None);
        assert_eq!(params.lang, Some(Lang::En));
        assert_eq!(params.payment, None);
    }
}
