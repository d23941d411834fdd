//! HTML from outside (the regency's website feed, the podcast feed, admins' rich text)
//! cut down to a small allow-list before it is stored: `p`, `br`, `strong`, `em`,
//! `a[href]` (http/https only), `ul`, `ol`, `li`, `img[src]` (https only, with `alt`).
//! Everything else goes: `script`, `style`, `iframe` and their kin with their whole
//! content, other tags keeping only their text, every other attribute (`on*`, `style`,
//! ...), comments and `javascript:`/`data:` URLs. Text is escaped so that no stray `<`
//! can open a tag; tags left open are closed at the end.

/// Elements whose whole content is dropped.
const DROP_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
    "textarea", "select", "head", "title", "frameset", "frame", "applet", "xmp",
];

/// Void elements among the allowed ones.
const VOID: &[&str] = &["br", "img"];

/// The allowed element a tag name maps to (`b` is kept as `strong`, `i` as `em`).
fn allowed(name: &str) -> Option<&'static str> {
    Some(match name {
        "p" => "p",
        "br" => "br",
        "strong" | "b" => "strong",
        "em" | "i" => "em",
        "a" => "a",
        "ul" => "ul",
        "ol" => "ol",
        "li" => "li",
        "img" => "img",
        _ => return None,
    })
}

/// The HTML cut down to the allow-list.
pub fn sanitize_html(input: &str) -> String {
    Cleaner::new(input, true).run()
}

/// The text of the HTML without any tag, entities decoded, whitespace collapsed.
pub fn plain_text(input: &str) -> String {
    let text = Cleaner::new(input, false).run();
    let decoded = decode_entities(&text);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Cleaner<'a> {
    input: &'a str,
    pos: usize,
    out: String,
    keep_tags: bool,
    open: Vec<&'static str>,
}

impl<'a> Cleaner<'a> {
    fn new(input: &'a str, keep_tags: bool) -> Self {
        Self {
            input,
            pos: 0,
            out: String::with_capacity(input.len()),
            keep_tags,
            open: Vec::new(),
        }
    }

    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn run(mut self) -> String {
        while let Some(c) = self.rest().chars().next() {
            match c {
                '<' => self.tag(),
                '>' => {
                    self.out.push_str(if self.keep_tags { "&gt;" } else { ">" });
                    self.pos += 1;
                }
                '&' => {
                    let entity = entity_len(self.rest());
                    if entity > 0 {
                        self.out.push_str(&self.rest()[..entity]);
                        self.pos += entity;
                    } else {
                        self.out.push_str("&amp;");
                        self.pos += 1;
                    }
                }
                c if c.is_control() && c != '\n' && c != '\t' && c != '\r' => {
                    self.pos += c.len_utf8();
                }
                c => {
                    self.out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
        if self.keep_tags {
            while let Some(name) = self.open.pop() {
                self.out.push_str(&format!("</{name}>"));
            }
        }
        self.out
    }

    /// Skips past the next `needle` (or to the end).
    fn skip_past(&mut self, needle: &str) {
        match self.rest().find(needle) {
            Some(i) => self.pos += i + needle.len(),
            None => self.pos = self.input.len(),
        }
    }

    fn tag(&mut self) {
        let rest = self.rest();
        if rest.starts_with("<!--") {
            self.skip_past("-->");
            return;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            self.skip_past(">");
            return;
        }
        let closing = rest.starts_with("</");
        let name_start = if closing { 2 } else { 1 };
        let name: String = rest[name_start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty()
            || !rest[name_start..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
        {
            // Not a tag: a lone '<' in text.
            self.out.push_str(if self.keep_tags { "&lt;" } else { "<" });
            self.pos += 1;
            return;
        }
        self.pos += name_start + name.len();
        let attributes = self.attributes();
        if closing {
            self.close(&name);
            return;
        }
        if DROP_WITH_CONTENT.contains(&name.as_str()) {
            self.drop_content(&name);
            return;
        }
        if !self.keep_tags {
            if matches!(name.as_str(), "p" | "br" | "li" | "div") {
                self.out.push(' ');
            }
            return;
        }
        let Some(element) = allowed(&name) else {
            return;
        };
        match element {
            "a" => {
                let href = attributes
                    .iter()
                    .find(|(n, _)| n == "href")
                    .and_then(|(_, v)| safe_url(v, &["http://", "https://"]));
                match href {
                    Some(href) => self.out.push_str(&format!(
                        "<a href=\"{}\" rel=\"nofollow noopener\">",
                        escape_attribute(&href)
                    )),
                    None => self.out.push_str("<a>"),
                }
            }
            "img" => {
                let Some(src) = attributes
                    .iter()
                    .find(|(n, _)| n == "src")
                    .and_then(|(_, v)| safe_url(v, &["https://"]))
                else {
                    return;
                };
                let alt = attributes
                    .iter()
                    .find(|(n, _)| n == "alt")
                    .map(|(_, v)| escape_attribute(v))
                    .unwrap_or_default();
                self.out.push_str(&format!(
                    "<img src=\"{}\" alt=\"{alt}\">",
                    escape_attribute(&src)
                ));
            }
            other => self.out.push_str(&format!("<{other}>")),
        }
        if !VOID.contains(&element) {
            self.open.push(element);
        }
    }

    fn close(&mut self, name: &str) {
        if !self.keep_tags {
            if matches!(name, "p" | "li" | "div") {
                self.out.push(' ');
            }
            return;
        }
        let Some(element) = allowed(name) else { return };
        if let Some(at) = self.open.iter().rposition(|open| *open == element) {
            while self.open.len() > at {
                if let Some(open) = self.open.pop() {
                    self.out.push_str(&format!("</{open}>"));
                }
            }
        }
    }

    /// Skips the content of a dropped element up to and past its closing tag.
    fn drop_content(&mut self, name: &str) {
        let closing = format!("</{name}");
        let lower = self.rest().to_ascii_lowercase();
        match lower.find(&closing) {
            Some(i) => {
                self.pos += i + closing.len();
                self.skip_past(">");
            }
            None => self.pos = self.input.len(),
        }
    }

    /// Reads the attributes of a tag up to and past its `>`; names are lower case,
    /// values as written (quotes removed).
    fn attributes(&mut self) -> Vec<(String, String)> {
        let mut attributes = Vec::new();
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            self.pos += rest.len() - trimmed.len();
            let Some(c) = self.rest().chars().next() else {
                return attributes;
            };
            if c == '>' {
                self.pos += 1;
                return attributes;
            }
            let name: String = self
                .rest()
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '=' | '>' | '/'))
                .collect();
            if name.is_empty() {
                self.pos += c.len_utf8();
                continue;
            }
            self.pos += name.len();
            let rest = self.rest();
            let after_space = rest.trim_start();
            if let Some(value_part) = after_space.strip_prefix('=') {
                let value_part = value_part.trim_start();
                self.pos += rest.len() - value_part.len();
                let value = match value_part.chars().next() {
                    Some(quote @ ('"' | '\'')) => {
                        let body = &value_part[1..];
                        match body.find(quote) {
                            Some(end) => {
                                self.pos += end + 2;
                                body[..end].to_owned()
                            }
                            None => {
                                self.pos = self.input.len();
                                body.to_owned()
                            }
                        }
                    }
                    _ => {
                        let value: String = value_part
                            .chars()
                            .take_while(|c| !c.is_whitespace() && *c != '>')
                            .collect();
                        self.pos += value.len();
                        value
                    }
                };
                attributes.push((name.to_ascii_lowercase(), value));
            } else {
                attributes.push((name.to_ascii_lowercase(), String::new()));
            }
        }
    }
}

/// The length of the character reference at the start of `s` (`&amp;`, `&#39;`,
/// `&#x27;`), or 0 when there is none.
fn entity_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut i = 1;
    if bytes.get(i) == Some(&b'#') {
        i += 1;
        let hex = matches!(bytes.get(i), Some(b'x' | b'X'));
        if hex {
            i += 1;
        }
        let start = i;
        while i < bytes.len()
            && i - start < 8
            && (if hex {
                bytes[i].is_ascii_hexdigit()
            } else {
                bytes[i].is_ascii_digit()
            })
        {
            i += 1;
        }
        if i == start {
            return 0;
        }
    } else {
        let start = i;
        while i < bytes.len() && i - start < 12 && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i == start {
            return 0;
        }
    }
    if bytes.get(i) == Some(&b';') {
        i + 1
    } else {
        0
    }
}

/// Decodes the character references of text (named ones HTML feeds commonly use, and
/// every numeric one).
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let len = entity_len(rest);
        if len == 0 {
            out.push('&');
            rest = &rest[1..];
            continue;
        }
        let name = &rest[1..len - 1];
        let decoded = if let Some(number) = name.strip_prefix('#') {
            let value = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => number.parse().ok(),
            };
            value.and_then(char::from_u32)
        } else {
            match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                "ndash" => Some('–'),
                "mdash" => Some('—'),
                "hellip" => Some('…'),
                "rsquo" => Some('’'),
                "lsquo" => Some('‘'),
                "rdquo" => Some('”'),
                "ldquo" => Some('“'),
                _ => None,
            }
        };
        match decoded {
            Some(c) if !c.is_control() || c == '\n' || c == '\t' => out.push(c),
            Some(_) => {}
            None => out.push_str(&rest[..len]),
        }
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
}

/// The URL if, once its character references are decoded, it is an absolute URL with
/// one of these schemes and no whitespace or control characters.
pub fn safe_url(raw: &str, schemes: &[&str]) -> Option<String> {
    let decoded = decode_entities(raw.trim());
    if decoded.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let lower = decoded.to_ascii_lowercase();
    let scheme = schemes.iter().find(|s| lower.starts_with(**s))?;
    if decoded.len() <= scheme.len() {
        return None;
    }
    Some(decoded)
}

fn escape_attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_styles_are_dropped_with_their_content() {
        let html = "<p>Halo</p><script>alert('x')</script><STYLE>p{}</STYLE><iframe src=\"https://x\">y</iframe><p>lagi</p>";
        assert_eq!(sanitize_html(html), "<p>Halo</p><p>lagi</p>");
    }

    #[test]
    fn event_handlers_and_other_attributes_are_removed() {
        let html = r#"<p onclick="steal()" style="color:red" class="x">Teks <strong onmouseover=x>tebal</strong></p>"#;
        assert_eq!(sanitize_html(html), "<p>Teks <strong>tebal</strong></p>");
    }

    #[test]
    fn links_keep_only_http_and_https_targets() {
        assert_eq!(
            sanitize_html(r#"<a href="https://tegalkab.go.id/berita?a=1&b=2">baca</a>"#),
            "<a href=\"https://tegalkab.go.id/berita?a=1&amp;b=2\" rel=\"nofollow noopener\">baca</a>"
        );
        assert_eq!(
            sanitize_html(r#"<a href="javascript:alert(1)">x</a>"#),
            "<a>x</a>"
        );
        assert_eq!(
            sanitize_html(r#"<a href="jav&#x61;script:alert(1)">x</a>"#),
            "<a>x</a>"
        );
        assert_eq!(
            sanitize_html(r#"<a href=" JAVASCRIPT:alert(1)">x</a>"#),
            "<a>x</a>"
        );
    }

    #[test]
    fn images_need_an_https_source() {
        assert_eq!(
            sanitize_html(r#"<img src="https://cdn.example/a.jpg" alt="Bupati" onerror="x()">"#),
            "<img src=\"https://cdn.example/a.jpg\" alt=\"Bupati\">"
        );
        assert_eq!(sanitize_html(r#"<img src="http://cdn.example/a.jpg">"#), "");
        assert_eq!(
            sanitize_html(r#"<img src="data:image/png;base64,AAAA">"#),
            ""
        );
    }

    #[test]
    fn unknown_tags_keep_their_text_and_stray_brackets_are_escaped() {
        assert_eq!(
            sanitize_html("<div><span>a < b</span></div> & c > d"),
            "a &lt; b &amp; c &gt; d"
        );
        assert_eq!(
            sanitize_html("<!-- x --><ul><li>satu<li>dua</ul>"),
            "<ul><li>satu<li>dua</li></li></ul>"
        );
    }

    #[test]
    fn tags_left_open_are_closed() {
        assert_eq!(sanitize_html("<p><em>miring"), "<p><em>miring</em></p>");
        assert_eq!(sanitize_html("<p>x</strong></p>"), "<p>x</p>");
    }

    #[test]
    fn plain_text_has_no_tags_and_decodes_entities() {
        assert_eq!(
            plain_text("<p>Bupati&nbsp;Tegal</p><p>meninjau &amp; <script>x()</script>jalan</p>"),
            "Bupati Tegal meninjau & jalan"
        );
    }
}
