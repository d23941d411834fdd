//! Social tracking on the item-store port. Single-table keys (see
//! `shared/store/DESIGN.md`):
//!
//! | item | pk | sk | indexes |
//! | --- | --- | --- | --- |
//! | official account | `SOCIALACCOUNT#<platform>#<account id>` | `ACCOUNT` | gsi1 `SOCIALACCOUNTS` / `<unit>#<platform>#<account id>` |
//! | poll cursor | `SOCIALACCOUNT#<platform>#<account id>` | `CURSOR` | |
//! | post | `POST#<platform>#<post id>` | `POST` | gsi1 `SOCIALPOST` · gsi2 `SOCIALPOST#unit#<unit>` · gsi3 `SOCIALPOST#linked\|unlinked` · gsi4 `SOCIALPOST#platform#<platform>`, each sorted `<published>#<platform>#<post id>` |
//! | link, report side | `REPORT#<report id>` | `POST#<platform>#<post id>` | |
//! | link, post side | `POST#<platform>#<post id>` | `LINK#<report id>` | |
//! | counts | `SOCIALSTATS#unit#<unit>` or `SOCIALSTATS#pic#<pic>` | `STATS` | |
//! | public timeline entry | `REPORT#<report id>` | `EVENT#<published>#SOCIAL#<platform>#<post id>` | |
//!
//! A post is stored once per platform and id (conditional put); an edit rewrites it only
//! when its content changed; a deletion marks it. A link is one transaction — both link
//! items (conditional), the post's report list, the counters (atomic adds) and, for a
//! public report, the timeline entry (conditional) — so a re-run never links or counts
//! twice.

use crate::model::{
    Account, AccountPatch, FetchedPost, NewAccount, Platform, PollCursor, SocialPost,
};
use crate::text;
use lapor_models::{Caller, Privacy, ReportId, Role, Timestamp, UnitId};
use lapor_reports::repository::{timeline_item, ReportRepository};
use lapor_reports::{Report, RepositoryError, TimelineEntry, Viewer};
use lapor_store::{
    Condition, Cursor, Index, Item, ItemStore, Key, Query, SortCondition, StoreError, Update,
    WriteOp,
};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Why a social call failed.
#[derive(Debug, thiserror::Error)]
pub enum SocialError {
    #[error("the request breaks {} rule(s)", .0.len())]
    Invalid(Vec<Violation>),
    #[error("the account is already registered")]
    AccountExists,
    #[error("no such account")]
    AccountNotFound,
    #[error("no such report")]
    ReportNotFound,
    #[error("the cursor does not belong to this listing")]
    BadCursor,
    #[error("stored item {0} is not a valid record")]
    Corrupt(String, #[source] serde_json::Error),
    #[error(transparent)]
    Reports(#[from] RepositoryError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub use lapor_models::Violation;

/// What storing one fetched post did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct RecordOutcome {
    /// The post carries the hashtag and is stored.
    pub kept: bool,
    pub created: bool,
    pub updated: bool,
    /// New links to reports made by this call.
    pub linked: usize,
}

/// Filters of the post list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostFilter {
    pub unit_id: Option<UnitId>,
    pub platform: Option<Platform>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub linked: Option<bool>,
}

/// A page of posts and where to go on.
#[derive(Debug, Clone, PartialEq)]
pub struct PostPage {
    pub items: Vec<SocialPost>,
    pub cursor: Option<String>,
}

/// Counts for the leaderboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Posts with the hashtag.
    pub posts: i64,
    /// Links of those posts to reports.
    pub linked_posts: i64,
}

const LIST_QUERY_BUDGET: usize = 5;
const HANDLE_MAX: usize = 100;
const ACCOUNT_ID_MAX: usize = 128;

fn object(value: Value) -> Item {
    match value {
        Value::Object(map) => map,
        _ => Item::new(),
    }
}

fn account_key(platform: Platform, account_id: &str) -> Key {
    Key::new(format!("SOCIALACCOUNT#{platform}#{account_id}"), "ACCOUNT")
}

fn cursor_key(account: &Account) -> Key {
    Key::new(
        format!("SOCIALACCOUNT#{}#{}", account.platform, account.account_id),
        "CURSOR",
    )
}

fn post_pk(platform: Platform, post_id: &str) -> String {
    format!("POST#{platform}#{post_id}")
}

fn post_key(platform: Platform, post_id: &str) -> Key {
    Key::new(post_pk(platform, post_id), "POST")
}

fn stats_key(kind: &str, id: &str) -> Key {
    Key::new(format!("SOCIALSTATS#{kind}#{id}"), "STATS")
}

fn post_sort_key(post: &SocialPost) -> String {
    format!("{}#{}#{}", post.published_at, post.platform, post.post_id)
}

fn content_hash(post: &FetchedPost) -> String {
    let mut hasher = Sha256::new();
    for part in [
        post.text.as_str(),
        post.url.as_deref().unwrap_or(""),
        post.media_type.as_deref().unwrap_or(""),
        post.media_url.as_deref().unwrap_or(""),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher.update([u8::from(post.deleted)]);
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn post_item(post: &SocialPost, hash: &str) -> Result<Item, serde_json::Error> {
    let mut item = object(serde_json::to_value(post)?);
    let key = post_key(post.platform, &post.post_id);
    let sort = post_sort_key(post);
    let linked = if post.report_ids.is_empty() {
        "unlinked"
    } else {
        "linked"
    };
    for (name, value) in [
        ("pk", key.pk),
        ("sk", key.sk),
        ("type", "social_post".to_owned()),
        ("content_hash", hash.to_owned()),
        ("gsi1pk", "SOCIALPOST".to_owned()),
        ("gsi2pk", format!("SOCIALPOST#unit#{}", post.unit_id)),
        ("gsi3pk", format!("SOCIALPOST#{linked}")),
        ("gsi4pk", format!("SOCIALPOST#platform#{}", post.platform)),
    ] {
        item.insert(name.into(), Value::from(value));
    }
    for name in ["gsi1sk", "gsi2sk", "gsi3sk", "gsi4sk"] {
        item.insert(name.into(), Value::from(sort.clone()));
    }
    Ok(item)
}

fn parse<T: serde::de::DeserializeOwned>(item: Item) -> Result<T, SocialError> {
    let key = item
        .get("pk")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned();
    serde_json::from_value(Value::Object(item)).map_err(|e| SocialError::Corrupt(key, e))
}

fn encode_cursor(partition: &str, cursor: Option<Cursor>) -> Option<String> {
    lapor_store::page_token::encode(partition, cursor)
}

fn decode_cursor(partition: &str, text: Option<&str>) -> Result<Option<Cursor>, SocialError> {
    lapor_store::page_token::decode(partition, text).map_err(|_| SocialError::BadCursor)
}

/// The social repository.
#[derive(Clone)]
pub struct SocialRepository {
    store: Arc<dyn ItemStore>,
    reports: ReportRepository,
}

impl SocialRepository {
    pub fn new(store: Arc<dyn ItemStore>, reports: ReportRepository) -> Self {
        Self { store, reports }
    }

    pub fn reports(&self) -> &ReportRepository {
        &self.reports
    }

    fn hashtag(&self) -> &str {
        &self.reports.reference().region.hashtag
    }

    fn tracking_prefix(&self) -> &str {
        &self.reports.reference().region.tracking_prefix
    }

    // ---- the account registry ----

    fn check_account_fields(
        &self,
        handle: Option<&str>,
        unit: Option<&str>,
        credentials_ref: Option<&str>,
        violations: &mut Vec<Violation>,
    ) -> Option<UnitId> {
        if let Some(handle) = handle {
            let handle = handle.trim();
            if handle.is_empty() || handle.chars().count() > HANDLE_MAX {
                violations.push(Violation::new(
                    "handle",
                    "invalid",
                    "Nama akun wajib diisi, paling banyak 100 karakter.",
                    "The handle is required, at most 100 characters.",
                ));
            }
        }
        if let Some(reference) = credentials_ref {
            let ok = !reference.is_empty()
                && reference.len() <= 512
                && reference
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/_-.".contains(&b));
            if !ok {
                violations.push(Violation::new(
                    "credentials_ref",
                    "invalid",
                    "Rujukan kredensial harus nama parameter SSM atau nama variabel lingkungan (huruf, angka, / _ - .), bukan token.",
                    "The credentials reference must be an SSM parameter or environment variable name (letters, digits, / _ - .), not a token.",
                ));
            }
        }
        let unit = unit?;
        match unit
            .parse::<UnitId>()
            .ok()
            .filter(|u| self.reports.reference().unit(u).is_some())
        {
            Some(unit) => Some(unit),
            None => {
                violations.push(Violation::new(
                    "unit_id",
                    "unknown_unit",
                    "Unit tidak dikenal; lihat GET /v1/units.",
                    "Unknown unit; see GET /v1/units.",
                ));
                None
            }
        }
    }

    /// Registers an official account.
    pub async fn create_account(
        &self,
        new: &NewAccount,
        now: Timestamp,
    ) -> Result<Account, SocialError> {
        let mut violations = Vec::new();
        let platform = new.platform.parse::<Platform>().ok();
        if platform.is_none() {
            violations.push(Violation::new(
                "platform",
                "unknown_platform",
                "Platform harus instagram, facebook, x, youtube, atau tiktok.",
                "Platform must be instagram, facebook, x, youtube or tiktok.",
            ));
        }
        let account_id = new.account_id.trim();
        if account_id.is_empty()
            || account_id.len() > ACCOUNT_ID_MAX
            || !account_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
        {
            violations.push(Violation::new(
                "account_id",
                "invalid",
                "ID akun wajib diisi: huruf, angka, _ - . (paling banyak 128).",
                "The account id is required: letters, digits, _ - . (at most 128).",
            ));
        }
        let unit = self.check_account_fields(
            Some(&new.handle),
            Some(&new.unit_id),
            Some(&new.credentials_ref),
            &mut violations,
        );
        let (Some(platform), Some(unit), true) = (platform, unit, violations.is_empty()) else {
            return Err(SocialError::Invalid(violations));
        };
        let account = Account {
            platform,
            account_id: account_id.to_owned(),
            handle: new.handle.trim().trim_start_matches('@').to_owned(),
            unit_id: unit,
            credentials_ref: new.credentials_ref.clone(),
            pic_id: new.pic_id.clone().filter(|p| !p.trim().is_empty()),
            active: new.active,
            created_at: now,
            updated_at: now,
        };
        match self
            .store
            .put(account_item(&account)?, Some(Condition::NotExists))
            .await
        {
            Ok(()) => Ok(account),
            Err(StoreError::ConditionFailed) => Err(SocialError::AccountExists),
            Err(error) => Err(error.into()),
        }
    }

    pub async fn account(
        &self,
        platform: Platform,
        account_id: &str,
    ) -> Result<Option<Account>, SocialError> {
        match self.store.get(&account_key(platform, account_id)).await? {
            Some(item) => parse(item).map(Some),
            None => Ok(None),
        }
    }

    /// Every registered account, by unit.
    pub async fn list_accounts(&self) -> Result<Vec<Account>, SocialError> {
        let mut accounts = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .store
                .query(Query::index(Index::Gsi1, "SOCIALACCOUNTS").after(cursor))
                .await?;
            for item in page.items {
                accounts.push(parse(item)?);
            }
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(accounts),
            }
        }
    }

    pub async fn active_accounts(&self) -> Result<Vec<Account>, SocialError> {
        Ok(self
            .list_accounts()
            .await?
            .into_iter()
            .filter(|a| a.active)
            .collect())
    }

    /// Changes an account; the fields absent from the patch stay.
    pub async fn update_account(
        &self,
        platform: Platform,
        account_id: &str,
        patch: &AccountPatch,
        now: Timestamp,
    ) -> Result<Account, SocialError> {
        let mut violations = Vec::new();
        let unit = self.check_account_fields(
            patch.handle.as_deref(),
            patch.unit_id.as_deref(),
            patch.credentials_ref.as_deref(),
            &mut violations,
        );
        if !violations.is_empty() {
            return Err(SocialError::Invalid(violations));
        }
        let mut account = self
            .account(platform, account_id)
            .await?
            .ok_or(SocialError::AccountNotFound)?;
        if let Some(handle) = &patch.handle {
            account.handle = handle.trim().trim_start_matches('@').to_owned();
        }
        if let Some(unit) = unit {
            account.unit_id = unit;
        }
        if let Some(reference) = &patch.credentials_ref {
            account.credentials_ref = reference.clone();
        }
        if let Some(pic) = &patch.pic_id {
            account.pic_id = Some(pic.clone()).filter(|p| !p.trim().is_empty());
        }
        if let Some(active) = patch.active {
            account.active = active;
        }
        account.updated_at = now;
        match self
            .store
            .put(account_item(&account)?, Some(Condition::Exists))
            .await
        {
            Ok(()) => Ok(account),
            Err(StoreError::ConditionFailed) => Err(SocialError::AccountNotFound),
            Err(error) => Err(error.into()),
        }
    }

    /// Stops polling an account (kept, with its posts and cursor).
    pub async fn deactivate_account(
        &self,
        platform: Platform,
        account_id: &str,
        now: Timestamp,
    ) -> Result<Account, SocialError> {
        let patch = AccountPatch {
            active: Some(false),
            ..AccountPatch::default()
        };
        self.update_account(platform, account_id, &patch, now).await
    }

    pub async fn cursor(&self, account: &Account) -> Result<PollCursor, SocialError> {
        match self.store.get(&cursor_key(account)).await? {
            Some(item) => parse(item),
            None => Ok(PollCursor::default()),
        }
    }

    pub async fn save_cursor(
        &self,
        account: &Account,
        cursor: &PollCursor,
    ) -> Result<(), SocialError> {
        let mut item = object(
            serde_json::to_value(cursor).map_err(|e| SocialError::Corrupt("cursor".into(), e))?,
        );
        let key = cursor_key(account);
        item.insert("pk".into(), Value::from(key.pk));
        item.insert("sk".into(), Value::from(key.sk));
        item.insert("type".into(), Value::from("social_cursor"));
        self.store.put(item, None).await?;
        Ok(())
    }

    // ---- posts and links ----

    pub async fn post(
        &self,
        platform: Platform,
        post_id: &str,
    ) -> Result<Option<SocialPost>, SocialError> {
        match self.store.get(&post_key(platform, post_id)).await? {
            Some(item) => parse(item).map(Some),
            None => Ok(None),
        }
    }

    /// Stores one fetched post of `account` if it carries the hashtag (once per platform
    /// and id; an edit rewrites it), and links it to every report whose tracking code it
    /// names.
    pub async fn record(
        &self,
        account: &Account,
        fetched: &FetchedPost,
        now: Timestamp,
    ) -> Result<RecordOutcome, SocialError> {
        if fetched.deleted {
            self.mark_deleted(account.platform, &fetched.id, now)
                .await?;
            return Ok(RecordOutcome::default());
        }
        if !text::has_hashtag(&fetched.text, self.hashtag()) {
            return Ok(RecordOutcome::default());
        }
        let mut outcome = RecordOutcome {
            kept: true,
            ..RecordOutcome::default()
        };
        let codes = text::tracking_codes(&fetched.text, self.tracking_prefix());
        let hash = content_hash(fetched);
        let key = post_key(account.platform, &fetched.id);
        let existing = self.store.get(&key).await?;
        let mut post = SocialPost {
            platform: account.platform,
            post_id: fetched.id.clone(),
            account_id: account.account_id.clone(),
            handle: account.handle.clone(),
            unit_id: account.unit_id.clone(),
            text: fetched.text.clone(),
            url: fetched.url.clone(),
            media_type: fetched.media_type.clone(),
            media_url: fetched.media_url.clone(),
            published_at: fetched.published_at,
            first_seen_at: now,
            updated_at: now,
            deleted: false,
            tracking_codes: codes.iter().map(|c| c.to_string()).collect(),
            report_ids: Vec::new(),
        };
        let corrupt = |e| SocialError::Corrupt(key.pk.clone(), e);
        match existing {
            None => {
                let ops = vec![
                    WriteOp::Put {
                        item: post_item(&post, &hash).map_err(corrupt)?,
                        condition: Some(Condition::NotExists),
                    },
                    count_op("unit", account.unit_id.as_str(), "posts"),
                ]
                .into_iter()
                .chain(
                    account
                        .pic_id
                        .as_deref()
                        .map(|pic| count_op("pic", pic, "posts")),
                )
                .collect();
                match self.store.transact_write(ops).await {
                    Ok(()) => outcome.created = true,
                    // Another run stored it meanwhile: it is stored once.
                    Err(StoreError::TransactionCanceled { failed }) if failed.contains(&0) => {}
                    Err(error) => return Err(error.into()),
                }
            }
            Some(item) => {
                let stored_hash = item
                    .get("content_hash")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let stored: SocialPost = parse(item)?;
                post.first_seen_at = stored.first_seen_at;
                post.report_ids = stored.report_ids.clone();
                if stored_hash != hash || stored.deleted {
                    post.updated_at = now;
                    match self
                        .store
                        .put(
                            post_item(&post, &hash).map_err(corrupt)?,
                            Some(Condition::AttributeEquals(
                                "content_hash".into(),
                                Value::from(stored_hash),
                            )),
                        )
                        .await
                    {
                        Ok(()) => outcome.updated = true,
                        // A concurrent writer changed it first; its version stands.
                        Err(StoreError::ConditionFailed) => {}
                        Err(error) => return Err(error.into()),
                    }
                }
            }
        }
        for code in codes {
            let Some(report) = self.reports.by_tracking_code(&code).await? else {
                continue;
            };
            let current = self
                .post(account.platform, &fetched.id)
                .await?
                .unwrap_or_else(|| post.clone());
            if current.report_ids.contains(&report.id) {
                continue;
            }
            if self.link(account, &current, &report, now).await? {
                outcome.linked += 1;
            }
        }
        Ok(outcome)
    }

    /// Links a post to a report in one transaction; `false` when it was linked already.
    async fn link(
        &self,
        account: &Account,
        post: &SocialPost,
        report: &Report,
        now: Timestamp,
    ) -> Result<bool, SocialError> {
        let pk = post_pk(post.platform, &post.post_id);
        let corrupt = |e| SocialError::Corrupt(pk.clone(), e);
        let mut report_ids = post.report_ids.clone();
        report_ids.push(report.id);
        let mut ops = vec![
            WriteOp::Put {
                item: object(json!({
                    "pk": format!("REPORT#{}", report.id),
                    "sk": pk,
                    "type": "social_link",
                    "platform": post.platform,
                    "post_id": post.post_id,
                    "published_at": post.published_at,
                    "linked_at": now,
                })),
                condition: Some(Condition::NotExists),
            },
            WriteOp::Put {
                item: object(json!({
                    "pk": pk,
                    "sk": format!("LINK#{}", report.id),
                    "type": "social_link",
                    "report_id": report.id,
                    "linked_at": now,
                })),
                condition: Some(Condition::NotExists),
            },
            WriteOp::Update {
                key: post_key(post.platform, &post.post_id),
                updates: vec![
                    Update::Set(
                        "report_ids".into(),
                        serde_json::to_value(&report_ids).map_err(corrupt)?,
                    ),
                    Update::Set("gsi3pk".into(), Value::from("SOCIALPOST#linked")),
                ],
                condition: Some(Condition::Exists),
            },
            count_op("unit", account.unit_id.as_str(), "linked_posts"),
        ];
        if let Some(pic) = &account.pic_id {
            ops.push(count_op("pic", pic, "linked_posts"));
        }
        if report.privacy == Privacy::Public {
            let entry = TimelineEntry {
                at: post.published_at,
                kind: "social_post".into(),
                role: Role::Pic,
                unit_id: Some(account.unit_id.clone()),
                status: report.status,
                public: true,
                text: format!(
                    "Tindak lanjut dipublikasikan di {} @{}{}",
                    post.platform.label(),
                    post.handle,
                    post.url
                        .as_deref()
                        .map(|u| format!(": {u}"))
                        .unwrap_or_else(|| ".".into())
                ),
                internal_note: None,
                media_ids: Vec::new(),
            };
            let mut item = timeline_item(&report.id, 0, &entry).map_err(corrupt)?;
            item.insert(
                "sk".into(),
                Value::from(format!(
                    "EVENT#{}#SOCIAL#{}#{}",
                    post.published_at, post.platform, post.post_id
                )),
            );
            ops.push(WriteOp::Put {
                item,
                condition: Some(Condition::NotExists),
            });
        }
        match self.store.transact_write(ops).await {
            Ok(()) => Ok(true),
            Err(StoreError::TransactionCanceled { .. }) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    /// Marks a stored post deleted; a post never stored is left alone.
    pub async fn mark_deleted(
        &self,
        platform: Platform,
        post_id: &str,
        now: Timestamp,
    ) -> Result<bool, SocialError> {
        match self
            .store
            .update(
                &post_key(platform, post_id),
                vec![
                    Update::Set("deleted".into(), Value::from(true)),
                    Update::SetIfAbsent("deleted_at".into(), json!(now)),
                    Update::Set("content_hash".into(), Value::from("deleted")),
                ],
                Some(Condition::Exists),
            )
            .await
        {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    /// The posts linked to a report, as `caller` may see them: none exist for a caller
    /// who may not see the report; deleted posts are left out.
    pub async fn posts_for_report(
        &self,
        id: &ReportId,
        caller: &Caller,
    ) -> Result<Vec<SocialPost>, SocialError> {
        let report = self
            .reports
            .get(id)
            .await?
            .ok_or(SocialError::ReportNotFound)?;
        if Viewer::of(caller, &report).is_none() {
            return Err(SocialError::ReportNotFound);
        }
        let mut keys = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .store
                .query(
                    Query::table(format!("REPORT#{id}"))
                        .sort(SortCondition::BeginsWith("POST#".into()))
                        .after(cursor),
                )
                .await?;
            for item in &page.items {
                if let Some(sk) = item.get("sk").and_then(Value::as_str) {
                    keys.push(Key::new(sk, "POST"));
                }
            }
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut posts = Vec::new();
        for chunk in keys.chunks(lapor_store::MAX_BATCH_GET) {
            for item in self.store.batch_get(chunk).await? {
                let post: SocialPost = parse(item)?;
                if !post.deleted {
                    posts.push(post);
                }
            }
        }
        posts.sort_by_key(|p| std::cmp::Reverse(p.published_at));
        Ok(posts)
    }

    /// Posts, newest first, from the narrowest index partition the filters allow; the
    /// other filters are applied to what it returns.
    pub async fn list_posts(
        &self,
        filter: &PostFilter,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<PostPage, SocialError> {
        let (index, partition) = if let Some(unit) = &filter.unit_id {
            (Index::Gsi2, format!("SOCIALPOST#unit#{unit}"))
        } else if let Some(platform) = filter.platform {
            (Index::Gsi4, format!("SOCIALPOST#platform#{platform}"))
        } else if let Some(linked) = filter.linked {
            let which = if linked { "linked" } else { "unlinked" };
            (Index::Gsi3, format!("SOCIALPOST#{which}"))
        } else {
            (Index::Gsi1, "SOCIALPOST".to_owned())
        };
        let sort = SortCondition::time_range(
            filter.since.map(|t| t.to_rfc3339()),
            filter.until.map(|t| t.to_rfc3339()),
        );
        let mut store_cursor = decode_cursor(&partition, cursor)?;
        let mut items = Vec::new();
        for _ in 0..LIST_QUERY_BUDGET {
            let remaining = limit.saturating_sub(items.len());
            if remaining == 0 {
                break;
            }
            let mut query = Query::index(index, partition.clone())
                .descending()
                .limit(remaining)
                .after(store_cursor.take());
            query.sort = sort.clone();
            let page = self.store.query(query).await?;
            for item in page.items {
                let post: SocialPost = parse(item)?;
                if matches_filter(&post, filter) {
                    items.push(post);
                }
            }
            store_cursor = page.cursor;
            if store_cursor.is_none() {
                break;
            }
        }
        Ok(PostPage {
            items,
            cursor: encode_cursor(&partition, store_cursor),
        })
    }

    /// The leaderboard counts of a unit or a PIC (`kind` `unit` or `pic`).
    pub async fn counts(&self, kind: &str, id: &str) -> Result<Counts, SocialError> {
        let item = self.store.get(&stats_key(kind, id)).await?;
        let number = |name: &str| {
            item.as_ref()
                .and_then(|i| i.get(name))
                .and_then(Value::as_i64)
                .unwrap_or(0)
        };
        Ok(Counts {
            posts: number("posts"),
            linked_posts: number("linked_posts"),
        })
    }

    /// Notes that a platform asked (by webhook) for an account to be read again soon.
    pub async fn request_poll(&self, account: &Account, now: Timestamp) -> Result<(), SocialError> {
        self.store
            .update(
                &account_key(account.platform, &account.account_id),
                vec![Update::Set("poll_requested_at".into(), json!(now))],
                Some(Condition::Exists),
            )
            .await?;
        Ok(())
    }
}

fn count_op(kind: &str, id: &str, counter: &str) -> WriteOp {
    WriteOp::Update {
        key: stats_key(kind, id),
        updates: vec![
            Update::Add(counter.into(), 1),
            Update::SetIfAbsent("type".into(), Value::from("social_stats")),
        ],
        condition: None,
    }
}

fn account_item(account: &Account) -> Result<Item, SocialError> {
    let mut item = object(
        serde_json::to_value(account).map_err(|e| SocialError::Corrupt("account".into(), e))?,
    );
    let key = account_key(account.platform, &account.account_id);
    item.insert("pk".into(), Value::from(key.pk));
    item.insert("sk".into(), Value::from(key.sk));
    item.insert("type".into(), Value::from("social_account"));
    item.insert("gsi1pk".into(), Value::from("SOCIALACCOUNTS"));
    item.insert(
        "gsi1sk".into(),
        Value::from(format!(
            "{}#{}#{}",
            account.unit_id, account.platform, account.account_id
        )),
    );
    Ok(item)
}

fn matches_filter(post: &SocialPost, filter: &PostFilter) -> bool {
    !post.deleted
        && filter.unit_id.as_ref().is_none_or(|u| u == &post.unit_id)
        && filter.platform.is_none_or(|p| p == post.platform)
        && filter
            .linked
            .is_none_or(|linked| linked != post.report_ids.is_empty())
        && filter.since.is_none_or(|t| post.published_at >= t)
        && filter.until.is_none_or(|t| post.published_at <= t)
}
