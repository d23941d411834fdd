//! Who can be reached and how, on the single table: each unit's PICs
//! (`pk = UNIT#<unit>`, `sk = PIC#<user>`: name, E.164 phone, head of unit or not), the
//! devices of each user (`pk = USER#<sub>`, `sk = DEVICE#<id>`: platform, token, SNS
//! endpoint, enabled) and each user's notification settings (`pk = USER#<sub>`,
//! `sk = NOTIFY_SETTINGS`: SMS opt-in). The regent's staff, who receive escalations,
//! are kept as the PICs of the reserved unit [`STAFF_UNIT`].

use crate::notifier::Platform;
use lapor_models::{ReferenceData, Timestamp, UnitId, UserId};
use lapor_store::{Condition, Item, ItemStore, Key, Query, SortCondition, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The directory's pseudo-unit of the regent's staff (Prokompim): escalations reach them.
pub const STAFF_UNIT: &str = "pimpinan";

/// Most characters of a PIC's name.
pub const NAME_MAX: usize = 100;

/// A PIC of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pic {
    pub unit_id: String,
    pub user_id: UserId,
    pub name: String,
    /// E.164, `+628…`.
    pub phone: String,
    /// The unit head receives escalations.
    #[serde(default)]
    pub is_head: bool,
    pub updated_at: Timestamp,
}

/// A registered device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub device_id: String,
    pub user_id: UserId,
    pub platform: Platform,
    pub endpoint: String,
    pub enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A user's notification settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Settings {
    /// SMS when the user has no push endpoint (citizens; off unless asked for).
    pub sms: bool,
}

/// Why a directory call failed.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a stored directory item {0} is corrupt")]
    Corrupt(String, #[source] serde_json::Error),
}

/// An Indonesian mobile number in E.164 (`+628` and 7 to 11 more digits), from what a
/// person types: spaces, dashes and dots are ignored, `08…` and `628…` are read as `+628…`.
pub fn normalize_phone(input: &str) -> Option<String> {
    let digits: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let national = if let Some(rest) = digits.strip_prefix("+62") {
        rest.to_owned()
    } else if let Some(rest) = digits.strip_prefix("62") {
        rest.to_owned()
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest.to_owned()
    } else {
        return None;
    };
    let ok = national.starts_with('8')
        && (8..=12).contains(&national.len())
        && national.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| format!("+62{national}"))
}

/// A phone number for logs and admin lists: `+62812****7890`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 9 {
        return "****".into();
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 3..].iter().collect();
    format!("{head}****{tail}")
}

/// The id of a user's device for a token: the same token always gives the same id.
pub fn device_id(user: &UserId, platform: Platform, token: &str) -> String {
    let mut hash = Sha256::new();
    for part in [user.as_str(), platform.as_str(), token] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize()
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn unit_pk(unit: &str) -> String {
    format!("UNIT#{unit}")
}

fn user_pk(user: &UserId) -> String {
    format!("USER#{user}")
}

fn object(value: Value) -> Item {
    match value {
        Value::Object(map) => map,
        _ => Item::new(),
    }
}

fn parse<T: serde::de::DeserializeOwned>(item: Item) -> Result<T, DirectoryError> {
    let key = Key::of(&item)
        .map(|k| format!("{}/{}", k.pk, k.sk))
        .unwrap_or_default();
    serde_json::from_value(Value::Object(item)).map_err(|e| DirectoryError::Corrupt(key, e))
}

/// The directory on the store.
#[derive(Clone)]
pub struct Directory {
    store: Arc<dyn ItemStore>,
}

impl Directory {
    pub fn new(store: Arc<dyn ItemStore>) -> Self {
        Self { store }
    }

    /// Whether the id names a unit of the reference data or the staff pseudo-unit.
    pub fn is_known_unit(reference: &ReferenceData, unit: &str) -> bool {
        unit == STAFF_UNIT
            || unit
                .parse::<UnitId>()
                .is_ok_and(|u| reference.unit(&u).is_some())
    }

    async fn query_all(&self, query: Query) -> Result<Vec<Item>, DirectoryError> {
        let mut items = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.store.query(query.clone().after(cursor.take())).await?;
            items.extend(page.items);
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(items),
            }
        }
    }

    /// Adds or replaces a PIC; whether it is new.
    pub async fn put_pic(&self, pic: &Pic) -> Result<bool, DirectoryError> {
        let mut item = object(json!(pic));
        item.insert("pk".into(), Value::from(unit_pk(&pic.unit_id)));
        item.insert("sk".into(), Value::from(format!("PIC#{}", pic.user_id)));
        item.insert("type".into(), Value::from("pic"));
        let key = Key::of(&item).ok_or_else(|| StoreError::Invalid("pic key".into()))?;
        let existed = self.store.get(&key).await?.is_some();
        self.store.put(item, None).await?;
        Ok(!existed)
    }

    pub async fn pics(&self, unit: &str) -> Result<Vec<Pic>, DirectoryError> {
        self.query_all(Query::table(unit_pk(unit)).sort(SortCondition::BeginsWith("PIC#".into())))
            .await?
            .into_iter()
            .map(parse)
            .collect()
    }

    /// Removes a PIC; whether there was one.
    pub async fn remove_pic(&self, unit: &str, user: &UserId) -> Result<bool, DirectoryError> {
        let key = Key::new(unit_pk(unit), format!("PIC#{user}"));
        Ok(self.store.delete(&key, None).await?.is_some())
    }

    pub async fn devices(&self, user: &UserId) -> Result<Vec<Device>, DirectoryError> {
        self.query_all(
            Query::table(user_pk(user)).sort(SortCondition::BeginsWith("DEVICE#".into())),
        )
        .await?
        .into_iter()
        .map(parse)
        .collect()
    }

    pub async fn device(&self, user: &UserId, id: &str) -> Result<Option<Device>, DirectoryError> {
        let key = Key::new(user_pk(user), format!("DEVICE#{id}"));
        self.store.get(&key).await?.map(parse).transpose()
    }

    pub async fn put_device(&self, device: &Device) -> Result<(), DirectoryError> {
        let mut item = object(json!(device));
        item.insert("pk".into(), Value::from(user_pk(&device.user_id)));
        item.insert(
            "sk".into(),
            Value::from(format!("DEVICE#{}", device.device_id)),
        );
        item.insert("type".into(), Value::from("device"));
        self.store.put(item, None).await?;
        Ok(())
    }

    /// Removes a device; whether there was one.
    pub async fn remove_device(&self, user: &UserId, id: &str) -> Result<bool, DirectoryError> {
        let key = Key::new(user_pk(user), format!("DEVICE#{id}"));
        Ok(self.store.delete(&key, None).await?.is_some())
    }

    /// Prunes a device SNS reports disabled, unless it was registered again since.
    pub async fn prune_device(&self, device: &Device) -> Result<(), DirectoryError> {
        let key = Key::new(
            user_pk(&device.user_id),
            format!("DEVICE#{}", device.device_id),
        );
        let condition = Condition::AttributeEquals(
            "updated_at".into(),
            Value::from(device.updated_at.to_rfc3339()),
        );
        match self.store.delete(&key, Some(condition)).await {
            Ok(_) | Err(StoreError::ConditionFailed) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    pub async fn settings(&self, user: &UserId) -> Result<Settings, DirectoryError> {
        let key = Key::new(user_pk(user), "NOTIFY_SETTINGS");
        Ok(self
            .store
            .get(&key)
            .await?
            .map(parse)
            .transpose()?
            .unwrap_or_default())
    }

    pub async fn put_settings(
        &self,
        user: &UserId,
        settings: Settings,
    ) -> Result<(), DirectoryError> {
        let mut item = object(json!(settings));
        item.insert("pk".into(), Value::from(user_pk(user)));
        item.insert("sk".into(), Value::from("NOTIFY_SETTINGS"));
        item.insert("type".into(), Value::from("notify_settings"));
        self.store.put(item, None).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_mobile_numbers_are_normalised_to_e164_and_others_refused() {
        assert_eq!(
            normalize_phone("0812-3456-7890").as_deref(),
            Some("+6281234567890")
        );
        assert_eq!(
            normalize_phone("+62 812 3456 789").as_deref(),
            Some("+628123456789")
        );
        assert_eq!(
            normalize_phone("6281234567890").as_deref(),
            Some("+6281234567890")
        );
        assert_eq!(normalize_phone("+6521234567"), None);
        assert_eq!(normalize_phone("+62212345678"), None);
        assert_eq!(normalize_phone("+6281"), None);
        assert_eq!(normalize_phone("+62812345678901234"), None);
        assert_eq!(mask_phone("+6281234567890"), "+62812****890");
    }
}
