//! The pull of outside feeds into the app: the regency secretariat's website news feed
//! (RSS 2.0 or Atom) becomes `news`, the podcast's RSS feed becomes `podcast` episodes.
//! Each entry is stored once (deduplicated by guid/id, else link, through a conditional
//! write of its source marker), published at once, its HTML cut to the allow-list of
//! [`crate::sanitize`]. A bad entry is skipped and the rest go on; a feed that cannot be
//! fetched or parsed is reported and never stops the other one; entries complete before
//! a document breaks off are kept.

use crate::model::{FeedContent, News, Podcast, Source};
use crate::repository::{FeedRepository, IngestOutcome, RepositoryError};
use crate::sanitize::{plain_text, safe_url};
use lapor_api::config::{ConfigError, Source as ConfigSource};
use lapor_models::Timestamp;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde::Serialize;
use std::time::Duration;

/// Largest feed document read.
pub const MAX_FEED_BYTES: usize = 5 * 1024 * 1024;
/// How long one fetch may take.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(20);
/// Longest summary made from a news entry's description.
pub const SUMMARY_CHARS: usize = 300;

/// Which feeds to pull: `LAPOR_NEWS_FEED_URL` and `LAPOR_PODCAST_FEED_URL` (each optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedSources {
    pub news_url: Option<String>,
    pub podcast_url: Option<String>,
}

impl FeedSources {
    pub fn from_source(source: &dyn ConfigSource) -> Result<Self, ConfigError> {
        let url = |name: &str| -> Result<Option<String>, ConfigError> {
            match source.get(name) {
                None => Ok(None),
                Some(value) => safe_url(&value, &["http://", "https://"])
                    .map(Some)
                    .ok_or_else(|| ConfigError::Invalid {
                        name: name.to_owned(),
                        value,
                        reason: "not an http(s) URL".to_owned(),
                    }),
            }
        };
        Ok(Self {
            news_url: url("LAPOR_NEWS_FEED_URL")?,
            podcast_url: url("LAPOR_PODCAST_FEED_URL")?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.news_url.is_none() && self.podcast_url.is_none()
    }
}

/// What a feed becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    News,
    Podcast,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::News => "news",
            Target::Podcast => "podcast",
        }
    }
}

/// One entry of an RSS or Atom document, as written there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    pub title: Option<String>,
    pub link: Option<String>,
    pub guid: Option<String>,
    pub description: Option<String>,
    pub content: Option<String>,
    pub published: Option<String>,
    pub enclosure_url: Option<String>,
    pub enclosure_type: Option<String>,
    pub image_url: Option<String>,
    pub duration: Option<String>,
}

/// A parsed document: the complete entries, and why parsing stopped early, if it did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    pub error: Option<String>,
}

fn attribute(element: &BytesStart, name: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.unescape_value().ok())
        .map(|v| v.trim().to_owned())
}

/// Reads an RSS 2.0 or Atom document.
pub fn parse_feed(xml: &str) -> Parsed {
    let mut reader = Reader::from_str(xml);
    let mut parsed = Parsed::default();
    let mut root_seen = false;
    let mut depth = 0usize;
    let mut entry: Option<(usize, Entry)> = None;
    let mut field: Option<String> = None;
    let mut text = String::new();
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => {
                parsed.error = Some(format!(
                    "malformed XML near byte {}: {error}",
                    reader.error_position()
                ));
                return parsed;
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if depth == 0 {
                    root_seen = matches!(name.as_str(), "rss" | "feed" | "rdf:RDF");
                    if !root_seen {
                        parsed.error = Some(format!("not an RSS or Atom document (root <{name}>)"));
                        return parsed;
                    }
                }
                if !empty {
                    depth += 1;
                }
                match &mut entry {
                    None if matches!(name.as_str(), "item" | "entry") && !empty => {
                        entry = Some((depth, Entry::default()));
                    }
                    Some((entry_depth, current)) => {
                        let child = depth == *entry_depth + 1 || (empty && depth == *entry_depth);
                        if child {
                            match name.as_str() {
                                "link" => {
                                    if let Some(href) = attribute(e, b"href") {
                                        match attribute(e, b"rel").as_deref() {
                                            None | Some("alternate") => {
                                                current.link.get_or_insert(href);
                                            }
                                            Some("enclosure") => {
                                                current.enclosure_url.get_or_insert(href);
                                                current.enclosure_type = attribute(e, b"type");
                                            }
                                            _ => {}
                                        }
                                    }
                                }
                                "enclosure" => {
                                    current.enclosure_url = attribute(e, b"url");
                                    current.enclosure_type = attribute(e, b"type");
                                }
                                "media:content" | "media:thumbnail" => {
                                    if let Some(url) = attribute(e, b"url") {
                                        current.image_url.get_or_insert(url);
                                    }
                                }
                                _ => {}
                            }
                            if !empty {
                                field = Some(name);
                                text.clear();
                            }
                        }
                    }
                    None => {}
                }
            }
            Event::Text(t) if field.is_some() => {
                if let Ok(s) = t.decode() {
                    text.push_str(&s);
                }
            }
            Event::CData(t) if field.is_some() => {
                if let Ok(s) = t.decode() {
                    text.push_str(&s);
                }
            }
            Event::GeneralRef(r) if field.is_some() => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else if let Ok(name) = r.decode() {
                    text.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::End(_) => {
                if let Some((entry_depth, current)) = &mut entry {
                    if depth == *entry_depth + 1 {
                        if let Some(name) = field.take() {
                            let value = text.trim().to_owned();
                            let slot = match name.as_str() {
                                "title" => Some(&mut current.title),
                                "link" if current.link.is_none() => Some(&mut current.link),
                                "guid" | "id" => Some(&mut current.guid),
                                "description" | "summary" | "itunes:summary" => {
                                    Some(&mut current.description)
                                }
                                "content:encoded" | "content" => Some(&mut current.content),
                                "pubDate" | "published" | "dc:date" => Some(&mut current.published),
                                "updated" if current.published.is_none() => {
                                    Some(&mut current.published)
                                }
                                "itunes:duration" => Some(&mut current.duration),
                                _ => None,
                            };
                            if let Some(slot) = slot {
                                if !value.is_empty() && slot.is_none() {
                                    *slot = Some(value);
                                }
                            }
                        }
                    } else if depth == *entry_depth {
                        if let Some((_, done)) = entry.take() {
                            parsed.entries.push(done);
                        }
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        parsed.error = Some("empty document".to_owned());
    } else if depth != 0 {
        parsed.error = Some("the document ends before its last element closes".to_owned());
    }
    parsed
}

/// RFC 822/2822 (RSS) or RFC 3339 (Atom).
fn parse_date(raw: &str) -> Option<Timestamp> {
    let raw = raw.trim();
    chrono::DateTime::parse_from_rfc2822(raw)
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(raw))
        .ok()
        .map(|t| Timestamp::from_utc(t.with_timezone(&chrono::Utc)))
}

/// `HH:MM:SS`, `MM:SS` or seconds.
fn parse_duration(raw: &str) -> Option<u32> {
    let mut seconds: u32 = 0;
    let parts: Vec<&str> = raw.trim().split(':').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    for part in parts {
        let value: u32 = part.trim().parse().ok()?;
        seconds = seconds.checked_mul(60)?.checked_add(value)?;
    }
    Some(seconds)
}

/// The content and source an entry becomes, or why it is skipped.
pub fn entry_content(target: Target, entry: &Entry) -> Result<(FeedContent, Source), String> {
    let title = entry
        .title
        .as_deref()
        .map(plain_text)
        .filter(|t| !t.is_empty())
        .ok_or("no title")?;
    let link = entry.link.clone();
    let guid = entry
        .guid
        .clone()
        .or_else(|| link.clone())
        .ok_or("neither guid nor link")?;
    let published_at = match &entry.published {
        None => None,
        Some(raw) => Some(parse_date(raw).ok_or("unreadable date")?),
    };
    let source = Source {
        feed: target.name().to_owned(),
        guid,
    };
    let content = match target {
        Target::News => {
            let body = entry
                .content
                .clone()
                .or_else(|| entry.description.clone())
                .ok_or("no body")?;
            let summary = entry
                .description
                .as_deref()
                .map(plain_text)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    if s.chars().count() > SUMMARY_CHARS {
                        let cut: String = s.chars().take(SUMMARY_CHARS - 1).collect();
                        format!("{}…", cut.trim_end())
                    } else {
                        s
                    }
                });
            let image_url = entry
                .image_url
                .clone()
                .or_else(|| {
                    entry
                        .enclosure_type
                        .as_deref()
                        .filter(|t| t.starts_with("image/"))
                        .and(entry.enclosure_url.clone())
                })
                .and_then(|u| safe_url(&u, &["https://"]));
            FeedContent::News(News {
                title,
                summary,
                body,
                image_id: None,
                image_url,
                source_link: link,
                published_at,
            })
        }
        Target::Podcast => {
            let audio_url = entry
                .enclosure_url
                .clone()
                .filter(|_| {
                    entry
                        .enclosure_type
                        .as_deref()
                        .is_none_or(|t| t.starts_with("audio/"))
                })
                .ok_or("no audio enclosure")?;
            let duration_seconds = entry
                .duration
                .as_deref()
                .and_then(parse_duration)
                .ok_or("no readable itunes:duration")?;
            FeedContent::Podcast(Podcast {
                description: entry
                    .description
                    .clone()
                    .or_else(|| entry.content.clone())
                    .unwrap_or_else(|| title.clone()),
                title,
                audio_url,
                duration_seconds,
                published_at,
            })
        }
    };
    Ok((content, source))
}

/// One skipped entry: its position in the document and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub position: usize,
    pub reason: String,
}

/// What the pull of one feed did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceReport {
    pub target: Target,
    pub entries: usize,
    pub added: usize,
    pub duplicates: usize,
    pub skipped: Vec<Skipped>,
    /// Why the feed could not be read (wholly or from some point on).
    pub error: Option<String>,
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    pub sources: Vec<SourceReport>,
}

/// Why a feed could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("the request failed")]
    Request(#[from] reqwest::Error),
    #[error("the server answered {0}")]
    Status(u16),
    #[error("the document is larger than {MAX_FEED_BYTES} bytes")]
    TooLarge,
    #[error("the document is not UTF-8")]
    NotUtf8,
}

/// Fetches a feed document, bounded in time and size.
pub async fn fetch(client: &reqwest::Client, url: &str) -> Result<String, FetchError> {
    let mut response = client
        .get(url)
        .header(
            "accept",
            "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
        )
        .timeout(FETCH_TIMEOUT)
        .send()
        .await?;
    if !response.status().is_success() {
        return Err(FetchError::Status(response.status().as_u16()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_FEED_BYTES {
            return Err(FetchError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| FetchError::NotUtf8)
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Pulls one feed into the repository. Store failures stop this feed (the entries not
/// stored are taken again on the next run); a bad entry is only skipped.
pub async fn ingest_feed(
    repository: &FeedRepository,
    client: &reqwest::Client,
    target: Target,
    url: &str,
    now: Timestamp,
) -> SourceReport {
    let mut report = SourceReport {
        target,
        entries: 0,
        added: 0,
        duplicates: 0,
        skipped: Vec::new(),
        error: None,
    };
    let document = match fetch(client, url).await {
        Ok(document) => document,
        Err(error) => {
            report.error = Some(error_chain(&error));
            return report;
        }
    };
    let parsed = parse_feed(&document);
    report.error = parsed.error;
    report.entries = parsed.entries.len();
    // Oldest first, so that the newest entry is listed at the head.
    let mut entries: Vec<(usize, Entry, Option<Timestamp>)> = parsed
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let at = e.published.as_deref().and_then(parse_date);
            (i, e, at)
        })
        .collect();
    entries.reverse();
    entries.sort_by_key(|(_, _, at)| *at);
    for (position, entry, _) in entries {
        let (content, source) = match entry_content(target, &entry) {
            Ok(ok) => ok,
            Err(reason) => {
                report.skipped.push(Skipped {
                    position,
                    reason: reason.to_owned(),
                });
                continue;
            }
        };
        match repository.ingest(content, source, now).await {
            Ok(IngestOutcome::Added(_)) => report.added += 1,
            Ok(IngestOutcome::Duplicate) => report.duplicates += 1,
            Err(RepositoryError::Invalid(violations)) => report.skipped.push(Skipped {
                position,
                reason: format!(
                    "invalid {}",
                    violations
                        .iter()
                        .map(|v| format!("{} ({})", v.field, v.code))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
            Err(error) => {
                report.error = Some(error_chain(&error));
                break;
            }
        }
    }
    report.skipped.sort_by_key(|s| s.position);
    report
}

/// Pulls every configured feed; one failing never stops the other.
pub async fn run(
    repository: &FeedRepository,
    client: &reqwest::Client,
    sources: &FeedSources,
    now: Timestamp,
) -> IngestReport {
    let mut report = IngestReport::default();
    for (target, url) in [
        (Target::News, &sources.news_url),
        (Target::Podcast, &sources.podcast_url),
    ] {
        let Some(url) = url else { continue };
        let source = ingest_feed(repository, client, target, url, now).await;
        if let Some(error) = &source.error {
            tracing::warn!(feed = target.name(), error = %error, added = source.added, "feed ingest had a problem");
        } else {
            tracing::info!(
                feed = target.name(),
                added = source.added,
                duplicates = source.duplicates,
                skipped = source.skipped.len(),
                "feed ingested"
            );
        }
        report.sources.push(source);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_every_itunes_form() {
        assert_eq!(parse_duration("1:02:03"), Some(3723));
        assert_eq!(parse_duration("12:30"), Some(750));
        assert_eq!(parse_duration("95"), Some(95));
        assert_eq!(parse_duration("ten"), None);
    }

    #[test]
    fn rss_and_atom_dates_are_read() {
        assert_eq!(
            parse_date("Tue, 01 Dec 2026 08:00:00 +0700").map(|t| t.to_rfc3339()),
            Some("2026-12-01T01:00:00.000Z".to_owned())
        );
        assert_eq!(
            parse_date("2026-12-01T08:00:00+07:00").map(|t| t.to_rfc3339()),
            Some("2026-12-01T01:00:00.000Z".to_owned())
        );
        assert_eq!(parse_date("kemarin"), None);
    }

    #[test]
    fn a_document_that_is_not_a_feed_is_refused() {
        let parsed = parse_feed("<html><body>Maintenance</body></html>");
        assert!(parsed.entries.is_empty());
        assert!(parsed.error.unwrap().contains("not an RSS or Atom"));
    }
}
