//! `lapor-local` with no arguments serves the whole service; `lapor-local token ...`
//! prints a locally signed token for a role.

use lapor_api::local_token::{local_claims, LocalKey};
use lapor_local::{key_path, LocalConfig};
use std::process::ExitCode;

const USAGE: &str = "usage:
  lapor-local                      serve every route on LAPOR_ADDR (default 127.0.0.1:3000)
  lapor-local token --role citizen|pic|admin [--unit <unit id>] [--sub <user id>] [--phone <+62...>]
                                   print a token signed with the local key";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => serve().await,
        Some("token") => token(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("unknown command {other:?}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

async fn serve() -> ExitCode {
    lapor_api::logging::init_local();
    let result = match LocalConfig::from_env() {
        Ok(config) => lapor_local::serve(config).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lapor-local: {}", chain(&error));
            ExitCode::FAILURE
        }
    }
}

fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn token(args: &[String]) -> ExitCode {
    let mut role = None;
    let mut unit = None;
    let mut sub = None;
    let mut phone = None;
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let slot = match flag.as_str() {
            "--role" => &mut role,
            "--unit" => &mut unit,
            "--sub" => &mut sub,
            "--phone" => &mut phone,
            _ => {
                eprintln!("unknown option {flag:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        };
        match iter.next() {
            Some(value) => *slot = Some(value.clone()),
            None => {
                eprintln!("{flag} needs a value\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(role) = role.filter(|r| ["citizen", "pic", "admin"].contains(&r.as_str())) else {
        eprintln!("--role must be citizen, pic or admin\n{USAGE}");
        return ExitCode::from(2);
    };
    if role == "pic" {
        let reference = match lapor_models::ReferenceData::tegal() {
            Ok(reference) => reference,
            Err(error) => {
                eprintln!("reference data: {error}");
                return ExitCode::FAILURE;
            }
        };
        let known = unit
            .as_deref()
            .and_then(|u| u.parse().ok())
            .and_then(|u| reference.unit(&u))
            .is_some();
        if !known {
            eprintln!("a pic token needs --unit with a known unit id (see GET /v1/units)");
            return ExitCode::from(2);
        }
    }
    let sub = sub.unwrap_or_else(|| format!("local-{role}-{}", uuid_suffix()));
    let config = match LocalConfig::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("lapor-local: {error}");
            return ExitCode::FAILURE;
        }
    };
    let key = match LocalKey::load_or_create(&key_path(&config.data_dir)) {
        Ok(key) => key,
        Err(error) => {
            eprintln!("lapor-local: {}", chain(&error));
            return ExitCode::FAILURE;
        }
    };
    let claims = local_claims(&role, &sub, unit.as_deref(), phone.as_deref(), 24 * 30);
    println!("{}", key.sign(&claims));
    ExitCode::SUCCESS
}

fn uuid_suffix() -> String {
    lapor_models::ReportId::generate().to_string()[24..].to_owned()
}
