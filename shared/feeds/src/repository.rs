//! The feed repository on the item-store port (single-table design).
//!
//! | item | `pk` / `sk` | index attributes |
//! |---|---|---|
//! | feed item | `FEEDITEM#<id>` / `FEEDITEM` | always `gsi4` = `FEEDADMIN#<kind>` / `<created_at>#<id>` (the admin list); while published or scheduled `gsi1` = `FEED#<kind>` / `<listed_at>#<id>`, and for `umkm` `gsi2` = `FEED#umkm#kec#<kecamatan>` and `gsi3` = `FEED#umkm#cat#<category>` with the same sort key |
//! | search token of a listed UMKM entry | `FEEDTOKEN#umkm#<token>` / `<listed_at>#<id>` | — |
//! | ingested source marker | `FEEDSRC#<sha256 of feed and guid>` / `FEEDSRC` | — |
//!
//! `listed_at` is when the item became visible (publication) or becomes visible (a
//! schedule's `publish_at`). Public lists read an index partition newest first with the
//! key condition `sort key <= <now - settle>#~`: a scheduled item appears exactly when
//! its time comes, with no scheduler. Because every newly visible item is keyed at the
//! time it becomes visible, it always lands at the head of the list: a cursor further
//! down (the last key read) is never disturbed, so paging never repeats or skips an item
//! while items are added. `settle` (a second or two in production) covers the moment
//! between taking a write's time and the write reaching the index.
//!
//! Every write of an item and its token items is one transaction, conditioned on the
//! item's version (or on its absence when created; an ingested item also on its source
//! marker's absence, so a re-run of the ingest never duplicates).

use crate::kind::FeedKind;
use crate::media::{MediaPublishError, PublicMedia, SiteMedia};
use crate::model::{FeedContent, FeedId, FeedItem, FeedState, Source, UmkmCategory, Violation};
use crate::text::tokens;
use lapor_models::{ReferenceData, Timestamp};
use lapor_store::{
    Condition, Cursor, Index, Item, ItemStore, Key, Query, SortCondition, StoreError, WriteOp,
};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Most store pages one filtered list reads to fill a page.
const MAX_ROUNDS: usize = 8;
/// How many items of each kind the home screen shows.
pub const HOME_LATEST: usize = 5;
pub const HOME_ANNOUNCEMENTS: usize = 10;
pub const HOME_EMERGENCY: usize = 50;

/// Why a repository call failed.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    #[error("the content breaks {} rule(s)", .0.len())]
    Invalid(Vec<Violation>),
    #[error("no such feed item")]
    NotFound,
    #[error("the item changed meanwhile")]
    Conflict,
    #[error("the item is already visible and cannot be scheduled")]
    AlreadyPublished,
    #[error("the cursor does not belong to this list")]
    BadCursor,
    #[error("the stored item {0} is not readable")]
    Corrupt(String, #[source] serde_json::Error),
    #[error("the store failed")]
    Store(#[from] StoreError),
    #[error("the content's media could not be published")]
    Media(#[from] MediaPublishError),
}

/// Filters of a public list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    /// `umkm`, `emergency`: the kecamatan (for emergency also the regency-wide numbers).
    pub kecamatan_id: Option<String>,
    /// `umkm` only.
    pub category: Option<UmkmCategory>,
    /// `umkm` only: every token must match.
    pub query: Option<String>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedPage {
    pub items: Vec<FeedItem>,
    pub cursor: Option<String>,
}

/// What the home screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Home {
    pub latest: Vec<(FeedKind, Vec<FeedItem>)>,
    pub announcements: Vec<FeedItem>,
    pub emergency: Vec<FeedItem>,
}

/// What an ingest of one entry did.
#[derive(Debug, Clone, PartialEq)]
pub enum IngestOutcome {
    Added(Box<FeedItem>),
    Duplicate,
}

fn item_key(id: &FeedId) -> Key {
    Key::new(format!("FEEDITEM#{id}"), "FEEDITEM")
}

fn list_partition(kind: FeedKind) -> String {
    format!("FEED#{kind}")
}

fn kecamatan_partition(kecamatan: &str) -> String {
    format!("FEED#umkm#kec#{kecamatan}")
}

fn category_partition(category: UmkmCategory) -> String {
    format!("FEED#umkm#cat#{}", category.as_str())
}

fn token_partition(token: &str) -> String {
    format!("FEEDTOKEN#umkm#{token}")
}

/// The key of the marker an ingested entry leaves, so that it is stored once.
pub fn source_key(source: &Source) -> Key {
    let digest = Sha256::digest(format!("{}\n{}", source.feed, source.guid).as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Key::new(format!("FEEDSRC#{hex}"), "FEEDSRC")
}

fn sort_key(at: Timestamp, id: &FeedId) -> String {
    format!("{}#{id}", at.to_rfc3339())
}

/// The highest sort key visible at `bound` (`~` sorts after every id character).
fn visible_bound(bound: Timestamp) -> SortCondition {
    SortCondition::LessOrEqual(format!("{}#~", bound.to_rfc3339()))
}

fn umkm(item: &FeedItem) -> Option<&crate::model::Umkm> {
    match &item.content {
        FeedContent::Umkm(u) => Some(u),
        _ => None,
    }
}

/// The search tokens an item is indexed by while listed.
fn token_keys(item: &FeedItem) -> BTreeSet<Key> {
    match (umkm(item), item.listed_at) {
        (Some(u), Some(at))
            if matches!(item.state, FeedState::Published | FeedState::Scheduled) =>
        {
            u.search_tokens()
                .iter()
                .map(|t| Key::new(token_partition(t), sort_key(at, &item.id)))
                .collect()
        }
        _ => BTreeSet::new(),
    }
}

fn object(value: Value) -> Item {
    match value {
        Value::Object(map) => map,
        _ => Item::new(),
    }
}

/// The stored form of an item.
pub fn to_item(item: &FeedItem) -> Item {
    let key = item_key(&item.id);
    let kind = item.kind();
    let mut stored = object(json!({
        "pk": key.pk,
        "sk": key.sk,
        "type": "feed",
        "id": item.id,
        "kind": kind,
        "state": item.state,
        "content": item.content.to_value(),
        "needs_confirmation": item.needs_confirmation,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "version": item.version,
        "gsi4pk": format!("FEEDADMIN#{kind}"),
        "gsi4sk": sort_key(item.created_at, &item.id),
    }));
    if let Some(at) = item.publish_at {
        stored.insert("publish_at".into(), json!(at));
    }
    if let Some(source) = &item.source {
        stored.insert("source".into(), json!(source));
    }
    if !item.media.is_empty() {
        stored.insert("media".into(), json!(item.media));
    }
    let listed = matches!(item.state, FeedState::Published | FeedState::Scheduled);
    if let (true, Some(at)) = (listed, item.listed_at) {
        let sort = sort_key(at, &item.id);
        stored.insert("listed_at".into(), json!(at));
        stored.insert("gsi1pk".into(), json!(list_partition(kind)));
        stored.insert("gsi1sk".into(), json!(sort));
        if let Some(u) = umkm(item) {
            stored.insert("gsi2pk".into(), json!(kecamatan_partition(&u.kecamatan_id)));
            stored.insert("gsi2sk".into(), json!(sort));
            stored.insert("gsi3pk".into(), json!(category_partition(u.category)));
            stored.insert("gsi3sk".into(), json!(sort));
            stored.insert("tokens".into(), json!(u.search_tokens()));
        }
    }
    stored
}

#[derive(Deserialize)]
struct StoredItem {
    id: FeedId,
    kind: FeedKind,
    state: FeedState,
    #[serde(default)]
    publish_at: Option<Timestamp>,
    #[serde(default)]
    listed_at: Option<Timestamp>,
    content: Value,
    #[serde(default)]
    needs_confirmation: bool,
    #[serde(default)]
    source: Option<Source>,
    #[serde(default)]
    media: Vec<PublicMedia>,
    created_at: Timestamp,
    updated_at: Timestamp,
    version: u64,
}

/// An item read back from the store.
pub fn from_item(item: Item) -> Result<FeedItem, RepositoryError> {
    let key = item
        .get("pk")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned();
    let corrupt = |e| RepositoryError::Corrupt(key.clone(), e);
    let stored: StoredItem = serde_json::from_value(Value::Object(item)).map_err(corrupt)?;
    let content = FeedContent::from_value(stored.kind, stored.content).map_err(corrupt)?;
    Ok(FeedItem {
        id: stored.id,
        state: stored.state,
        publish_at: stored.publish_at,
        listed_at: stored.listed_at,
        content,
        needs_confirmation: stored.needs_confirmation,
        source: stored.source,
        media: stored.media,
        created_at: stored.created_at,
        updated_at: stored.updated_at,
        version: stored.version,
    })
}

fn encode_cursor(partition: &str, cursor: Option<Cursor>) -> Option<String> {
    lapor_store::page_token::encode(partition, cursor)
}

fn decode_cursor(partition: &str, text: Option<&str>) -> Result<Option<Cursor>, RepositoryError> {
    lapor_store::page_token::decode(partition, text).map_err(|_| RepositoryError::BadCursor)
}

/// Where a public list reads.
struct Plan {
    index: Option<Index>,
    partition: String,
    /// The partition holds token items (ids only), not whole items.
    via_tokens: bool,
}

/// The feed repository.
#[derive(Clone)]
pub struct FeedRepository {
    store: Arc<dyn ItemStore>,
    reference: Arc<ReferenceData>,
    settle: chrono::Duration,
    /// Where saved items' uploads are published; none: items carry no media URLs.
    site_media: Option<SiteMedia>,
}

impl FeedRepository {
    /// A repository whose lists show what is visible at the moment of the read.
    pub fn new(store: Arc<dyn ItemStore>, reference: Arc<ReferenceData>) -> Self {
        Self {
            store,
            reference,
            settle: chrono::Duration::zero(),
            site_media: None,
        }
    }

    /// Copies the uploads of every saved item to the public site (see [`crate::media`]).
    pub fn with_site_media(mut self, site_media: SiteMedia) -> Self {
        self.site_media = Some(site_media);
        self
    }

    pub fn site_media(&self) -> Option<&SiteMedia> {
        self.site_media.as_ref()
    }

    /// Removes from the site the files of `before` that `after` no longer names. The
    /// item is already saved: a failure is logged and leaves an unlisted file behind.
    async fn remove_dropped_media(&self, before: &[PublicMedia], after: &[PublicMedia]) {
        let Some(site) = &self.site_media else {
            return;
        };
        for media in before {
            if after.iter().any(|m| m.upload_id == media.upload_id) {
                continue;
            }
            if let Err(error) = site.remove(media).await {
                tracing::warn!(upload_id = %media.upload_id, error = %error, "replaced feed media left on the site");
            }
        }
    }

    /// The uploads `content` names, on the public site: those in `previous` as they
    /// are, the others copied now. All of them, or an error and nothing written.
    async fn publish_media(
        &self,
        content: &FeedContent,
        previous: &[PublicMedia],
    ) -> Result<Vec<PublicMedia>, RepositoryError> {
        let Some(site) = &self.site_media else {
            return Ok(Vec::new());
        };
        let mut media: Vec<PublicMedia> = Vec::new();
        for upload in content.uploads() {
            if media.iter().any(|m| m.upload_id == upload.id) {
                continue;
            }
            match previous.iter().find(|m| m.upload_id == upload.id) {
                Some(published) => media.push(published.clone()),
                None => media.push(site.publish(&upload.id).await?),
            }
        }
        Ok(media)
    }

    /// Lists show what was visible `settle` ago (covers writes in flight and index lag).
    pub fn with_settle(mut self, settle: std::time::Duration) -> Self {
        self.settle = chrono::Duration::from_std(settle).unwrap_or(chrono::Duration::zero());
        self
    }

    pub fn reference(&self) -> &ReferenceData {
        &self.reference
    }

    pub fn store(&self) -> &Arc<dyn ItemStore> {
        &self.store
    }

    fn bound(&self, now: Timestamp) -> Timestamp {
        Timestamp::from_utc(now.as_utc() - self.settle)
    }

    /// The content validated, with its uploads checked.
    pub async fn validated(&self, content: FeedContent) -> Result<FeedContent, RepositoryError> {
        let content = content
            .validate(&self.reference)
            .map_err(RepositoryError::Invalid)?;
        let violations = self.check_uploads(&content).await?;
        if violations.is_empty() {
            Ok(content)
        } else {
            Err(RepositoryError::Invalid(violations))
        }
    }

    /// Every upload a content names must be a verified upload made for the feeds
    /// (`UPLOAD#<id>` / `UPLOAD` with `status` `verified` and `purpose` `feed`).
    pub async fn check_uploads(
        &self,
        content: &FeedContent,
    ) -> Result<Vec<Violation>, RepositoryError> {
        let uploads = content.uploads();
        if uploads.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<Key> = uploads
            .iter()
            .map(|u| Key::new(format!("UPLOAD#{}", u.id), "UPLOAD"))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let found = self.store.batch_get(&keys).await?;
        let mut violations = Vec::new();
        for upload in uploads {
            let pk = format!("UPLOAD#{}", upload.id);
            let item = found
                .iter()
                .find(|i| i.get("pk").and_then(Value::as_str) == Some(pk.as_str()));
            let text = |name: &str| {
                item.and_then(|i| i.get(name))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            let violation = match (item, text("status").as_deref(), text("purpose").as_deref()) {
                (None, _, _) => Some(Violation::new(
                    upload.field,
                    "unknown_upload",
                    "Berkas unggahan tidak ditemukan.",
                    "The upload was not found.",
                )),
                (Some(_), _, purpose) if purpose != Some("feed") => Some(Violation::new(
                    upload.field,
                    "wrong_purpose",
                    "Berkas ini tidak diunggah untuk konten aplikasi.",
                    "This upload was not made for app content.",
                )),
                (Some(_), status, _) if status != Some("verified") => Some(Violation::new(
                    upload.field,
                    "upload_not_verified",
                    "Berkas belum selesai diperiksa. Coba lagi sebentar lagi.",
                    "The upload has not been checked yet. Try again shortly.",
                )),
                _ => None,
            };
            violations.extend(violation);
        }
        Ok(violations)
    }

    /// Writes `new` over `old` (or as a new item) with the token items in one
    /// transaction, conditioned on the version read.
    async fn write(&self, old: Option<&FeedItem>, new: &FeedItem) -> Result<(), RepositoryError> {
        let condition = match old {
            Some(old) => Condition::VersionIs(old.version),
            None => Condition::NotExists,
        };
        let mut ops = vec![WriteOp::Put {
            item: to_item(new),
            condition: Some(condition),
        }];
        self.token_ops(old, new, &mut ops);
        match self.store.transact_write(ops).await {
            Ok(()) => Ok(()),
            Err(StoreError::TransactionCanceled { failed }) if failed.contains(&0) => {
                Err(RepositoryError::Conflict)
            }
            Err(error) => Err(error.into()),
        }
    }

    fn token_ops(&self, old: Option<&FeedItem>, new: &FeedItem, ops: &mut Vec<WriteOp>) {
        let before = old.map(token_keys).unwrap_or_default();
        let after = token_keys(new);
        for key in before.difference(&after) {
            ops.push(WriteOp::Delete {
                key: key.clone(),
                condition: None,
            });
        }
        for key in after.difference(&before) {
            ops.push(WriteOp::Put {
                item: object(json!({
                    "pk": key.pk, "sk": key.sk, "type": "feed-token", "id": new.id,
                })),
                condition: None,
            });
        }
    }

    /// A new draft.
    pub async fn create(
        &self,
        content: FeedContent,
        now: Timestamp,
    ) -> Result<FeedItem, RepositoryError> {
        let content = self.validated(content).await?;
        let media = self.publish_media(&content, &[]).await?;
        let item = FeedItem {
            media,
            id: FeedId::generate(),
            state: FeedState::Draft,
            publish_at: None,
            listed_at: None,
            content,
            needs_confirmation: false,
            source: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        self.write(None, &item).await?;
        Ok(item)
    }

    /// The item of this kind, in any state.
    pub async fn get(
        &self,
        kind: FeedKind,
        id: &FeedId,
    ) -> Result<Option<FeedItem>, RepositoryError> {
        match self.store.get(&item_key(id)).await? {
            None => Ok(None),
            Some(item) => {
                let item = from_item(item)?;
                Ok((item.kind() == kind).then_some(item))
            }
        }
    }

    /// The item if the public sees it now.
    pub async fn get_public(
        &self,
        kind: FeedKind,
        id: &FeedId,
        now: Timestamp,
    ) -> Result<Option<FeedItem>, RepositoryError> {
        let bound = self.bound(now);
        Ok(self
            .get(kind, id)
            .await?
            .filter(|item| item.is_visible_at(bound)))
    }

    async fn existing(&self, kind: FeedKind, id: &FeedId) -> Result<FeedItem, RepositoryError> {
        self.get(kind, id).await?.ok_or(RepositoryError::NotFound)
    }

    /// Replaces the content; the item keeps its state and place in the lists.
    pub async fn update(
        &self,
        kind: FeedKind,
        id: &FeedId,
        content: FeedContent,
        expected_version: Option<u64>,
        now: Timestamp,
    ) -> Result<FeedItem, RepositoryError> {
        let old = self.existing(kind, id).await?;
        if expected_version.is_some_and(|v| v != old.version) {
            return Err(RepositoryError::Conflict);
        }
        let content = self.validated(content).await?;
        let media = self.publish_media(&content, &old.media).await?;
        let new = FeedItem {
            media,
            content,
            updated_at: now,
            version: old.version + 1,
            ..old.clone()
        };
        self.write(Some(&old), &new).await?;
        self.remove_dropped_media(&old.media, &new.media).await;
        Ok(new)
    }

    /// Publishes now (`at` absent or past) or schedules for `at`. Publishing what is
    /// already visible changes nothing.
    pub async fn publish(
        &self,
        kind: FeedKind,
        id: &FeedId,
        at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<FeedItem, RepositoryError> {
        let old = self.existing(kind, id).await?;
        let visible = old.is_visible_at(now);
        let new = match at.filter(|at| *at > now) {
            None if visible => return Ok(old),
            None => FeedItem {
                state: FeedState::Published,
                publish_at: None,
                listed_at: Some(now),
                ..old.clone()
            },
            Some(_) if visible => return Err(RepositoryError::AlreadyPublished),
            Some(at) => FeedItem {
                state: FeedState::Scheduled,
                publish_at: Some(at),
                listed_at: Some(at),
                ..old.clone()
            },
        };
        let new = FeedItem {
            updated_at: now,
            version: old.version + 1,
            ..new
        };
        self.write(Some(&old), &new).await?;
        Ok(new)
    }

    /// Takes the item out of every public list (a draft stays a draft).
    pub async fn unpublish(
        &self,
        kind: FeedKind,
        id: &FeedId,
        now: Timestamp,
    ) -> Result<FeedItem, RepositoryError> {
        let old = self.existing(kind, id).await?;
        if matches!(old.state, FeedState::Draft | FeedState::Unpublished) {
            return Ok(old);
        }
        let new = FeedItem {
            state: FeedState::Unpublished,
            publish_at: None,
            listed_at: None,
            updated_at: now,
            version: old.version + 1,
            ..old.clone()
        };
        self.write(Some(&old), &new).await?;
        Ok(new)
    }

    /// An admin confirms a seeded item.
    pub async fn confirm(
        &self,
        kind: FeedKind,
        id: &FeedId,
        now: Timestamp,
    ) -> Result<FeedItem, RepositoryError> {
        let old = self.existing(kind, id).await?;
        if !old.needs_confirmation {
            return Ok(old);
        }
        let new = FeedItem {
            needs_confirmation: false,
            updated_at: now,
            version: old.version + 1,
            ..old.clone()
        };
        self.write(Some(&old), &new).await?;
        Ok(new)
    }

    /// Deletes the item and its token items; false when there was none.
    pub async fn delete(&self, kind: FeedKind, id: &FeedId) -> Result<bool, RepositoryError> {
        let Some(old) = self.get(kind, id).await? else {
            return Ok(false);
        };
        if let Some(site) = &self.site_media {
            for media in &old.media {
                site.remove(media).await?;
            }
        }
        let mut ops = vec![WriteOp::Delete {
            key: item_key(id),
            condition: Some(Condition::VersionIs(old.version)),
        }];
        for key in token_keys(&old) {
            ops.push(WriteOp::Delete {
                key,
                condition: None,
            });
        }
        match self.store.transact_write(ops).await {
            Ok(()) => Ok(true),
            Err(StoreError::TransactionCanceled { .. }) => Err(RepositoryError::Conflict),
            Err(error) => Err(error.into()),
        }
    }

    /// Stores an entry pulled from a source feed, published at once, unless an entry
    /// with the same source was stored before.
    pub async fn ingest(
        &self,
        content: FeedContent,
        source: Source,
        now: Timestamp,
    ) -> Result<IngestOutcome, RepositoryError> {
        let content = self.validated(content).await?;
        let marker = source_key(&source);
        let item = FeedItem {
            media: Vec::new(),
            id: FeedId::generate(),
            state: FeedState::Published,
            publish_at: None,
            listed_at: Some(now),
            content,
            needs_confirmation: false,
            source: Some(source),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let mut ops = vec![
            WriteOp::Put {
                item: object(json!({
                    "pk": marker.pk, "sk": marker.sk, "type": "feed-source",
                    "item_id": item.id, "stored_at": now,
                })),
                condition: Some(Condition::NotExists),
            },
            WriteOp::Put {
                item: to_item(&item),
                condition: Some(Condition::NotExists),
            },
        ];
        self.token_ops(None, &item, &mut ops);
        match self.store.transact_write(ops).await {
            Ok(()) => Ok(IngestOutcome::Added(Box::new(item))),
            Err(StoreError::TransactionCanceled { failed }) if failed.contains(&0) => {
                Ok(IngestOutcome::Duplicate)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Stores a seeded item as it is (published, to be confirmed), unless its id is taken.
    pub async fn put_seeded(&self, item: &FeedItem) -> Result<bool, RepositoryError> {
        let mut ops = vec![WriteOp::Put {
            item: to_item(item),
            condition: Some(Condition::NotExists),
        }];
        self.token_ops(None, item, &mut ops);
        match self.store.transact_write(ops).await {
            Ok(()) => Ok(true),
            Err(StoreError::TransactionCanceled { failed }) if failed.contains(&0) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    fn plan(&self, kind: FeedKind, filter: &ListFilter) -> Plan {
        if kind == FeedKind::Umkm {
            if let Some(token) = filter
                .query
                .as_deref()
                .map(tokens)
                .and_then(|t| t.into_iter().max_by_key(|t| t.chars().count()))
            {
                return Plan {
                    index: None,
                    partition: token_partition(&token),
                    via_tokens: true,
                };
            }
            if let Some(kecamatan) = &filter.kecamatan_id {
                return Plan {
                    index: Some(Index::Gsi2),
                    partition: kecamatan_partition(kecamatan),
                    via_tokens: false,
                };
            }
            if let Some(category) = filter.category {
                return Plan {
                    index: Some(Index::Gsi3),
                    partition: category_partition(category),
                    via_tokens: false,
                };
            }
        }
        Plan {
            index: Some(Index::Gsi1),
            partition: list_partition(kind),
            via_tokens: false,
        }
    }

    /// Whether a listed item passes the filters at `now`.
    fn accepts(kind: FeedKind, filter: &ListFilter, item: &FeedItem, now: Timestamp) -> bool {
        if item.kind() != kind || !item.is_visible_at(now) {
            return false;
        }
        match &item.content {
            FeedContent::Announcement(a) => a.is_valid_at(now),
            FeedContent::Emergency(e) => match (&filter.kecamatan_id, &e.kecamatan_id) {
                (Some(wanted), Some(scope)) => wanted == scope,
                _ => true,
            },
            FeedContent::Umkm(u) => {
                let query_tokens = filter.query.as_deref().map(tokens).unwrap_or_default();
                let indexed = u.search_tokens();
                filter
                    .kecamatan_id
                    .as_ref()
                    .is_none_or(|k| *k == u.kecamatan_id)
                    && filter.category.is_none_or(|c| c == u.category)
                    && query_tokens.iter().all(|t| indexed.contains(t))
            }
            _ => true,
        }
    }

    /// A public list, newest first, of what is visible at `now`.
    pub async fn list_public(
        &self,
        kind: FeedKind,
        filter: &ListFilter,
        limit: usize,
        cursor: Option<&str>,
        now: Timestamp,
    ) -> Result<FeedPage, RepositoryError> {
        let bound = self.bound(now);
        let plan = self.plan(kind, filter);
        let limit = limit.max(1);
        let mut store_cursor = decode_cursor(&plan.partition, cursor)?;
        let mut items = Vec::new();
        for _ in 0..MAX_ROUNDS {
            let query = Query {
                index: plan.index,
                ..Query::table(plan.partition.clone())
            }
            .sort(visible_bound(bound))
            .descending()
            .limit(limit - items.len())
            .after(store_cursor.take());
            let page = self.store.query(query).await?;
            let found = if plan.via_tokens {
                let keys: Vec<Key> = page
                    .items
                    .iter()
                    .filter_map(|t| t.get("id").and_then(Value::as_str))
                    .filter_map(|id| id.parse::<FeedId>().ok())
                    .map(|id| item_key(&id))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let mut read = Vec::new();
                for item in self.store.batch_get(&keys).await? {
                    read.push(from_item(item)?);
                }
                // Keep the token partition's order (newest first).
                let order: Vec<String> = page
                    .items
                    .iter()
                    .filter_map(|t| t.get("id").and_then(Value::as_str).map(str::to_owned))
                    .collect();
                read.sort_by_key(|i| order.iter().position(|o| *o == i.id.to_string()));
                read
            } else {
                page.items
                    .into_iter()
                    .map(from_item)
                    .collect::<Result<Vec<_>, _>>()?
            };
            items.extend(
                found
                    .into_iter()
                    .filter(|item| Self::accepts(kind, filter, item, bound)),
            );
            store_cursor = page.cursor;
            if store_cursor.is_none() || items.len() >= limit {
                break;
            }
        }
        Ok(FeedPage {
            items,
            cursor: encode_cursor(&plan.partition, store_cursor),
        })
    }

    /// Every item of a kind for admins, newest created first, in any state.
    pub async fn list_admin(
        &self,
        kind: FeedKind,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<FeedPage, RepositoryError> {
        let partition = format!("FEEDADMIN#{kind}");
        let store_cursor = decode_cursor(&partition, cursor)?;
        let page = self
            .store
            .query(
                Query::index(Index::Gsi4, partition.clone())
                    .descending()
                    .limit(limit.max(1))
                    .after(store_cursor),
            )
            .await?;
        Ok(FeedPage {
            items: page
                .items
                .into_iter()
                .map(from_item)
                .collect::<Result<_, _>>()?,
            cursor: encode_cursor(&partition, page.cursor),
        })
    }

    /// The home screen: the latest of each kind, the announcements valid now and the
    /// emergency numbers.
    pub async fn home(&self, now: Timestamp) -> Result<Home, RepositoryError> {
        let none = ListFilter::default();
        let latest_kinds = [
            FeedKind::News,
            FeedKind::Infographic,
            FeedKind::Podcast,
            FeedKind::Jalabia,
            FeedKind::Umkm,
        ];
        let (news, infographic, podcast, jalabia, umkm, announcements, emergency) = tokio::join!(
            self.list_public(latest_kinds[0], &none, HOME_LATEST, None, now),
            self.list_public(latest_kinds[1], &none, HOME_LATEST, None, now),
            self.list_public(latest_kinds[2], &none, HOME_LATEST, None, now),
            self.list_public(latest_kinds[3], &none, HOME_LATEST, None, now),
            self.list_public(latest_kinds[4], &none, HOME_LATEST, None, now),
            self.list_public(FeedKind::Announcement, &none, HOME_ANNOUNCEMENTS, None, now),
            self.list_public(FeedKind::Emergency, &none, HOME_EMERGENCY, None, now),
        );
        Ok(Home {
            latest: vec![
                (FeedKind::News, news?.items),
                (FeedKind::Infographic, infographic?.items),
                (FeedKind::Podcast, podcast?.items),
                (FeedKind::Jalabia, jalabia?.items),
                (FeedKind::Umkm, umkm?.items),
            ],
            announcements: announcements?.items,
            emergency: emergency?.items,
        })
    }
}
