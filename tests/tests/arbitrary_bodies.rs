//! Property tests: whatever JSON a client sends to a write route, the answer is never a
//! 5xx. Bodies are arbitrary JSON values and mutations of a valid submission.

use axum::body::Body;
use http::{Request, StatusCode};
use lapor_api::local_token::local_claims;
use lapor_tests::TempDir;
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::ServiceExt;

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::from),
        prop_oneof![
            Just("jalan-rusak"),
            Just("kec-slawi"),
            Just("public"),
            Just("confidential"),
            Just("app")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("subcategory_id".to_owned()),
                    Just("description".to_owned()),
                    Just("location".to_owned()),
                    Just("lat".to_owned()),
                    Just("lon".to_owned()),
                    Just("kecamatan_id".to_owned()),
                    Just("privacy".to_owned()),
                    Just("media_ids".to_owned()),
                    Just("title".to_owned()),
                    "[a-z_]{1,12}",
                ],
                inner,
                0..8,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn valid_submission() -> Value {
    json!({
        "subcategory_id": "jalan-rusak",
        "description": "Jalan berlubang besar di depan balai desa Procot.",
        "location": {"lat": -6.9824, "lon": 109.1364, "kecamatan_id": "kec-slawi"},
        "privacy": "public"
    })
}

/// A valid submission with one member replaced by an arbitrary value.
fn mutated_submission() -> impl Strategy<Value = Value> {
    (
        prop_oneof![
            Just(vec!["subcategory_id"]),
            Just(vec!["description"]),
            Just(vec!["privacy"]),
            Just(vec!["title"]),
            Just(vec!["media_ids"]),
            Just(vec!["channel"]),
            Just(vec!["location"]),
            Just(vec!["location", "lat"]),
            Just(vec!["location", "lon"]),
            Just(vec!["location", "kecamatan_id"]),
            Just(vec!["location", "desa"]),
        ],
        arbitrary_json(),
    )
        .prop_map(|(path, value)| {
            let mut body = valid_submission();
            let mut target = &mut body;
            for segment in &path[..path.len() - 1] {
                target = &mut target[*segment];
            }
            target[path[path.len() - 1]] = value;
            body
        })
}

fn any_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        arbitrary_json().prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()),
        mutated_submission().prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()),
        prop::collection::vec(any::<u8>(), 0..200),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn no_body_sent_to_a_write_route_gets_a_server_error(body in any_body(), key in "[ -~]{0,40}") {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let dir = TempDir::new("prop");
            let app = lapor_local::LocalApp::open(dir.path()).await.unwrap();
            let token = app.key.sign(&local_claims("citizen", "prop-citizen", None, None, 1));
            for path in ["/v1/reports", "/v1/reports/0190f1e2-7a1b-7c3d-8e4f-123456789abc/support"] {
                let request = Request::post(path)
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .header("idempotency-key", key.clone())
                    .body(Body::from(body.clone()))
                    .unwrap();
                let response = app.router().oneshot(request).await.unwrap();
                prop_assert!(
                    response.status() < StatusCode::INTERNAL_SERVER_ERROR,
                    "{} answered {} to {:?}", path, response.status(), String::from_utf8_lossy(&body)
                );
            }
            Ok(())
        })?;
    }
}
