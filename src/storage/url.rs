//! What the server makes of a database URL before it connects: refused when it can name no
//! database, and shown with its password masked wherever it is logged or printed.

use crate::error::AppError;

/// Refuses a URL that names no database this server takes, rather than opening it as an SQLite
/// file of that name: an empty one (a variable left blank in a unit or env file), another
/// engine's (`mysql://`) or a mistyped scheme (`postgress://`, `postgres:/host`). A bare path
/// stays an SQLite file.
pub fn check_url(url: &str) -> Result<(), AppError> {
    let takes = "give sqlite://FILE or postgres://USER@HOST:PORT/DATABASE (--database-url or \
                 TA_TRACKER_DATABASE_URL)";
    if url.trim().is_empty() {
        return Err(AppError::bad_input(
            "database-url",
            &format!("is empty; {takes}"),
        ));
    }
    if url.starts_with("sqlite:")
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://")
    {
        return Ok(());
    }
    let scheme = url
        .split_once(':')
        .map(|(scheme, _)| scheme)
        .filter(|scheme| {
            scheme.len() > 1
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
    match scheme {
        // `C:` and the like are a drive, not a scheme: a path.
        Some(scheme)
            if url[scheme.len()..].starts_with("://") || scheme.starts_with("postgres") =>
        {
            Err(AppError::bad_input(
                "database-url",
                &format!("begins {scheme}:, not sqlite: or postgres://; {takes}"),
            ))
        }
        _ => Ok(()),
    }
}

/// The URL with `***` for the password of its user part (`scheme://user:password@host`) and of
/// a `password=` parameter; true when there was one.
pub fn without_password(url: &str) -> (String, bool) {
    let mut url = url.to_string();
    let mut masked = false;
    if let Some(start) = url.find("://").map(|i| i + 3) {
        let authority_end = url[start..]
            .find(['/', '?'])
            .map_or(url.len(), |i| start + i);
        if let Some(at) = url[start..authority_end].rfind('@').map(|i| start + i)
            && let Some(colon) = url[start..at].find(':').map(|i| start + i)
        {
            url.replace_range(colon + 1..at, "***");
            masked = true;
        }
    }
    if let Some(query) = url.find('?') {
        let mut pairs: Vec<String> = url[query + 1..].split('&').map(str::to_string).collect();
        for pair in &mut pairs {
            if pair.to_ascii_lowercase().starts_with("password=") {
                *pair = "password=***".to_string();
                masked = true;
            }
        }
        url = format!("{}?{}", &url[..query], pairs.join("&"));
    }
    (url, masked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_that_name_no_database_are_refused_and_paths_are_not() {
        for url in [
            "sqlite://a.db",
            "sqlite::memory:",
            "postgres://u@h/d",
            "postgresql://u@h/d",
            "a.db",
            "/srv/ta/a.db",
            "C:/ta/a.db",
        ] {
            assert!(check_url(url).is_ok(), "{url}");
        }
        for (url, scheme) in [
            ("mysql://u@h/d", "mysql:"),
            ("postgress://u@h/d", "postgress:"),
            ("postgres:/h/d", "postgres:"),
            ("Postgres://u@h/d", "Postgres:"),
        ] {
            let message = check_url(url).unwrap_err().operator_message();
            assert!(
                message.starts_with(&format!(
                    "database-url: begins {scheme}, not sqlite: or postgres://; give"
                )),
                "{url}: {message}"
            );
        }
        let message = check_url(" ").unwrap_err().operator_message();
        assert!(message.starts_with("database-url: is empty;"), "{message}");
    }
}
