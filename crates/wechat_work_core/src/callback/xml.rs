//! The small XML subset WeCom callbacks use: `<xml>` with child elements holding CDATA or text,
//! some nested (ApprovalInfo, SelectedItems, ScanCodeInfo...). Parsed into JSON-like values:
//! a leaf is a String, an element with children an Object, a repeated element an Array.
//!
//! Hostile input is refused rather than interpreted: no DOCTYPE (so no entity definitions,
//! nothing is ever fetched), no entity other than the five predefined ones and character
//! references, bounded size, depth and element count.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::{Map, Value};

use super::rejection::Rejection;
use crate::error::{Error, Result};

/// A callback body is a few KB; refuse anything past this before parsing.
pub const MAX_XML_LEN: usize = super::MAX_BODY_LEN;
const MAX_DEPTH: usize = 16;
const MAX_ELEMENTS: usize = 10_000;

/// The error for input that is not a WeCom callback: [`Rejection::Malformed`]
/// (`WechatWork::MalformedCallbackError`, a `ProtocolError`, in Ruby; the endpoint answers 400).
pub fn protocol(message: impl Into<String>) -> Error {
    Error::callback(Rejection::Malformed, message)
}

struct Frame {
    name: String,
    children: Map<String, Value>,
    text: String,
}

fn element_name(e: &BytesStart<'_>) -> Result<String> {
    std::str::from_utf8(e.name().as_ref())
        .map(str::to_string)
        .map_err(|_| protocol("XML element name is not UTF-8"))
}

fn insert(map: &mut Map<String, Value>, key: String, value: Value) {
    match map.get_mut(&key) {
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
        None => {
            map.insert(key, value);
        }
    }
}

/// Parses a callback document whose root is `<xml>`; returns the root's children.
pub fn parse(xml: &str) -> Result<Map<String, Value>> {
    if xml.len() > MAX_XML_LEN {
        return Err(Error::callback(
            Rejection::TooLarge,
            format!("the XML body is over {MAX_XML_LEN} bytes"),
        ));
    }
    if xml.trim().is_empty() {
        return Err(protocol("the body is empty, not a WeCom callback XML"));
    }
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    reader.config_mut().check_end_names = true;
    reader.config_mut().expand_empty_elements = false;

    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Map<String, Value>> = None;
    let mut elements = 0usize;

    loop {
        let event = reader
            .read_event()
            .map_err(|e| protocol(format!("malformed XML: {e}")))?;
        match event {
            Event::Start(e) | Event::Empty(e) if root.is_some() => {
                let _ = e;
                return Err(protocol("content after the root element"));
            }
            Event::Start(e) => {
                elements += 1;
                if elements > MAX_ELEMENTS {
                    return Err(protocol("the XML has too many elements"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(protocol("the XML is nested too deeply"));
                }
                let name = element_name(&e)?;
                if stack.is_empty() && name != "xml" {
                    return Err(protocol(format!(
                        "the root element is <{}>, not <xml>",
                        truncate(&name)
                    )));
                }
                stack.push(Frame {
                    name,
                    children: Map::new(),
                    text: String::new(),
                });
            }
            Event::Empty(e) => {
                elements += 1;
                if elements > MAX_ELEMENTS {
                    return Err(protocol("the XML has too many elements"));
                }
                let name = element_name(&e)?;
                match stack.last_mut() {
                    Some(parent) => {
                        insert(&mut parent.children, name, Value::String(String::new()))
                    }
                    None if name == "xml" => root = Some(Map::new()),
                    None => {
                        return Err(protocol(format!(
                            "the root element is <{}>, not <xml>",
                            truncate(&name)
                        )))
                    }
                }
            }
            Event::End(_) => {
                let frame = stack
                    .pop()
                    .ok_or_else(|| protocol("malformed XML: unexpected end tag"))?;
                let value = if frame.children.is_empty() {
                    Value::String(frame.text)
                } else {
                    Value::Object(frame.children)
                };
                match stack.last_mut() {
                    Some(parent) => insert(&mut parent.children, frame.name, value),
                    None => {
                        root = Some(match value {
                            Value::Object(map) => map,
                            _ => Map::new(),
                        })
                    }
                }
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|_| {
                    protocol("XML entities are not allowed (only &lt; &gt; &amp; &quot; &apos; and character references)")
                })?;
                match stack.last_mut() {
                    Some(frame) => frame.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err(protocol("text outside the root element")),
                }
            }
            Event::CData(c) => {
                let text = std::str::from_utf8(&c).map_err(|_| protocol("CDATA is not UTF-8"))?;
                match stack.last_mut() {
                    Some(frame) => frame.text.push_str(text),
                    None => return Err(protocol("CDATA outside the root element")),
                }
            }
            Event::DocType(_) => {
                return Err(protocol(
                    "DOCTYPE is not allowed in a callback (no DTDs, no entity definitions)",
                ))
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(protocol("truncated XML: unclosed elements"));
    }
    root.ok_or_else(|| protocol("no <xml> root element"))
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

/// A string field of the root, if present and a string.
pub fn field<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    map.get(name).and_then(Value::as_str)
}

/// The outer envelope of a POSTed callback.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub encrypt: String,
    pub to_user_name: Option<String>,
    pub agent_id: Option<String>,
}

/// Parses the outer `<xml><ToUserName/><AgentID/><Encrypt/></xml>`.
pub fn parse_envelope(xml: &str) -> Result<Envelope> {
    let map = parse(xml)?;
    let encrypt = field(&map, "Encrypt")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| protocol("the callback XML has no <Encrypt> element"))?
        .to_string();
    Ok(Envelope {
        encrypt,
        to_user_name: field(&map, "ToUserName").map(str::to_string),
        agent_id: field(&map, "AgentID").map(str::to_string),
    })
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    name.len() <= 64 && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
}

/// Writes `text` as CDATA; a `]]>` inside is split across two sections.
pub fn cdata(out: &mut String, text: &str) {
    out.push_str("<![CDATA[");
    out.push_str(&text.replace("]]>", "]]]]><![CDATA[>"));
    out.push_str("]]>");
}

fn write_element(out: &mut String, name: &str, value: &Value, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::argument("the XML to build is nested too deeply"));
    }
    if !valid_name(name) {
        return Err(Error::argument(format!(
            "{:?} is not a valid XML element name",
            truncate(name)
        )));
    }
    match value {
        Value::Null => Ok(()),
        Value::Array(items) => {
            for item in items {
                write_element(out, name, item, depth + 1)?;
            }
            Ok(())
        }
        _ => {
            out.push('<');
            out.push_str(name);
            out.push('>');
            match value {
                Value::String(s) => cdata(out, s),
                Value::Number(n) => out.push_str(&n.to_string()),
                Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Value::Object(map) => {
                    for (k, v) in map {
                        write_element(out, k, v, depth + 1)?;
                    }
                }
                Value::Null | Value::Array(_) => {}
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
            Ok(())
        }
    }
}

/// Builds `<xml>...</xml>` from an object: strings become CDATA, numbers plain text, objects
/// nested elements, arrays repeated elements. Element names are checked.
pub fn build(fields: &Map<String, Value>) -> Result<String> {
    let mut out = String::from("<xml>");
    for (k, v) in fields {
        write_element(&mut out, k, v, 1)?;
    }
    out.push_str("</xml>");
    Ok(out)
}

/// Like [`build`], with the given element names first, in that order (WeCom does not care
/// about order, but people reading logs do).
pub fn build_ordered(fields: &Map<String, Value>, first: &[&str]) -> Result<String> {
    let mut out = String::from("<xml>");
    for k in first {
        if let Some(v) = fields.get(*k) {
            write_element(&mut out, k, v, 1)?;
        }
    }
    for (k, v) in fields {
        if !first.contains(&k.as_str()) {
            write_element(&mut out, k, v, 1)?;
        }
    }
    out.push_str("</xml>");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_protocol(r: Result<Map<String, Value>>) -> bool {
        r.err().and_then(|e| e.rejection()) == Some(Rejection::Malformed)
    }

    #[test]
    fn parses_a_text_message() {
        let xml = "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<FromUserName><![CDATA[messense]]></FromUserName>\n<CreateTime>1411525903</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test & <b>]]></Content>\n<MsgId>4363689963896700987</MsgId>\n<AgentID>1</AgentID>\n</xml>";
        let m = parse(xml).unwrap();
        assert_eq!(field(&m, "Content"), Some("test & <b>"));
        assert_eq!(field(&m, "MsgId"), Some("4363689963896700987"));
        assert_eq!(field(&m, "CreateTime"), Some("1411525903"));
        assert_eq!(field(&m, "AgentID"), Some("1"));
    }

    #[test]
    fn nested_and_repeated_elements() {
        let xml = "<xml><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[]]></EventKey><Empty/>\
            <SelectedItems><SelectedItem><QuestionKey><![CDATA[q1]]></QuestionKey><OptionIds><OptionId><![CDATA[o1]]></OptionId><OptionId><![CDATA[o2]]></OptionId></OptionIds></SelectedItem>\
            <SelectedItem><QuestionKey><![CDATA[q2]]></QuestionKey></SelectedItem></SelectedItems><Text>a &amp; b &#x4e2d;</Text></xml>";
        let m = parse(xml).unwrap();
        assert_eq!(field(&m, "EventKey"), Some(""));
        assert_eq!(field(&m, "Empty"), Some(""));
        assert_eq!(field(&m, "Text"), Some("a & b 中"));
        let items = &m["SelectedItems"]["SelectedItem"];
        assert_eq!(items.as_array().map(Vec::len), Some(2));
        assert_eq!(items[0]["OptionIds"]["OptionId"][1], "o2");
    }

    #[test]
    fn refuses_hostile_or_broken_xml() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><xml><Content>&lol2;</Content></xml>"#;
        let xxe = r#"<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>"#;
        let undefined_entity = "<xml><Content>&xxe;</Content></xml>";
        let deep = format!("<xml>{}{}</xml>", "<a>".repeat(40), "</a>".repeat(40));
        for bad in [
            bomb,
            xxe,
            undefined_entity,
            "",
            "   ",
            "not xml",
            "<xml><Content>unclosed</xml>",
            "<xml><a></b></xml>",
            "<root><Encrypt>x</Encrypt></root>",
            "<xml></xml><xml></xml>",
            "<xml><Encrypt>x</Encrypt>",
            &deep,
        ] {
            assert!(is_protocol(parse(bad)), "{bad}");
        }
        assert!(is_protocol(parse(&"<xml>".repeat(10))));
        let huge = format!("<xml><A>{}</A></xml>", "x".repeat(MAX_XML_LEN));
        let too_large = parse(&huge).unwrap_err().rejection();
        assert_eq!(too_large, Some(Rejection::TooLarge));
    }

    #[test]
    fn envelope_requires_encrypt() {
        let refused = parse_envelope("<xml><ToUserName>a</ToUserName></xml>").unwrap_err();
        assert_eq!(refused.rejection(), Some(Rejection::Malformed));
        let env = parse_envelope("<xml><ToUserName><![CDATA[c]]></ToUserName><AgentID><![CDATA[1]]></AgentID><Encrypt><![CDATA[abc]]></Encrypt></xml>").unwrap();
        assert_eq!(env.encrypt, "abc");
        assert_eq!(env.agent_id.as_deref(), Some("1"));
    }

    #[test]
    fn builds_and_round_trips() {
        let v: Value = serde_json::json!({
            "MsgType": "news",
            "ArticleCount": 2,
            "Articles": {"item": [{"Title": "a]]>b"}, {"Title": "c"}]},
            "Skip": null
        });
        let Value::Object(map) = v else {
            unreachable!()
        };
        let xml = build_ordered(&map, &["MsgType"]).unwrap();
        assert!(xml.starts_with("<xml><MsgType><![CDATA[news]]></MsgType>"));
        let back = parse(&xml).unwrap();
        assert_eq!(back["Articles"]["item"][0]["Title"], "a]]>b");
        assert_eq!(back["ArticleCount"], "2");
        assert!(!back.contains_key("Skip"));
        let bad: Map<String, Value> = serde_json::from_str(r#"{"a b": "x"}"#).unwrap();
        assert!(matches!(build(&bad), Err(Error::Argument(_))));
        let bad: Map<String, Value> = serde_json::from_str(r#"{"x><y": "x"}"#).unwrap();
        assert!(matches!(build(&bad), Err(Error::Argument(_))));
    }
}
