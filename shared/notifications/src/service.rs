//! Notifications of report changes, exactly once per (event, recipient, channel): the
//! consumer of the change stream reads the report's `last_event` from the new image,
//! plans who hears what on which channel (the channel policy), and delivers each planned
//! notification by first claiming its deterministic id with a conditional write
//! (`pk = REPORT#<report>`, `sk = NOTIF#<id>`), then sending, then recording the outcome
//! (`pending` → `sent` | `failed` (error, attempts) | `skipped`; `deferred` for a
//! reporter's SMS that waits out quiet hours). A redelivered record finds its
//! notifications `sent` and sends nothing; a `failed` one is sent again.
//!
//! Channel policy: push to every enabled device of the recipient. SMS to the PICs for
//! new work (`assigned`, `forwarded`, `reopened`) and to the unit head and the regent's
//! staff for `escalated`; SMS to a reporter only when they opted in and have no device,
//! and outside 21:00–06:00 WIB unless they must act.
//!
//! Logs carry ids only: never a phone number, a token or a message text.

use crate::directory::{
    mask_phone, normalize_phone, Device, Directory, DirectoryError, STAFF_UNIT,
};
use crate::message::{push_body, push_message, sms_text, Event};
use crate::notifier::{Notifier, SendError};
use async_trait::async_trait;
use chrono::{Duration, TimeZone, Timelike};
use lapor_consumers::{ChangeHandler, HandlerError};
use lapor_models::time::WIB;
use lapor_models::{ReportId, Timestamp, UserId};
use lapor_reports::model::Report;
use lapor_store::{
    ChangeRecord, Condition, Index, Item, ItemStore, Key, Query, SortCondition, StoreError, Update,
};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The index partition of deferred notifications, sorted by when they may go.
const DEFERRED_PARTITION: &str = "NOTIFY#DEFERRED";
/// A `pending` claim older than this is taken to have died with its sender.
const STALE_CLAIM_SECONDS: i64 = 300;

/// Settings of notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyConfig {
    /// Base of the short links in SMS (`LAPOR_LINK_BASE`): `<base>/<tracking code>`.
    pub link_base: String,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            link_base: "https://lapor.tegalkab.go.id/t".into(),
        }
    }
}

/// A channel of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Sms,
    Push,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Push => "push",
        }
    }
}

/// Where a notification goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Phone(String),
    Device(Device),
}

/// One notification to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub id: String,
    pub report_id: ReportId,
    pub version: u64,
    pub event: String,
    pub recipient: UserId,
    pub recipient_role: &'static str,
    pub channel: Channel,
    pub target: Target,
    /// What is sent: the SMS text, or the SNS push message (JSON).
    pub payload: String,
    /// What people read (the SMS text, the push body), for the admin list.
    pub summary: String,
    /// Not before (quiet hours).
    pub deliver_after: Option<Timestamp>,
}

/// Why notifying failed.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the report image of {0} cannot be read")]
    Corrupt(String, #[source] serde_json::Error),
    #[error("{failed} of {planned} notifications of {report} v{version} failed")]
    Failed {
        report: String,
        version: u64,
        failed: usize,
        planned: usize,
    },
    #[error("notification {0} is being sent by another worker")]
    InFlight(String),
}

impl NotifyError {
    pub fn is_retryable(&self) -> bool {
        match self {
            NotifyError::Directory(DirectoryError::Store(e)) | NotifyError::Store(e) => {
                e.is_retryable()
            }
            NotifyError::Directory(DirectoryError::Corrupt(..)) | NotifyError::Corrupt(..) => false,
            NotifyError::Failed { .. } | NotifyError::InFlight(_) => true,
        }
    }
}

/// What delivering one planned notification did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    Deferred,
    /// Already sent, deferred or skipped by an earlier delivery of the same event.
    AlreadyDone,
    /// The device was disabled and pruned.
    Skipped,
    Failed,
}

/// What one change record led to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    pub planned: usize,
    pub sent: usize,
    pub deferred: usize,
    pub already_done: usize,
    pub skipped: usize,
    pub failed: usize,
}

/// A notification as the admin list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotificationView {
    pub id: String,
    pub event: String,
    pub version: u64,
    pub channel: String,
    pub recipient: String,
    pub recipient_role: String,
    /// A masked phone number or a device id.
    pub to: String,
    pub message: String,
    pub status: String,
    pub attempts: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deliver_after: Option<String>,
}

/// The deterministic id of a notification: the same event, recipient and channel (and
/// device) always give the same id.
pub fn notification_id(
    report: &ReportId,
    version: u64,
    recipient: &UserId,
    channel: Channel,
    target: &str,
) -> String {
    let mut hash = Sha256::new();
    for part in [
        report.to_string(),
        version.to_string(),
        recipient.to_string(),
        channel.as_str().to_owned(),
        target.to_owned(),
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `now` falls in the quiet hours (21:00–06:00 WIB), and when they end.
pub fn quiet_hours_end(now: Timestamp) -> Option<Timestamp> {
    let wib = now.in_wib();
    let hour = wib.hour();
    if (6..21).contains(&hour) {
        return None;
    }
    let day = if hour >= 21 {
        wib.date_naive() + Duration::days(1)
    } else {
        wib.date_naive()
    };
    let morning = day.and_hms_opt(6, 0, 0)?;
    let at = WIB.from_local_datetime(&morning).single()?;
    Some(Timestamp::from_utc(at.with_timezone(&chrono::Utc)))
}

fn notification_key(report: &ReportId, id: &str) -> Key {
    Key::new(format!("REPORT#{report}"), format!("NOTIF#{id}"))
}

fn text_of<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name).and_then(Value::as_str)
}

/// Notifications, over the store, the directory and a sender.
#[derive(Clone)]
pub struct NotificationService {
    store: Arc<dyn ItemStore>,
    directory: Directory,
    notifier: Arc<dyn Notifier>,
    config: NotifyConfig,
}

impl NotificationService {
    pub fn new(
        store: Arc<dyn ItemStore>,
        notifier: Arc<dyn Notifier>,
        config: NotifyConfig,
    ) -> Self {
        Self {
            directory: Directory::new(store.clone()),
            store,
            notifier,
            config,
        }
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    pub fn notifier(&self) -> &Arc<dyn Notifier> {
        &self.notifier
    }

    /// The report and its event kind, when this change is a report's new event.
    pub fn report_event(record: &ChangeRecord) -> Result<Option<(Report, String)>, NotifyError> {
        if record.key.sk != "REPORT" || !record.key.pk.starts_with("REPORT#") {
            return Ok(None);
        }
        let Some(new) = &record.new_image else {
            return Ok(None);
        };
        let event = |image: &Item| image.get("last_event").cloned();
        if record.old_image.as_ref().and_then(event) == event(new) {
            return Ok(None);
        }
        let report: Report = serde_json::from_value(Value::Object(new.clone()))
            .map_err(|e| NotifyError::Corrupt(record.key.pk.clone(), e))?;
        let Some(kind) = report.last_event.as_ref().map(|e| e.kind.clone()) else {
            return Ok(None);
        };
        Ok(Some((report, kind)))
    }

    /// Handles one change record at `now`.
    pub async fn on_change(
        &self,
        record: &ChangeRecord,
        now: Timestamp,
    ) -> Result<Outcome, NotifyError> {
        let Some((report, kind)) = Self::report_event(record)? else {
            return Ok(Outcome::default());
        };
        let planned = self.plan(&report, &kind, now).await?;
        let mut outcome = Outcome {
            planned: planned.len(),
            ..Outcome::default()
        };
        let mut in_flight = None;
        for notification in &planned {
            match self.deliver(notification, now).await {
                Ok(Delivery::Sent) => outcome.sent += 1,
                Ok(Delivery::Deferred) => outcome.deferred += 1,
                Ok(Delivery::AlreadyDone) => outcome.already_done += 1,
                Ok(Delivery::Skipped) => outcome.skipped += 1,
                Ok(Delivery::Failed) => outcome.failed += 1,
                Err(NotifyError::InFlight(id)) => in_flight = Some(id),
                Err(error) => return Err(error),
            }
        }
        tracing::info!(report_id = %report.id, version = report.version, event = %kind, planned = outcome.planned, sent = outcome.sent, deferred = outcome.deferred, already_done = outcome.already_done, skipped = outcome.skipped, failed = outcome.failed, "notifications");
        if outcome.failed > 0 {
            return Err(NotifyError::Failed {
                report: report.id.to_string(),
                version: report.version,
                failed: outcome.failed,
                planned: outcome.planned,
            });
        }
        if let Some(id) = in_flight {
            return Err(NotifyError::InFlight(id));
        }
        Ok(outcome)
    }

    /// Who hears what about `report`'s event `kind`.
    pub async fn plan(
        &self,
        report: &Report,
        kind: &str,
        now: Timestamp,
    ) -> Result<Vec<Planned>, NotifyError> {
        let version = report
            .last_event
            .as_ref()
            .map_or(report.version, |e| e.version);
        let title = report
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| report.description.clone());
        let mut planned = Vec::new();
        let mut add = |recipient: &UserId,
                       role: &'static str,
                       event: Event,
                       channel: Channel,
                       target: Target,
                       deliver_after: Option<Timestamp>| {
            let (target_id, payload, summary) = match (&target, channel) {
                (Target::Device(device), _) => (
                    device.device_id.clone(),
                    push_message(event, &report.id, &report.tracking_code, &title),
                    push_body(event, &report.tracking_code, &title),
                ),
                (Target::Phone(_), _) => {
                    let text =
                        sms_text(event, &report.tracking_code, &title, &self.config.link_base);
                    ("sms".to_owned(), text.clone(), text)
                }
            };
            planned.push(Planned {
                id: notification_id(&report.id, version, recipient, channel, &target_id),
                report_id: report.id,
                version,
                event: kind.to_owned(),
                recipient: recipient.clone(),
                recipient_role: role,
                channel,
                target,
                payload,
                summary,
                deliver_after,
            });
        };
        if let Some(event) = Event::for_staff(kind) {
            let unit = report.unit_id.to_string();
            let pics = self.directory.pics(&unit).await?;
            let mut recipients = if event == Event::Escalated {
                let mut chosen: Vec<_> = pics.iter().filter(|p| p.is_head).cloned().collect();
                chosen.extend(self.directory.pics(STAFF_UNIT).await?);
                if chosen.is_empty() {
                    chosen = pics.clone();
                }
                chosen
            } else {
                pics
            };
            let mut seen = BTreeSet::new();
            recipients.retain(|p| seen.insert(p.user_id.clone()));
            for pic in recipients {
                for device in self.directory.devices(&pic.user_id).await? {
                    if device.enabled {
                        add(
                            &pic.user_id,
                            "pic",
                            event,
                            Channel::Push,
                            Target::Device(device),
                            None,
                        );
                    }
                }
                if event.sms_to_staff() {
                    if let Some(phone) = normalize_phone(&pic.phone) {
                        add(
                            &pic.user_id,
                            "pic",
                            event,
                            Channel::Sms,
                            Target::Phone(phone),
                            None,
                        );
                    }
                }
            }
        }
        if let Some(event) = Event::for_reporter(kind) {
            let reporter = &report.reporter.user_id;
            let devices: Vec<_> = self
                .directory
                .devices(reporter)
                .await?
                .into_iter()
                .filter(|d| d.enabled)
                .collect();
            if devices.is_empty() {
                let phone = report.reporter.phone.as_deref().and_then(normalize_phone);
                if let Some(phone) = phone {
                    if self.directory.settings(reporter).await?.sms {
                        let wait = if event.urgent_for_reporter() {
                            None
                        } else {
                            quiet_hours_end(now)
                        };
                        add(
                            reporter,
                            "citizen",
                            event,
                            Channel::Sms,
                            Target::Phone(phone),
                            wait,
                        );
                    }
                }
            }
            for device in devices {
                add(
                    reporter,
                    "citizen",
                    event,
                    Channel::Push,
                    Target::Device(device),
                    None,
                );
            }
        }
        Ok(planned)
    }

    fn item(&self, n: &Planned, status: &str, now: Timestamp) -> Item {
        let (to, device_id) = match &n.target {
            Target::Phone(phone) => (phone.clone(), None),
            Target::Device(device) => (device.endpoint.clone(), Some(device.device_id.clone())),
        };
        let key = notification_key(&n.report_id, &n.id);
        let mut item = json!({
            "pk": key.pk, "sk": key.sk, "type": "notification",
            "notification_id": n.id, "report_id": n.report_id, "version": n.version,
            "event": n.event, "recipient": n.recipient, "recipient_role": n.recipient_role,
            "channel": n.channel.as_str(), "to": to, "payload": n.payload, "message": n.summary,
            "status": status, "attempts": if status == "pending" { 1 } else { 0 },
            "created_at": now, "updated_at": now, "claimed_epoch": now.as_utc().timestamp(),
        });
        if let Some(id) = device_id {
            item["device_id"] = Value::from(id);
            item["device_updated_at"] = json!(match &n.target {
                Target::Device(d) => d.updated_at,
                Target::Phone(_) => now,
            });
        }
        if let (Some(after), "deferred") = (n.deliver_after, status) {
            item["deliver_after"] = json!(after);
            item["gsi3pk"] = Value::from(DEFERRED_PARTITION);
            item["gsi3sk"] = Value::from(format!("{after}#{}#{}", n.report_id, n.id));
        }
        match item {
            Value::Object(map) => map,
            _ => Item::new(),
        }
    }

    /// Claims, sends and records one notification.
    pub async fn deliver(&self, n: &Planned, now: Timestamp) -> Result<Delivery, NotifyError> {
        let deferred = n.deliver_after.is_some_and(|after| after > now);
        let status = if deferred { "deferred" } else { "pending" };
        match self
            .store
            .put(self.item(n, status, now), Some(Condition::NotExists))
            .await
        {
            Ok(()) if deferred => {
                tracing::info!(report_id = %n.report_id, notification = %n.id, "sms deferred to the end of quiet hours");
                return Ok(Delivery::Deferred);
            }
            Ok(()) => {}
            Err(StoreError::ConditionFailed) => {
                if !self.reclaim(&n.report_id, &n.id, now).await? {
                    return Ok(Delivery::AlreadyDone);
                }
            }
            Err(error) => return Err(error.into()),
        }
        self.send(
            &notification_key(&n.report_id, &n.id),
            n.channel,
            &n.target,
            &n.payload,
            now,
        )
        .await
    }

    /// Takes a failed (or long-abandoned pending) notification for another attempt.
    /// `false`: it is done (sent, deferred or skipped). In flight elsewhere: an error.
    async fn reclaim(
        &self,
        report: &ReportId,
        id: &str,
        now: Timestamp,
    ) -> Result<bool, NotifyError> {
        let key = notification_key(report, id);
        let epoch = now.as_utc().timestamp();
        let condition = Condition::Or(vec![
            Condition::AttributeEquals("status".into(), Value::from("failed")),
            Condition::And(vec![
                Condition::AttributeEquals("status".into(), Value::from("pending")),
                Condition::AttributeLessThan("claimed_epoch".into(), epoch - STALE_CLAIM_SECONDS),
            ]),
        ]);
        let updates = vec![
            Update::Set("status".into(), Value::from("pending")),
            Update::Set("claimed_epoch".into(), Value::from(epoch)),
            Update::Set("updated_at".into(), json!(now)),
            Update::Add("attempts".into(), 1),
        ];
        match self.store.update(&key, updates, Some(condition)).await {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => {
                let current = self.store.get(&key).await?;
                match current.as_ref().and_then(|i| text_of(i, "status")) {
                    Some("pending") => Err(NotifyError::InFlight(id.to_owned())),
                    _ => Ok(false),
                }
            }
            Err(error) => Err(error.into()),
        }
    }

    async fn send(
        &self,
        key: &Key,
        channel: Channel,
        target: &Target,
        payload: &str,
        now: Timestamp,
    ) -> Result<Delivery, NotifyError> {
        let result = match target {
            Target::Phone(phone) => self.notifier.send_sms(phone, payload).await,
            Target::Device(device) => self.notifier.send_push(&device.endpoint, payload).await,
        };
        let at = Timestamp::now().max(now);
        let (updates, delivery) = match result {
            Ok(message_id) => (
                vec![
                    Update::Set("status".into(), Value::from("sent")),
                    Update::Set("sent_at".into(), json!(at)),
                    Update::Set("message_id".into(), Value::from(message_id)),
                    Update::Remove("error".into()),
                ],
                Delivery::Sent,
            ),
            Err(SendError::EndpointDisabled) => {
                if let Target::Device(device) = target {
                    self.directory.prune_device(device).await?;
                }
                (
                    vec![
                        Update::Set("status".into(), Value::from("skipped")),
                        Update::Set("error".into(), Value::from("endpoint_disabled")),
                    ],
                    Delivery::Skipped,
                )
            }
            Err(error) => {
                let cause = std::error::Error::source(&error).map(|s| s.to_string());
                tracing::warn!(notification = %key.sk, channel = channel.as_str(), retryable = error.is_retryable(), error = %error, "notification failed");
                let text = match cause {
                    Some(cause) => {
                        format!("{error}: {}", cause.chars().take(200).collect::<String>())
                    }
                    None => error.to_string(),
                };
                (
                    vec![
                        Update::Set("status".into(), Value::from("failed")),
                        Update::Set("error".into(), Value::from(text)),
                    ],
                    Delivery::Failed,
                )
            }
        };
        let mut updates = updates;
        updates.push(Update::Set("updated_at".into(), json!(at)));
        self.store
            .update(
                key,
                updates,
                Some(Condition::AttributeEquals(
                    "status".into(),
                    Value::from("pending"),
                )),
            )
            .await?;
        Ok(delivery)
    }

    /// Sends the deferred notifications whose quiet hours are over; how many were sent.
    /// Safe to run at any time and concurrently: each is claimed before it is sent.
    pub async fn flush_deferred(&self, now: Timestamp) -> Result<usize, NotifyError> {
        let mut sent = 0;
        let mut cursor = None;
        loop {
            let page = self
                .store
                .query(
                    Query::index(Index::Gsi3, DEFERRED_PARTITION)
                        .sort(SortCondition::LessOrEqual(format!("{now}~")))
                        .limit(100)
                        .after(cursor.take()),
                )
                .await?;
            for item in page.items {
                let Some(key) = Key::of(&item) else { continue };
                let claimed = self
                    .store
                    .update(
                        &key,
                        vec![
                            Update::Set("status".into(), Value::from("pending")),
                            Update::Set(
                                "claimed_epoch".into(),
                                Value::from(now.as_utc().timestamp()),
                            ),
                            Update::Add("attempts".into(), 1),
                            Update::Remove("gsi3pk".into()),
                            Update::Remove("gsi3sk".into()),
                        ],
                        Some(Condition::AttributeEquals(
                            "status".into(),
                            Value::from("deferred"),
                        )),
                    )
                    .await;
                match claimed {
                    Ok(_) => {}
                    Err(StoreError::ConditionFailed) => continue,
                    Err(error) => return Err(error.into()),
                }
                let (Some(to), Some(payload)) = (text_of(&item, "to"), text_of(&item, "payload"))
                else {
                    continue;
                };
                let target = Target::Phone(to.to_owned());
                if self.send(&key, Channel::Sms, &target, payload, now).await? == Delivery::Sent {
                    sent += 1;
                }
            }
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(sent),
            }
        }
    }

    /// What was sent about a report, oldest first.
    pub async fn list(&self, report: &ReportId) -> Result<Vec<NotificationView>, NotifyError> {
        let mut views = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .store
                .query(
                    Query::table(format!("REPORT#{report}"))
                        .sort(SortCondition::BeginsWith("NOTIF#".into()))
                        .after(cursor.take()),
                )
                .await?;
            for item in page.items {
                let text = |name: &str| text_of(&item, name).unwrap_or_default().to_owned();
                let channel = text("channel");
                let to = if channel == "sms" {
                    mask_phone(&text("to"))
                } else {
                    text("device_id")
                };
                views.push(NotificationView {
                    id: text("notification_id"),
                    event: text("event"),
                    version: item.get("version").and_then(Value::as_u64).unwrap_or(0),
                    channel,
                    recipient: text("recipient"),
                    recipient_role: text("recipient_role"),
                    to,
                    message: text("message"),
                    status: text("status"),
                    attempts: item.get("attempts").and_then(Value::as_u64).unwrap_or(0),
                    error: text_of(&item, "error").map(str::to_owned),
                    created_at: text("created_at"),
                    sent_at: text_of(&item, "sent_at").map(str::to_owned),
                    deliver_after: text_of(&item, "deliver_after").map(str::to_owned),
                });
            }
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        views.sort_by(|a, b| (&a.created_at, &a.id).cmp(&(&b.created_at, &b.id)));
        Ok(views)
    }
}

#[async_trait]
impl ChangeHandler for NotificationService {
    async fn handle(&self, record: &ChangeRecord) -> Result<(), HandlerError> {
        match self.on_change(record, Timestamp::now()).await {
            Ok(_) => Ok(()),
            Err(error) => {
                let retryable = error.is_retryable();
                let message = format!("notifications of {} failed: {error}", record.key.pk);
                let failure = if retryable {
                    HandlerError::retryable(message)
                } else {
                    HandlerError::permanent(message)
                };
                Err(failure.with_source(error))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_run_from_nine_in_the_evening_to_six_in_the_morning_wib() {
        let at = |s: &str| Timestamp::parse(s).unwrap();
        assert_eq!(quiet_hours_end(at("2026-03-02T10:00:00+07:00")), None);
        assert_eq!(quiet_hours_end(at("2026-03-02T20:59:00+07:00")), None);
        assert_eq!(
            quiet_hours_end(at("2026-03-02T21:00:00+07:00")),
            Some(at("2026-03-03T06:00:00+07:00"))
        );
        assert_eq!(
            quiet_hours_end(at("2026-03-03T05:59:00+07:00")),
            Some(at("2026-03-03T06:00:00+07:00"))
        );
    }

    #[test]
    fn the_notification_id_is_the_same_for_the_same_event_recipient_and_channel() {
        let report: ReportId = "01890a5d-ac96-774b-bcce-b302099a8057".parse().unwrap();
        let user = UserId::new("pic-1").unwrap();
        let a = notification_id(&report, 3, &user, Channel::Sms, "sms");
        assert_eq!(a, notification_id(&report, 3, &user, Channel::Sms, "sms"));
        assert_ne!(a, notification_id(&report, 4, &user, Channel::Sms, "sms"));
        assert_ne!(a, notification_id(&report, 3, &user, Channel::Push, "sms"));
    }
}
