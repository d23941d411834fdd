//! Media end to end through `lapor-local`: sign an upload, PUT the bytes with an HTTP
//! client to the signed local URL, let the same ingest code that runs in AWS verify and
//! strip it, attach it to a report, read the public view and the signed media URL; and
//! the local URL's refusals (wrong length, wrong type, expired, tampered).

use lapor_media::{samples, ObjectStore};
use lapor_tests::{spawn_app, TestApp};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn report_with(media_ids: &[&str]) -> Value {
    json!({
        "subcategory_id": "jalan-rusak",
        "title": "Jalan berlubang di Jl. Raya Slawi",
        "description": "Jalan berlubang besar di depan balai desa, sudah dua minggu dan membahayakan pengendara.",
        "location": {"lat": -6.9824, "lon": 109.1364, "kecamatan_id": "kec-slawi",
                     "desa": "Procot", "address": "Jl. Raya Slawi No. 10"},
        "privacy": "anonymous",
        "media_ids": media_ids,
    })
}

async fn local_app() -> (TestApp, lapor_tests::TempDir) {
    spawn_app().await
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_photo_is_signed_uploaded_ingested_attached_and_read_without_its_location() {
    let (app, _dir) = local_app().await;
    let siti = app.token("citizen", "siti", None);
    let photo = samples::jpeg_with_gps(640, 480);
    let signed = app
        .sign_upload(&siti, "report", "image/jpeg", photo.len())
        .await;
    assert_eq!(signed["method"], "PUT");
    let upload_id = signed["upload_id"].as_str().unwrap().to_owned();
    let url = signed["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/local/uploads/{upload_id}?token=", app.base)));

    let response = app.put_upload(&signed, photo).await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    assert_eq!(app.upload_decision(&upload_id).await, "verified");

    let key = uuid::Uuid::new_v4().to_string();
    let response = app.submit(&siti, &key, &report_with(&[&upload_id])).await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let report: Value = response.json().await.unwrap();
    let public = app
        .get(&format!("/v1/reports/{}", report["id"].as_str().unwrap()))
        .await;
    assert_eq!(public.status(), 200);
    let public: Value = public.json().await.unwrap();
    assert_eq!(public["media_ids"], json!([upload_id]));
    let text = public.to_string();
    assert!(
        !text.contains("siti"),
        "the anonymous reporter leaks: {text}"
    );

    let links = app
        .app
        .media
        .media_links(std::slice::from_ref(&upload_id))
        .await
        .unwrap();
    let file = app.client.get(&links[0].url).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "image/jpeg");
    let bytes = file.bytes().await.unwrap();
    assert!(!contains(&bytes, samples::GPS_MARKER));
    assert!(!contains(&bytes, b"Exif\0\0"));
    let thumbnail = app
        .client
        .get(links[0].thumbnail_url.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(thumbnail.status(), 200);
    let tampered = links[0].url.replace("token=", "token=x");
    assert_eq!(
        app.client.get(&tampered).send().await.unwrap().status(),
        403
    );
}

#[tokio::test]
async fn another_callers_verified_upload_cannot_be_attached() {
    let (app, _dir) = local_app().await;
    let siti = app.token("citizen", "siti", None);
    let budi = app.token("citizen", "budi", None);
    let photo = samples::png(32, 32);
    let signed = app
        .sign_upload(&siti, "report", "image/png", photo.len())
        .await;
    let upload_id = signed["upload_id"].as_str().unwrap().to_owned();
    assert_eq!(app.put_upload(&signed, photo).await.status(), 200);
    assert_eq!(app.upload_decision(&upload_id).await, "verified");
    let response = app
        .submit(&budi, "key-budi-0001", &report_with(&[&upload_id]))
        .await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "media_ids[0]");
    assert_eq!(problem["errors"][0]["code"], "unknown_media");
}

#[tokio::test]
async fn a_file_that_is_not_what_it_claims_is_rejected_and_deleted() {
    let (app, _dir) = local_app().await;
    let siti = app.token("citizen", "siti", None);
    let png = samples::png(16, 16);
    let signed = app
        .sign_upload(&siti, "report", "image/jpeg", png.len())
        .await;
    let upload_id = signed["upload_id"].as_str().unwrap().to_owned();
    assert_eq!(app.put_upload(&signed, png).await.status(), 200);
    assert_eq!(app.upload_decision(&upload_id).await, "rejected");
    let record = app
        .app
        .media
        .uploads()
        .get(&upload_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.reason.as_deref(), Some("type_mismatch"));
    // Ingest marks the record, then deletes the object: allow it a moment (≤ 5 s).
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.app.media_objects.get(&record.key).await.is_ok() {
        assert!(
            Instant::now() < deadline,
            "the rejected file is still stored"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let response = app
        .submit(&siti, "key-siti-0001", &report_with(&[&upload_id]))
        .await;
    assert_eq!(response.status(), 422);
}

async fn problem_of(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (status, body["type"].as_str().unwrap_or("").to_owned())
}

#[tokio::test]
async fn the_local_upload_url_refuses_wrong_length_type_expiry_and_signature() {
    let (app, _dir) = local_app().await;
    let siti = app.token("citizen", "siti", None);
    let photo = samples::jpeg_with_gps(16, 16);
    let signed = app
        .sign_upload(&siti, "report", "image/jpeg", photo.len())
        .await;
    let url = signed["url"].as_str().unwrap().to_owned();

    let longer = [photo.clone(), vec![0]].concat();
    let response = app
        .client
        .put(&url)
        .header("content-type", "image/jpeg")
        .body(longer)
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem_of(response).await,
        (400, "urn:lapor:problem:upload-length-mismatch".into())
    );

    let response = app
        .client
        .put(&url)
        .header("content-type", "image/png")
        .body(photo.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem_of(response).await,
        (400, "urn:lapor:problem:upload-type-mismatch".into())
    );

    let at = url.rfind('.').unwrap() + 3;
    let swapped = if &url[at..=at] == "A" { "B" } else { "A" };
    let tampered = format!("{}{swapped}{}", &url[..at], &url[at + 1..]);
    let response = app
        .client
        .put(&tampered)
        .header("content-type", "image/jpeg")
        .body(photo.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem_of(response).await,
        (403, "urn:lapor:problem:signature-invalid".into())
    );

    let upload_id = signed["upload_id"].as_str().unwrap();
    let key = format!("incoming/siti/{upload_id}");
    let expiring = app
        .app
        .media_objects
        .presign_put(&key, "image/jpeg", photo.len() as u64, Duration::ZERO)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let response = app
        .client
        .put(&expiring.url)
        .header("content-type", "image/jpeg")
        .body(photo.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem_of(response).await,
        (403, "urn:lapor:problem:signature-expired".into())
    );

    // Nothing was stored by the refused attempts; the genuine upload still works.
    assert!(app.app.media_objects.get(&key).await.is_err());
    assert_eq!(app.put_upload(&signed, photo).await.status(), 200);
    assert_eq!(app.upload_decision(upload_id).await, "verified");
}

async fn sign_keyed(app: &TestApp, token: &str, key: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/v1/uploads"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_retried_upload_request_with_its_key_gets_the_same_upload_and_is_counted_once() {
    let (app, _dir) = local_app().await;
    let siti = app.token("citizen", "siti-retry", None);
    let body = json!({"content_type": "image/jpeg", "size_bytes": 2048, "purpose": "report"});
    let key = uuid::Uuid::new_v4().to_string();
    // A weak connection: the app sends the same request ten times at once.
    let answers =
        futures::future::join_all((0..10).map(|_| sign_keyed(&app, &siti, &key, &body))).await;
    let mut ids = std::collections::BTreeSet::new();
    for answer in answers {
        assert_eq!(answer.status(), 201);
        let signed: Value = answer.json().await.unwrap();
        ids.insert(signed["upload_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1, "one upload for one key: {ids:?}");

    // The same key for another file is refused, naming the header.
    let other = json!({"content_type": "image/jpeg", "size_bytes": 4096, "purpose": "report"});
    let refused = sign_keyed(&app, &siti, &key, &other).await;
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
    assert_eq!(problem["errors"][0]["code"], "key_reused");

    // Another citizen's identical key names another upload.
    let budi = app.token("citizen", "budi-retry", None);
    let theirs: Value = sign_keyed(&app, &budi, &key, &body)
        .await
        .json()
        .await
        .unwrap();
    assert!(!ids.contains(theirs["upload_id"].as_str().unwrap()));

    // Counted once: the default quota less one remains for fresh keys.
    let quota = app.app.media.policy().daily_quota;
    for n in 1..quota {
        let fresh = sign_keyed(&app, &siti, &format!("fresh-key-{n:04}"), &body).await;
        assert_eq!(fresh.status(), 201, "upload {n} of {quota}");
    }
    // A key that is not one (too short, with spaces) is refused before anything is made.
    for bad in ["short", "has spaces in it"] {
        let refused = sign_keyed(&app, &siti, bad, &body).await;
        assert_eq!(refused.status(), 422);
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
        assert_eq!(problem["errors"][0]["code"], "invalid");
    }
    let over = sign_keyed(&app, &siti, "fresh-key-over", &body).await;
    assert_eq!(over.status(), 429);
    // The first key still answers with its upload, quota or not.
    let again = sign_keyed(&app, &siti, &key, &body).await;
    assert_eq!(again.status(), 201);
}
