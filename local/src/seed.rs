//! First-start seeding of the reference data into the store: one item per unit (the
//! PIC directory and escalation contacts hang off these) and a marker that records when
//! and from which data the store was seeded. Safe to run at every start: items already
//! there are left alone, so a restart writes nothing.

use lapor_models::ReferenceData;
use lapor_store::{Condition, Item, ItemStore, Key, StoreError};
use serde_json::{json, Value};

/// The key of the seed marker.
pub fn marker_key() -> Key {
    Key::new("META", "SEED")
}

/// When the store was first seeded, if it was.
pub async fn seed_marker(store: &dyn ItemStore) -> Result<Option<String>, StoreError> {
    Ok(store.get(&marker_key()).await?.and_then(|item| {
        item.get("seeded_at")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }))
}

fn object(value: Value) -> Item {
    match value {
        Value::Object(map) => map,
        _ => Item::new(),
    }
}

/// Writes what is missing of the reference data; returns how many items it wrote.
pub async fn seed_reference_data(
    store: &dyn ItemStore,
    data: &ReferenceData,
) -> Result<usize, StoreError> {
    if seed_marker(store).await?.is_some() {
        return Ok(0);
    }
    let mut written = 0;
    for unit in &data.units {
        let item = object(json!({
            "pk": format!("UNIT#{}", unit.id),
            "sk": "UNIT",
            "type": "unit",
            "id": unit.id,
            "kind": unit.kind,
            "name": unit.name,
            "short_name": unit.short_name,
            "gsi1pk": "UNITS",
            "gsi1sk": format!("{}#{}", serde_json::to_value(unit.kind).unwrap_or_default().as_str().unwrap_or(""), unit.id),
        }));
        match store.put(item, Some(Condition::NotExists)).await {
            Ok(()) => written += 1,
            Err(StoreError::ConditionFailed) => {}
            Err(error) => return Err(error),
        }
    }
    let marker = object(json!({
        "pk": "META",
        "sk": "SEED",
        "type": "seed",
        "seeded_at": lapor_models::Timestamp::now(),
        "region": data.region.kemendagri_code,
        "units": data.units.len(),
        "categories": data.categories.len(),
        "subcategories": data.subcategory_count(),
    }));
    match store.put(marker, Some(Condition::NotExists)).await {
        Ok(()) => written += 1,
        Err(StoreError::ConditionFailed) => {}
        Err(error) => return Err(error),
    }
    Ok(written)
}
