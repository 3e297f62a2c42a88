//! Session-API parameters, from a query string, a form-encoded body (PHP `http_build_query`
//! brackets: `payment[basket][0][sku]=X`) or a JSON body. All three decode to the same tree.
//!
//! The bracket syntax is decoded here rather than by a generic query-string crate because
//! the tree is untyped (any merchant keys) and the limits apply while it is built.

use serde_json::{Map, Value};

use crate::ground::ids::{InvalidVisitSessionId, VisitSessionId, is_value_name};
use crate::ground::lang::Lang;

/// Largest request body.
pub const BODY_LIMIT: usize = 256 * 1024;
/// Most values (leaves) one request may carry.
pub const VALUE_LIMIT: usize = 200;
/// Deepest nesting below `payment` (`payment[a][b]` is depth 2).
pub const DEPTH_LIMIT: usize = 8;

#[derive(Debug, Default, PartialEq)]
pub struct SessionParams {
    pub form_hash: Option<String>,
    pub session_hash: Option<String>,
    pub lang: Option<Lang>,
    pub payment: Option<Map<String, Value>>,
    /// A visit session of the Session Management API to link the donation to.
    pub visit_session: Option<VisitSessionId>,
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
    if !body.iter().all(u8::is_ascii_whitespace) {
        let kind = body_kind(content_type)?;
        std::str::from_utf8(body).map_err(|_| ParamsError::InvalidUtf8)?;
        let from_body = match kind {
            BodyKind::Form => {
                let mut map = Map::new();
                insert_pairs(&mut map, body)?;
                map
            }
            BodyKind::Json => serde_json::from_slice::<Map<String, Value>>(body)
                .map_err(|e| ParamsError::MalformedJson(e.to_string()))?,
        };
        merge(&mut top, from_body);
    }
    params_from(top)
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
        visit_session,
    })
}

/// Value names, count and depth within the limits.
fn check_tree(payment: &Map<String, Value>) -> Result<(), ParamsError> {
    fn walk(value: &Value, depth: usize, leaves: &mut usize) -> Result<(), ParamsError> {
        if depth > DEPTH_LIMIT {
            return Err(ParamsError::TooDeep);
        }
        match value {
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
    for value in top.values_mut() {
        arrays_from_indexed_maps(value);
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
    fn language_and_empty_parameters() {
        let params = form("hash=&lang=en-GB&payment=").expect("decodes");
        assert_eq!(params.form_hash, None);
        assert_eq!(params.lang, Some(Lang::En));
        assert_eq!(params.payment, None);
    }
}
