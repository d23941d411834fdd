//! Account tokens read from SSM Parameter Store (moto): by the name below the stage's
//! prefix or by the full name, decrypted, cached, never from outside the prefix, and a
//! missing parameter fails that account alone.

use aws_sdk_ssm::types::ParameterType;
use lapor_social::poll::Credentials;
use social_poll::credentials::SsmCredentials;

async fn client() -> aws_sdk_ssm::Client {
    aws_sdk_ssm::Client::new(&lapor_store::moto::sdk_config().await)
}

/// A prefix of its own for each test, as a stage would have.
fn prefix() -> String {
    format!("/lapor/t{}/social", uuid::Uuid::new_v4().simple())
}

async fn put(client: &aws_sdk_ssm::Client, name: &str, value: &str) {
    client
        .put_parameter()
        .name(name)
        .value(value)
        .r#type(ParameterType::SecureString)
        .overwrite(true)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_token_is_read_by_its_name_below_the_prefix_or_by_its_full_name() {
    let (client, prefix) = (client().await, prefix());
    put(&client, &format!("{prefix}/ig-dpupr"), "ig-secret-token").await;
    let credentials = SsmCredentials::new(client, &prefix);
    assert_eq!(
        credentials.token("ig-dpupr").await.unwrap(),
        "ig-secret-token"
    );
    assert_eq!(
        credentials
            .token(&format!("{prefix}/ig-dpupr"))
            .await
            .unwrap(),
        "ig-secret-token"
    );
}

#[tokio::test]
async fn a_token_is_reused_within_a_run_and_not_read_again() {
    let (client, prefix) = (client().await, prefix());
    let name = format!("{prefix}/x-dpupr");
    put(&client, &name, "first").await;
    let credentials = SsmCredentials::new(client.clone(), &prefix);
    assert_eq!(credentials.token("x-dpupr").await.unwrap(), "first");
    put(&client, &name, "rotated").await;
    assert_eq!(
        credentials.token("x-dpupr").await.unwrap(),
        "first",
        "read once per few minutes"
    );
    let fresh = SsmCredentials::new(client, &prefix);
    assert_eq!(fresh.token("x-dpupr").await.unwrap(), "rotated");
}

#[tokio::test]
async fn a_reference_outside_the_prefix_is_refused_without_reading_it() {
    let (client, prefix) = (client().await, prefix());
    put(&client, "/lapor/other/secret", "not-yours").await;
    let credentials = SsmCredentials::new(client, &prefix);
    for reference in [
        "/lapor/other/secret",
        "../../other/secret",
        &format!("{prefix}/../../other/secret"),
        &format!("{prefix}/"),
        "",
    ] {
        let error = credentials.token(reference).await.unwrap_err();
        assert_eq!(error.reference, reference);
        let cause = std::error::Error::source(&error).map(ToString::to_string);
        assert!(
            cause
                .as_deref()
                .is_some_and(|c| c.contains("is not a parameter under")),
            "{reference}: {cause:?}"
        );
    }
}

#[tokio::test]
async fn a_missing_parameter_is_an_error_that_names_the_reference() {
    let (client, prefix) = (client().await, prefix());
    let credentials = SsmCredentials::new(client, &prefix);
    let error = credentials.token("tiktok-dpupr").await.unwrap_err();
    assert_eq!(error.reference, "tiktok-dpupr");
    assert!(std::error::Error::source(&error).is_some());
}
