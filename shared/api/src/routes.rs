//! Route declarations. Each HTTP function lists its routes once as [`RouteSpec`]s; the
//! OpenAPI document, the SAM template and the routers are checked against these lists
//! in tests, so that the three cannot drift apart.

use crate::problem::{self, Problem};
use axum::Router;
use lapor_models::{Caller, Role};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// Anyone; no token is looked at.
    Public,
    /// Anyone; a signed-in caller may see more (the view depends on who asks).
    Optional,
    /// A signed-in caller of one of these roles.
    Roles(&'static [Role]),
}

/// One route of one function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    /// With `{name}` parameters, as axum, OpenAPI and API Gateway all write them.
    pub path: &'static str,
    pub auth: Auth,
}

impl RouteSpec {
    pub const fn public(method: &'static str, path: &'static str) -> Self {
        Self {
            method,
            path,
            auth: Auth::Public,
        }
    }

    pub const fn optional(method: &'static str, path: &'static str) -> Self {
        Self {
            method,
            path,
            auth: Auth::Optional,
        }
    }

    pub const fn signed(method: &'static str, path: &'static str, roles: &'static [Role]) -> Self {
        Self {
            method,
            path,
            auth: Auth::Roles(roles),
        }
    }
}

/// Refuses a caller whose role is not among `roles`: 401 when not signed in, 403 otherwise.
pub fn require(caller: &Caller, roles: &[Role]) -> Result<(), Problem> {
    if roles.contains(&caller.role()) {
        Ok(())
    } else if matches!(caller, Caller::Anonymous) {
        Err(Problem::unauthorized())
    } else {
        Err(Problem::forbidden())
    }
}

/// Adds what every router shares: problem answers for unknown paths and methods, and
/// problems in the language the client asked for.
pub fn finish(router: Router) -> Router {
    router
        .fallback(problem::route_not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .layer(axum::middleware::from_fn(problem::localize))
}
