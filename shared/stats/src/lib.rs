//! Public transparency, written once for the consumer, the publisher and the read
//! routes: statistics kept up to date from report change records only — never by
//! scanning reports — and applied exactly once under redelivery ([`consumer`], counter
//! layout in [`facts`], duration histograms in [`histogram`]); the summary read back
//! from counters in a bounded number of calls ([`summary`]); the PIC and unit
//! leaderboard with its documented score ([`leaderboard`]); and what is published to
//! the public site: `summary.json`, the monthly open-data CSV ([`opendata`]) and the
//! dashboard page ([`dashboard`]), by [`publish::Publisher`].

pub mod consumer;
pub mod dashboard;
pub mod facts;
pub mod histogram;
pub mod leaderboard;
pub mod metered;
pub mod opendata;
pub mod publish;
pub mod summary;

pub use consumer::{StatsConsumer, StatsError};
pub use leaderboard::Leaderboard;
pub use publish::{PublishError, Published, Publisher};
pub use summary::{StatsReader, Summary};
