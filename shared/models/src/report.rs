//! A report's privacy mode and its life cycle: the statuses and the only moves between
//! them that the service allows.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Who may see what of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Privacy {
    /// Content public; the reporter's identity is never public.
    #[default]
    Public,
    /// The reporter's identity is hidden from the unit and from the public.
    Anonymous,
    /// "Rahasia": the content is hidden from the public; the report does not exist for them.
    Confidential,
}

impl Privacy {
    pub fn is_publicly_listed(self) -> bool {
        !matches!(self, Privacy::Confidential)
    }

    pub fn hides_identity_from_unit(self) -> bool {
        matches!(self, Privacy::Anonymous)
    }
}

/// Where a report is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Received, awaiting the admin's verification.
    Submitted,
    /// The admin asked the reporter for more information.
    NeedsInfo,
    /// Verified and waiting for the unit's PIC.
    Assigned,
    /// The unit is working on it.
    InProgress,
    /// The unit reported its follow-up; the reporter may confirm or reopen.
    Resolved,
    /// Done: confirmed by the reporter or closed after the waiting period.
    Closed,
    /// Not a public-service matter, or spam.
    Rejected,
    /// Put away by an admin; kept for the record.
    Archived,
}

/// A move the life cycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a report cannot move from {from} to {to}")]
pub struct IllegalTransition {
    pub from: ReportStatus,
    pub to: ReportStatus,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 8] = [
        ReportStatus::Submitted,
        ReportStatus::NeedsInfo,
        ReportStatus::Assigned,
        ReportStatus::InProgress,
        ReportStatus::Resolved,
        ReportStatus::Closed,
        ReportStatus::Rejected,
        ReportStatus::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Submitted => "submitted",
            ReportStatus::NeedsInfo => "needs_info",
            ReportStatus::Assigned => "assigned",
            ReportStatus::InProgress => "in_progress",
            ReportStatus::Resolved => "resolved",
            ReportStatus::Closed => "closed",
            ReportStatus::Rejected => "rejected",
            ReportStatus::Archived => "archived",
        }
    }

    /// The statuses a report may move to from this one. Staying (`assigned` → `assigned`
    /// on a reassignment or a forward) is listed where it is allowed.
    pub fn next_statuses(self) -> &'static [ReportStatus] {
        use ReportStatus::*;
        match self {
            Submitted => &[Assigned, NeedsInfo, Rejected, Archived],
            NeedsInfo => &[Submitted, Rejected, Archived],
            Assigned => &[Assigned, InProgress, Resolved, Rejected],
            InProgress => &[Assigned, InProgress, Resolved],
            Resolved => &[InProgress, Closed],
            Closed => &[Archived],
            Rejected => &[Archived],
            Archived => &[],
        }
    }

    /// The move to `to`, or why it is refused.
    pub fn transition(self, to: ReportStatus) -> Result<ReportStatus, IllegalTransition> {
        if self.next_statuses().contains(&to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }

    /// Whether the report still waits for someone to act (counted as open).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ReportStatus::Submitted
                | ReportStatus::NeedsInfo
                | ReportStatus::Assigned
                | ReportStatus::InProgress
        )
    }

    /// Whether no further move is possible.
    pub fn is_final(self) -> bool {
        self.next_statuses().is_empty()
    }
}

impl fmt::Display for ReportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReportStatus::*;

    #[test]
    fn every_pair_of_statuses_is_either_allowed_or_refused_as_the_table_says() {
        let allowed = [
            (Submitted, Assigned),
            (Submitted, NeedsInfo),
            (Submitted, Rejected),
            (Submitted, Archived),
            (NeedsInfo, Submitted),
            (NeedsInfo, Rejected),
            (NeedsInfo, Archived),
            (Assigned, Assigned),
            (Assigned, InProgress),
            (Assigned, Resolved),
            (Assigned, Rejected),
            (InProgress, Assigned),
            (InProgress, InProgress),
            (InProgress, Resolved),
            (Resolved, InProgress),
            (Resolved, Closed),
            (Closed, Archived),
            (Rejected, Archived),
        ];
        for from in ReportStatus::ALL {
            for to in ReportStatus::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(
                    from.transition(to).is_ok(),
                    expected,
                    "{from} -> {to} should be {}",
                    if expected { "allowed" } else { "refused" }
                );
            }
        }
    }

    #[test]
    fn a_closed_report_cannot_be_resolved_again() {
        assert_eq!(
            Closed.transition(Resolved),
            Err(IllegalTransition {
                from: Closed,
                to: Resolved
            })
        );
    }

    #[test]
    fn statuses_and_privacy_are_snake_case_in_json() {
        assert_eq!(
            serde_json::to_string(&InProgress).unwrap(),
            "\"in_progress\""
        );
        assert_eq!(serde_json::to_string(&NeedsInfo).unwrap(), "\"needs_info\"");
        assert_eq!(
            serde_json::from_str::<Privacy>("\"confidential\"").unwrap(),
            Privacy::Confidential
        );
        for s in ReportStatus::ALL {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
    }

    #[test]
    fn archived_is_the_only_final_status() {
        let finals: Vec<_> = ReportStatus::ALL
            .into_iter()
            .filter(|s| s.is_final())
            .collect();
        assert_eq!(finals, vec![Archived]);
    }
}
