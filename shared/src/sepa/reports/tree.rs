//! A bank report read into a small element tree: local names, text, children. No DTD is
//! read (a `<!DOCTYPE` is refused outright, so neither external entities nor entity
//! expansion can happen), only the five predefined entities and character references are
//! resolved, and nesting is bounded.

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

use super::ReportError;

/// Deeper than any ISO 20022 message nests (camt.054 goes to about 15 levels).
const DEPTH_LIMIT: usize = 64;

/// One element: its local name (no prefix), its text and its child elements.
#[derive(Debug, Default)]
pub(super) struct Node {
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child called `name`, in document order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element at `path` below this one, first match at each step.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, name| node.child(name))
    }

    /// The trimmed text at `path`, if there is any.
    pub fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path)
            .map(|n| n.text.trim())
            .filter(|t| !t.is_empty())
    }
}

/// The root element's namespace and the root element.
pub(super) fn read(xml: &str) -> Result<(String, Node), ReportError> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut namespace = String::new();
    let malformed = |reader: &Reader<&[u8]>, what: String| {
        ReportError::Malformed(format!("at byte {}: {what}", reader.error_position()))
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed(&reader, e.to_string()))?;
        let element = match &event {
            Event::Start(start) | Event::Empty(start) => Some(start),
            _ => None,
        };
        if let Some(start) = element {
            if stack.is_empty() {
                if root.is_some() {
                    return Err(malformed(&reader, "a second root element".into()));
                }
                namespace = namespace_of(start).map_err(|e| malformed(&reader, e))?;
            }
            if stack.len() >= DEPTH_LIMIT {
                return Err(ReportError::TooDeep(DEPTH_LIMIT));
            }
        }
        match event {
            Event::DocType(_) => return Err(ReportError::Doctype),
            Event::Start(start) => stack.push(node_of(&start)),
            Event::Empty(start) => attach(&mut stack, &mut root, node_of(&start)),
            Event::End(_) => {
                let node = stack
                    .pop()
                    .ok_or_else(|| malformed(&reader, "an end tag without a start".into()))?;
                attach(&mut stack, &mut root, node);
            }
            Event::Text(text) => {
                let text = text
                    .decode()
                    .map_err(|e| malformed(&reader, e.to_string()))?;
                add_text(&mut stack, &text).map_err(|e| malformed(&reader, e))?;
            }
            Event::CData(data) => {
                let text = data
                    .decode()
                    .map_err(|e| malformed(&reader, e.to_string()))?;
                add_text(&mut stack, &text).map_err(|e| malformed(&reader, e))?;
            }
            Event::GeneralRef(reference) => {
                let name = reference
                    .decode()
                    .map_err(|e| malformed(&reader, e.to_string()))?;
                let resolved = match reference
                    .resolve_char_ref()
                    .map_err(|e| malformed(&reader, e.to_string()))?
                {
                    Some(c) => c.to_string(),
                    None => resolve_predefined_entity(&name)
                        .ok_or_else(|| malformed(&reader, format!("unknown entity &{name};")))?
                        .to_owned(),
                };
                add_text(&mut stack, &resolved).map_err(|e| malformed(&reader, e))?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(malformed(
            &reader,
            format!("the file ends inside <{}>", open.name),
        ));
    }
    let root = root.ok_or_else(|| malformed(&reader, "no root element".into()))?;
    Ok((namespace, root))
}

fn node_of(start: &BytesStart<'_>) -> Node {
    Node {
        name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
        ..Node::default()
    }
}

fn attach(stack: &mut [Node], root: &mut Option<Node>, node: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

fn add_text(stack: &mut [Node], text: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(node) => {
            node.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err("text outside the root element".into()),
    }
}

/// The namespace the root element's prefix (or the default namespace) is bound to.
fn namespace_of(start: &BytesStart<'_>) -> Result<String, String> {
    let name = start.name();
    let wanted = match name.prefix() {
        Some(prefix) => [b"xmlns:".as_slice(), prefix.as_ref()].concat(),
        None => b"xmlns".to_vec(),
    };
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| e.to_string())?;
        if attribute.key.as_ref() == wanted.as_slice() {
            return attribute
                .unescape_value()
                .map(|v| v.trim().to_owned())
                .map_err(|e| e.to_string());
        }
    }
    Ok(String::new())
}
