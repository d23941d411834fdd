//! Test support for SNS on moto (`MOTO_ENDPOINT`, panicking with the command to run when
//! it is missing): an SNS engine with fresh FCM and APNs platform applications, and what
//! moto recorded as sent (`/moto-api/data.json`).

use crate::sns::{SnsNotifier, SnsSettings};
use serde_json::Value;

/// An SNS client on moto.
pub async fn client() -> aws_sdk_sns::Client {
    aws_sdk_sns::Client::new(&lapor_store::moto::sdk_config().await)
}

/// An SNS engine on moto with its own platform applications named after `name`.
pub async fn notifier(name: &str) -> SnsNotifier {
    let client = client().await;
    let unique = lapor_store::contract::unique_prefix(name);
    let mut arns = Vec::new();
    for platform in ["GCM", "APNS"] {
        let out = client
            .create_platform_application()
            .name(format!("{unique}-{platform}"))
            .platform(platform)
            .send()
            .await
            .unwrap_or_else(|e| panic!("cannot create a platform application on moto: {e:?}"));
        arns.push(
            out.platform_application_arn()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    SnsNotifier::new(
        client,
        SnsSettings {
            sender_id: "LAPORTEGAL".into(),
            sms_type: "Transactional".into(),
            fcm_application_arn: arns.first().cloned(),
            apns_application_arn: arns.get(1).cloned(),
        },
    )
}

/// moto's record of SNS (`SMS`, `PlatformEndpoint` with their `messages`).
///
/// moto builds `data.json` from every service's live objects while other requests go
/// on, and answers 500 when one of them changed under it (a DynamoDB stream record
/// appended mid-dump, from a test running alongside): such an answer is asked again,
/// at most 50 times, 100 ms apart.
pub async fn sent() -> Value {
    let url = format!("{}/moto-api/data.json", lapor_store::moto::endpoint());
    let mut last_error = String::new();
    for _ in 0..50 {
        match reqwest::get(&url).await {
            Ok(response) if response.status().is_success() => {
                match response.json::<Value>().await {
                    Ok(data) => return data["sns"].clone(),
                    Err(e) => last_error = e.to_string(),
                }
            }
            Ok(response) => last_error = format!("HTTP {}", response.status()),
            Err(e) => last_error = e.to_string(),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("GET {url}: {last_error}")
}

/// The SMS texts moto recorded for a phone number.
pub async fn sms_to(phone: &str) -> Vec<String> {
    sent().await["SMS"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["phone_number"] == phone)
        .filter_map(|m| m["message"].as_str().map(str::to_owned))
        .collect()
}

/// The push messages moto recorded for an endpoint.
pub async fn pushes_to(endpoint: &str) -> Vec<String> {
    sent().await["PlatformEndpoint"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["arn"] == endpoint)
        .flat_map(|e| {
            e["messages"]
                .as_object()
                .map(|m| {
                    m.values()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
        .collect()
}
