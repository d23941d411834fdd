//! Who is calling: anonymous, a citizen, the PIC of a unit, or an admin — derived from
//! verified identity claims, never from the request body.

use crate::ids::UnitId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The stable id of a signed-in user (the identity provider's `sub`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    /// A user id: 1 to 128 visible ASCII characters.
    pub fn new(s: impl Into<String>) -> Option<Self> {
        let s = s.into();
        let ok = !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic());
        ok.then_some(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kind of caller, as named in tokens (`cognito:groups`) and in route rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Anonymous,
    Citizen,
    Pic,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Anonymous => "anonymous",
            Role::Citizen => "citizen",
            Role::Pic => "pic",
            Role::Admin => "admin",
        }
    }
}

/// A typed caller. A PIC always has a unit; an anonymous caller has no user id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    Citizen { user: UserId, phone: Option<String> },
    Pic { user: UserId, unit: UnitId },
    Admin { user: UserId },
}

impl Caller {
    pub fn role(&self) -> Role {
        match self {
            Caller::Anonymous => Role::Anonymous,
            Caller::Citizen { .. } => Role::Citizen,
            Caller::Pic { .. } => Role::Pic,
            Caller::Admin { .. } => Role::Admin,
        }
    }

    pub fn user(&self) -> Option<&UserId> {
        match self {
            Caller::Anonymous => None,
            Caller::Citizen { user, .. } | Caller::Pic { user, .. } | Caller::Admin { user } => {
                Some(user)
            }
        }
    }

    /// The unit of a PIC.
    pub fn unit(&self) -> Option<&UnitId> {
        match self {
            Caller::Pic { unit, .. } => Some(unit),
            _ => None,
        }
    }

    pub fn is_admin(&self) -> bool {
        matches!(self, Caller::Admin { .. })
    }
}
