//! Identity: Cognito-style claims (`sub`, `cognito:groups`, `custom:unit_id`,
//! `phone_number`) turned into a typed [`Caller`].
//!
//! In AWS, API Gateway's JWT authorizer has already checked the token and hands the
//! claims to the function in the request context — as strings, so that an array claim
//! such as `cognito:groups` arrives as `[admin pic]`; [`lambda_identity`] reads them.
//! On one machine, `lapor-local` checks tokens signed with its own key
//! ([`crate::local_token`]) and hands handlers the same claims through [`local_identity`].
//! Handlers only ever see [`CallerExt`]: no token means anonymous.

use crate::cognito::TokenVerifier;
use crate::local_token::LocalKey;
use crate::problem::Problem;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lapor_models::{Caller, UnitId, UserId};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// The identity claims a function needs, whatever carried them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Claims {
    pub sub: Option<String>,
    pub groups: Vec<String>,
    pub unit_id: Option<String>,
    pub phone_number: Option<String>,
}

/// Why claims do not make a caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("the token has no usable subject")]
    MissingSubject,
    #[error("a PIC token carries no valid unit id")]
    PicWithoutUnit,
    #[error("the token belongs to no known group")]
    NoKnownGroup,
}

/// Parses `cognito:groups` in every shape it arrives in: a JSON array, the HTTP API's
/// `[admin pic]`, a JSON array in a string (`["admin","pic"]`), or `admin,pic`.
pub fn parse_groups(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        Value::String(s) => parse_group_string(s),
        _ => Vec::new(),
    }
}

fn parse_group_string(s: &str) -> Vec<String> {
    let trimmed = s.trim();
    if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(trimmed) {
        return parse_groups(&Value::Array(items));
    }
    trimmed
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|g| g.trim().trim_matches('"').to_owned())
        .filter(|g| !g.is_empty())
        .collect()
}

impl Claims {
    /// Claims from a decoded JWT payload.
    pub fn from_json(payload: &Value) -> Self {
        let text = |name: &str| {
            payload
                .get(name)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        Self {
            sub: text("sub"),
            groups: payload
                .get("cognito:groups")
                .map(parse_groups)
                .unwrap_or_default(),
            unit_id: text("custom:unit_id"),
            phone_number: text("phone_number"),
        }
    }

    /// Claims from API Gateway's request context, where every value is a string.
    pub fn from_string_map(claims: &HashMap<String, String>) -> Self {
        Self {
            sub: claims.get("sub").cloned(),
            groups: claims
                .get("cognito:groups")
                .map(|g| parse_group_string(g))
                .unwrap_or_default(),
            unit_id: claims.get("custom:unit_id").cloned(),
            phone_number: claims.get("phone_number").cloned(),
        }
    }
}

/// The caller these claims describe. Admin outranks PIC, PIC outranks citizen.
pub fn claims_to_caller(claims: &Claims) -> Result<Caller, IdentityError> {
    let user = claims
        .sub
        .clone()
        .and_then(UserId::new)
        .ok_or(IdentityError::MissingSubject)?;
    let has = |group: &str| claims.groups.iter().any(|g| g == group);
    if has("admin") {
        return Ok(Caller::Admin { user });
    }
    if has("pic") {
        let unit = claims
            .unit_id
            .as_deref()
            .and_then(|u| u.parse::<UnitId>().ok())
            .ok_or(IdentityError::PicWithoutUnit)?;
        return Ok(Caller::Pic { user, unit });
    }
    if has("citizen") {
        return Ok(Caller::Citizen {
            user,
            phone: claims.phone_number.clone(),
        });
    }
    Err(IdentityError::NoKnownGroup)
}

/// The caller of a request, as an extractor. Anonymous when no identity layer found
/// a caller. A token the Lambda layer left unchecked (a route without an authorizer) is
/// checked here, so that only handlers that ask who the caller is pay for it, and a
/// route that never looks at the caller never answers 401 or 503 because of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerExt(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for CallerExt {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(CallerExt(caller.clone()));
        }
        let Some(unchecked) = parts.extensions.get::<UncheckedToken>().cloned() else {
            return Ok(CallerExt(Caller::Anonymous));
        };
        let caller = unchecked.check().await?;
        parts.extensions.insert(caller.clone());
        Ok(CallerExt(caller))
    }
}

/// A token sent to a route without an authorizer, to be checked when a handler asks.
#[derive(Clone)]
struct UncheckedToken {
    token: String,
    verifier: Arc<TokenVerifier>,
}

impl UncheckedToken {
    async fn check(&self) -> Result<Caller, Problem> {
        let now = chrono::Utc::now().timestamp();
        match self.verifier.verify(&self.token, now).await {
            Ok(claims) => claims_to_caller(&claims).map_err(|error| {
                tracing::warn!(%error, "verified token with unusable claims");
                Problem::forbidden()
            }),
            Err(error) if error.is_retryable() => {
                let cause = std::error::Error::source(&error).map(ToString::to_string);
                tracing::error!(%error, ?cause, "token could not be checked");
                Err(Problem::unavailable())
            }
            Err(error) => {
                tracing::info!(%error, "token refused");
                Err(Problem::invalid_token())
            }
        }
    }
}

/// The token of an `Authorization` header, with or without the `Bearer ` scheme (API
/// Gateway's JWT authorizer takes both).
fn bearer(value: &str) -> &str {
    let value = value.trim();
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .unwrap_or(value)
        .trim()
}

/// Middleware for Lambda: reads the claims API Gateway's JWT authorizer left in the
/// request context. On a route without an authorizer, a token is handed to
/// [`CallerExt`] to check against the user pool when `verifier` is configured, and is
/// ignored (anonymous) when it is not.
pub async fn lambda_identity(
    State(verifier): State<Option<Arc<TokenVerifier>>>,
    mut request: Request,
    next: Next,
) -> Response {
    use lambda_http::request::RequestContext;
    use lambda_http::RequestExt;
    let claims = match request.extensions().request_context_ref() {
        #[allow(unreachable_patterns)]
        Some(RequestContext::ApiGatewayV2(context)) => context
            .authorizer
            .as_ref()
            .and_then(|a| a.jwt.as_ref())
            .map(|jwt| Claims::from_string_map(&jwt.claims)),
        _ => None,
    };
    match claims {
        Some(claims) => match claims_to_caller(&claims) {
            Ok(caller) => {
                request.extensions_mut().insert(caller);
            }
            Err(error) => {
                tracing::warn!(%error, "authorized request with unusable claims");
                return Problem::forbidden().into_response();
            }
        },
        None => {
            let token = request
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .map(|v| bearer(v).to_owned());
            if let (Some(token), Some(verifier)) = (token, verifier) {
                request
                    .extensions_mut()
                    .insert(UncheckedToken { token, verifier });
            }
        }
    }
    next.run(request).await
}

/// Middleware for `lapor-local`: checks a `Bearer` token signed with the local key.
/// A missing token is anonymous; a bad one is refused (401), as API Gateway would.
pub async fn local_identity(
    State(key): State<Arc<LocalKey>>,
    mut request: Request,
    next: Next,
) -> Response {
    let header_value = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("").to_owned());
    let caller = match header_value {
        None => Caller::Anonymous,
        Some(value) => {
            let Some(token) = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
            else {
                return Problem::invalid_token().into_response();
            };
            let payload = match key.verify(token.trim()) {
                Ok(payload) => payload,
                Err(_) => return Problem::invalid_token().into_response(),
            };
            match claims_to_caller(&Claims::from_json(&payload)) {
                Ok(caller) => caller,
                Err(_) => return Problem::forbidden().into_response(),
            }
        }
    };
    request.extensions_mut().insert(caller);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn groups_arrive_as_the_http_apis_bracketed_string() {
        assert_eq!(parse_group_string("[admin pic]"), vec!["admin", "pic"]);
        assert_eq!(parse_group_string("[citizen]"), vec!["citizen"]);
        assert_eq!(parse_group_string("admin,pic"), vec!["admin", "pic"]);
        assert!(parse_group_string("[]").is_empty());
    }

    #[test]
    fn groups_arrive_as_a_json_array_or_a_json_array_in_a_string() {
        assert_eq!(parse_groups(&json!(["admin", "pic"])), vec!["admin", "pic"]);
        assert_eq!(
            parse_group_string(r#"["pic","citizen"]"#),
            vec!["pic", "citizen"]
        );
    }

    #[test]
    fn an_admin_who_is_also_a_pic_is_treated_as_admin() {
        let claims = Claims::from_string_map(&HashMap::from([
            ("sub".to_owned(), "u-1".to_owned()),
            ("cognito:groups".to_owned(), "[pic admin]".to_owned()),
            ("custom:unit_id".to_owned(), "dpupr".to_owned()),
        ]));
        assert!(matches!(
            claims_to_caller(&claims),
            Ok(Caller::Admin { .. })
        ));
    }

    #[test]
    fn a_pic_gets_the_unit_of_the_token() {
        let claims = Claims::from_json(&json!({
            "sub": "u-2", "cognito:groups": ["pic"], "custom:unit_id": "kec-slawi"
        }));
        let caller = claims_to_caller(&claims).unwrap();
        assert_eq!(caller.unit().map(|u| u.as_str()), Some("kec-slawi"));
    }

    #[test]
    fn a_pic_token_without_a_unit_is_refused() {
        let claims = Claims::from_json(&json!({"sub": "u-3", "cognito:groups": ["pic"]}));
        assert_eq!(
            claims_to_caller(&claims),
            Err(IdentityError::PicWithoutUnit)
        );
    }

    #[test]
    fn a_token_without_a_group_or_subject_is_refused() {
        let claims = Claims::from_json(&json!({"sub": "u-4"}));
        assert_eq!(claims_to_caller(&claims), Err(IdentityError::NoKnownGroup));
        let claims = Claims::from_json(&json!({"cognito:groups": ["citizen"]}));
        assert_eq!(
            claims_to_caller(&claims),
            Err(IdentityError::MissingSubject)
        );
    }

    #[test]
    fn a_citizen_keeps_the_phone_number() {
        let claims = Claims::from_json(&json!({
            "sub": "u-5", "cognito:groups": "[citizen]", "phone_number": "+6281234567890"
        }));
        assert_eq!(
            claims_to_caller(&claims).unwrap(),
            Caller::Citizen {
                user: UserId::new("u-5").unwrap(),
                phone: Some("+6281234567890".into())
            }
        );
    }
}
