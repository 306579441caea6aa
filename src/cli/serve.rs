//! `ta-tracker serve`: seed what is missing, then serve the API and the console until a signal.

use super::{DbArgs, open_with};
use crate::config::{DEFAULT_DATABASE_URL, Limits};
use crate::domain::reporting::{DEMO_REPORTING_REF, ReportingOrg};
use crate::error::{AppError, AppResult};
use crate::storage::{Db, normalise_url, tokens as token_store, without_password};

pub(super) async fn serve(
    db_args: DbArgs,
    bind: String,
    no_demo: bool,
    open_browser: bool,
    grace: std::time::Duration,
    limits: Limits,
) -> AppResult<()> {
    // Listening comes first: an address taken by another server, or mistyped, then stops the
    // command before it migrates the database or loads the demo data into it.
    let listener = tokio::net::TcpListener::bind(&bind).await.map_err(|e| {
        AppError::bad_input(
            "bind",
            &format!("cannot listen on {bind}: {e} (--bind or TA_TRACKER_BIND)"),
        )
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| AppError::internal("read the listening address", e))?;
    let connections = limits.database_connections();
    let db = open_with(&db_args, connections).await?;
    let refused_under = demo_refused_under(&db).await?;
    let report = crate::seeds::seed(&db, !no_demo && refused_under.is_none()).await?;
    if report.countries > 0 || report.codes > 0 {
        tracing::info!(
            countries = report.countries,
            codes = report.codes,
            "loaded reference data"
        );
        // A first start: the operator would otherwise wonder where the demo data is.
        if let (false, Some(reference)) = (no_demo, &refused_under) {
            tracing::info!(
                "the demo data is not loaded: its engagements are identified under the \
                 placeholder {DEMO_REPORTING_REF}, and this server reports as {reference}"
            );
        }
    }
    if report.demo {
        tracing::info!("loaded the demo data (illustrative, not real programme records)");
    }
    let reporting = ReportingOrg::from_env(&db).await?;
    tracing::info!(
        reference = %reporting.reference,
        "the IATI export and the identifier checks use this reporting organisation reference"
    );
    if !token_store::has_live_admin(db.pool()).await? {
        tracing::warn!(
            "no live admin token exists (none yet, or all revoked or expired); create one with: {}",
            first_admin_token_command(&db_args.database_url)
        );
    }
    let url = format!("http://{addr}/graphql");
    tracing::info!(
        %url,
        engine = db.backend().name(),
        connections,
        max_concurrent_requests = limits.max_concurrent_requests,
        "ta-tracker is serving; the query console is at {url}"
    );
    if open_browser {
        open_in_browser(&url);
    }
    let router = crate::http::app(db.clone(), limits);
    let finished = crate::http::serve(listener, router, grace)
        .await
        .map_err(|e| AppError::internal("serve HTTP", e))?;
    // Requests cut off at the deadline still hold connections, which closing the pool would
    // wait for; they are dropped with the runtime.
    if finished {
        db.close().await;
    }
    Ok(())
}

/// The reporting organisation reference in use when it is not the demo's placeholder: the demo
/// data is then not loaded, since its engagements' identifiers begin with the placeholder (the
/// identifier checks would refuse them part-way, leaving half the demo behind), and illustrative
/// records are not to be published under a real reference.
pub(super) async fn demo_refused_under(db: &Db) -> AppResult<Option<String>> {
    let reference = ReportingOrg::from_env(db).await?.reference;
    Ok((reference != DEMO_REPORTING_REF).then_some(reference))
}

/// The command that creates the first admin token in the database the server runs on: it names
/// that database unless it is the default. A password in the URL is not logged: `***` stands for
/// it, and the hint says so.
fn first_admin_token_command(database_url: &str) -> String {
    let mut command = "ta-tracker token create --role admin --name \"your name\"".to_string();
    if normalise_url(database_url) != normalise_url(DEFAULT_DATABASE_URL) {
        let (url, masked) = without_password(database_url);
        command.push_str(" --database-url ");
        command.push_str(&shell_quoted(&url));
        if masked {
            command.push_str(" (with the database password in place of ***)");
        }
    }
    command
}

/// `value` as one word for a POSIX shell: as it is when that is safe, else in single quotes.
fn shell_quoted(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/:._-+=@%,".contains(c));
    if plain {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}

/// Best effort: opens the console when a person started us from a terminal with a desktop.
fn open_in_browser(url: &str) {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || std::env::var_os("CI").is_some() {
        return;
    }
    let opener = if cfg!(target_os = "macos") {
        Some("open")
    } else if cfg!(windows) {
        Some("explorer")
    } else if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
    {
        Some("xdg-open")
    } else {
        None
    };
    if let Some(cmd) = opener {
        let _ = std::process::Command::new(cmd)
            .arg(url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_token_hint_names_the_database_unless_it_is_the_default() {
        let plain = "ta-tracker token create --role admin --name \"your name\"";
        assert_eq!(first_admin_token_command(DEFAULT_DATABASE_URL), plain);
        assert_eq!(
            first_admin_token_command("sqlite:///srv/t.db"),
            format!("{plain} --database-url sqlite:///srv/t.db")
        );
        assert_eq!(
            first_admin_token_command("postgres://app@db:5432/tracker?sslmode=require"),
            format!("{plain} --database-url 'postgres://app@db:5432/tracker?sslmode=require'")
        );
    }

    #[test]
    fn the_first_token_hint_does_not_log_a_password() {
        let hint = first_admin_token_command("postgres://app:s3cr%40t@db/tracker");
        assert!(!hint.contains("s3cr"), "{hint}");
        assert!(
            hint.ends_with(
                "--database-url 'postgres://app:***@db/tracker' \
                 (with the database password in place of ***)"
            ),
            "{hint}"
        );
        let (url, masked) = without_password("postgres://db/tracker?user=app&password=x&a=b");
        assert_eq!(url, "postgres://db/tracker?user=app&password=***&a=b");
        assert!(masked);
        assert_eq!(
            without_password("sqlite:///srv/t.db"),
            ("sqlite:///srv/t.db".to_string(), false)
        );
    }

    #[test]
    fn shell_quoting_keeps_a_url_one_word() {
        assert_eq!(shell_quoted("sqlite:///a/b.db"), "sqlite:///a/b.db");
        assert_eq!(shell_quoted("sqlite://a b.db"), "'sqlite://a b.db'");
        assert_eq!(shell_quoted("it's"), "'it'\\''s'");
    }
}
