//! End-to-end tests through `lapor-local` over HTTP on loopback.

use lapor_tests::{spawn_app, spawn_app_in, TempDir};
use serde_json::Value;
use std::collections::BTreeSet;

#[tokio::test]
async fn categories_are_served_with_28_categories_and_166_subcategories() {
    let (app, _dir) = spawn_app().await;
    let response = app.get("/v1/categories").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 28);
    let total: usize = items
        .iter()
        .map(|c| c["subcategories"].as_array().unwrap().len())
        .sum();
    assert_eq!(total, 166);
}

#[tokio::test]
async fn units_are_served_with_50_units_of_three_kinds() {
    let (app, _dir) = spawn_app().await;
    let body: Value = app.get("/v1/units").await.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    for kind in ["agency", "district", "partner"] {
        assert!(items.iter().any(|u| u["kind"] == kind), "{kind}");
    }
    assert!(items
        .iter()
        .all(|u| u["id"].is_string() && u["name"].is_string()));
}

#[tokio::test]
async fn a_second_read_with_the_etag_answers_304() {
    let (app, _dir) = spawn_app().await;
    let first = app.get("/v1/units").await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let second = app
        .client
        .get(app.url("/v1/units"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 304);
}

#[tokio::test]
async fn data_written_survives_a_restart_and_the_seed_is_not_repeated() {
    let dir = TempDir::new("restart");
    let seeded_at = {
        let app = spawn_app_in(dir.path()).await;
        let health: Value = app.get("/healthz").await.json().await.unwrap();
        let item = serde_json::json!({"pk": "TEST#restart", "sk": "A", "note": "tetap ada"});
        let store: &dyn lapor_store::ItemStore = app.app.store.as_ref();
        store
            .put(item.as_object().unwrap().clone(), None)
            .await
            .unwrap();
        health["seeded_at"].as_str().unwrap().to_owned()
    };
    let app = spawn_app_in(dir.path()).await;
    let health: Value = app.get("/healthz").await.json().await.unwrap();
    assert_eq!(health["seeded_at"], seeded_at.as_str());
    let store: &dyn lapor_store::ItemStore = app.app.store.as_ref();
    let item = store
        .get(&lapor_store::Key::new("TEST#restart", "A"))
        .await
        .unwrap()
        .expect("the item is still there");
    assert_eq!(item["note"], "tetap ada");
}

#[tokio::test]
async fn an_unknown_route_answers_a_problem_in_indonesian_or_english() {
    let (app, _dir) = spawn_app().await;
    let response = app.get("/v1/nothing-here").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["title"], "Alamat tidak dikenal");
    let response = app
        .client
        .delete(app.url("/v1/categories"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["title"], "Method not allowed");
    assert_eq!(body["type"], "urn:lapor:problem:method-not-allowed");
}

#[tokio::test]
async fn a_forged_token_is_refused_and_a_local_token_is_accepted() {
    let (app, _dir) = spawn_app().await;
    let forged = app
        .client
        .get(app.url("/v1/units"))
        .bearer_auth("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let good = app
        .client
        .get(app.url("/v1/units"))
        .bearer_auth(app.token("pic", "pic-1", Some("dpupr")))
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), 200);
}

fn openapi_routes() -> BTreeSet<(String, String)> {
    let doc: Value = serde_json::from_str(lapor_local::OPENAPI_JSON).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

fn declared_routes() -> BTreeSet<(String, String)> {
    lapor_local::function_routes()
        .into_iter()
        .map(|(_, r)| r)
        .chain(lapor_local::LOCAL_ROUTES.iter().copied())
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect()
}

#[test]
fn the_openapi_document_lists_exactly_the_declared_routes() {
    assert_eq!(openapi_routes(), declared_routes());
}

/// A concrete path for a template: every `{param}` becomes a sample value.
fn sample_path(template: &str) -> String {
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "00000000-0000-0000-0000-000000000000"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_documented_route_is_served_and_other_methods_are_refused() {
    let (app, _dir) = spawn_app().await;
    let documented = openapi_routes();
    let paths: BTreeSet<&String> = documented.iter().map(|(_, p)| p).collect();
    for path in paths {
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let response = app
                .client
                .request(method.parse().unwrap(), app.url(&sample_path(path)))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let kind = body["type"].as_str().unwrap_or("");
            assert_ne!(kind, "urn:lapor:problem:route-not-found", "{method} {path}");
            if documented.contains(&(method.to_owned(), path.clone())) {
                assert_ne!(status, 405, "{method} {path} is documented but refused");
            } else {
                assert_eq!(status, 405, "{method} {path} is served but not documented");
            }
        }
    }
}
