//! The command line as an operator uses it: the real binary, a throwaway SQLite file, and what
//! appears on stdout, stderr and in the exit status.

mod common;
#[path = "common/server.rs"]
mod server;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use server::{Server, command};

/// Runs the binary with `args`, isolated from the caller's configuration.
fn run(args: &[&str]) -> Output {
    command(args).output().expect("run ta-tracker")
}

/// Runs the binary with `args` in the directory `dir`, where the default database would be.
fn run_in(dir: &std::path::Path, args: &[&str]) -> Output {
    command(args)
        .current_dir(dir)
        .output()
        .expect("run ta-tracker")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn assert_success(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status,
        stdout(o),
        stderr(o)
    );
}

/// Asserts a failure reported as one `error: ...` line, with no panic or backtrace.
#[track_caller]
fn assert_one_line_error(o: &Output) -> String {
    let err = stderr(o);
    assert!(!o.status.success(), "expected failure; stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    assert!(!err.contains("backtrace"), "backtrace: {err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected on stderr: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    lines[0].to_string()
}

/// A temporary SQLite database URL; the directory lives as long as the guard. The file does not
/// exist until a command that creates databases (migrate, seed, serve) runs on it.
fn temp_db() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    (dir, url)
}

/// A temporary SQLite database, migrated and holding the reference data.
fn seeded_db() -> (tempfile::TempDir, String) {
    let (dir, url) = temp_db();
    assert_success(&run(&["seed", "--database-url", &url]));
    (dir, url)
}

/// The names of the files in `dir`.
fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn schema_prints_exactly_the_published_sdl() {
    let o = run(&["schema"]);
    assert_success(&o);
    let published = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/schema.graphql"
    ))
    .expect("read schema/schema.graphql")
    .replace("\r\n", "\n");
    assert!(
        stdout(&o) == published,
        "`ta-tracker schema` differs from schema/schema.graphql; see `cargo test --test schema`"
    );
}

#[test]
fn output_to_a_reader_that_has_gone_ends_quietly() {
    // `ta-tracker schema | head -2`, `token list | head -1`: the reader closes the pipe before
    // all is written. Here it is closed before the command starts, so every write fails.
    let (_dir, url) = seeded_db();
    for args in [
        vec!["schema"],
        vec!["token", "list", "--database-url", &url],
    ] {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let o = command(&args)
            .stdout(writer)
            .output()
            .expect("run ta-tracker");
        assert_success(&o);
        assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn migrate_then_seed_succeed_on_a_fresh_file() {
    let (_dir, url) = temp_db();
    assert_success(&run(&["migrate", "--database-url", &url]));
    let o = run(&["seed", "--database-url", &url]);
    assert_success(&o);
    assert!(
        stdout(&o).is_empty(),
        "seed reports on stderr: {}",
        stdout(&o)
    );
    // Seeding twice is harmless.
    assert_success(&run(&["seed", "--database-url", &url]));
}

#[test]
fn tokens_are_created_listed_without_their_secret_and_revoked() {
    let (_dir, url) = seeded_db();
    let o = run(&[
        "token",
        "create",
        "--role",
        "admin",
        "--name",
        "x",
        "--database-url",
        &url,
    ]);
    assert_success(&o);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "only the secret on stdout: {out:?}");
    let secret = lines[0];
    assert!(secret.starts_with("tat_"), "{secret}");

    let o = run(&["token", "list", "--database-url", &url]);
    assert_success(&o);
    let list = stdout(&o);
    assert!(!list.contains(secret), "the list shows the secret: {list}");
    assert!(!list.contains(&secret["tat_".len()..]), "{list}");
    let row = list
        .lines()
        .find(|l| l.starts_with("1\t"))
        .unwrap_or_else(|| panic!("token 1 not listed: {list}"));
    assert!(row.contains("admin") && row.contains("\tx\t"), "{row}");
    assert!(row.ends_with("live"), "{row}");

    assert_success(&run(&["token", "revoke", "1", "--database-url", &url]));
    let o = run(&["token", "list", "--database-url", &url]);
    let list = stdout(&o);
    let row = list.lines().find(|l| l.starts_with("1\t")).unwrap();
    assert!(row.ends_with("revoked"), "{row}");
    // Revoking it again, or a token that never was, says which it is.
    let again = assert_one_line_error(&run(&["token", "revoke", "1", "--database-url", &url]));
    assert!(again.contains("token 1 is already revoked"), "{again}");
    let none = assert_one_line_error(&run(&["token", "revoke", "99", "--database-url", &url]));
    assert!(none.contains("token 99 not found"), "{none}");
    // A scope the role does not use is refused with the role's article right.
    let o = run(&[
        "token",
        "create",
        "--role",
        "admin",
        "--programme",
        "DEMO-VEP",
        "--database-url",
        &url,
    ]);
    let line = assert_one_line_error(&o);
    assert!(
        line.contains("an admin token is not limited to programmes"),
        "{line}"
    );
}

#[test]
fn a_donor_token_needs_an_organisation() {
    let (_dir, url) = seeded_db();
    let o = run(&["token", "create", "--role", "donor", "--database-url", &url]);
    let line = assert_one_line_error(&o);
    assert!(line.contains("organisation"), "{line}");
    assert!(stdout(&o).is_empty(), "no secret printed: {}", stdout(&o));
}

#[test]
fn an_unknown_flag_fails() {
    let o = run(&["migrate", "--no-such-flag"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--no-such-flag"), "{}", stderr(&o));
}

#[test]
fn an_unreachable_database_is_a_one_line_error_not_a_panic() {
    let started = Instant::now();
    let o = run(&[
        "migrate",
        "--database-url",
        "postgres://nobody@127.0.0.1:1/none",
    ]);
    let elapsed = started.elapsed();
    assert_one_line_error(&o);
    eprintln!("gave up on the unreachable database after {elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(15),
        "took {elapsed:?} to give up"
    );
}

/// Runs `cmd` to its end, or stops it after `limit` (a server that should have refused to start).
fn output_within(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ta-tracker");
    let deadline = Instant::now() + limit;
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

/// Limits that would stop every request, or lift another limit, stop `serve` instead, before it
/// touches the database, with the flag and its variable named, whether given as a flag or in the
/// environment.
#[test]
fn serve_refuses_limits_that_would_refuse_every_request_or_lift_another() {
    let (dir, url) = temp_db();
    for (flags, env, expected) in [
        (
            &["--default-page-size", "500"][..],
            None,
            "error: default-page-size: 500 is above the largest page, max-page-size 100",
        ),
        (
            &[][..],
            Some(("TA_TRACKER_MAX_PAGE_SIZE", "-5")),
            "error: max-page-size: must be at least 1, not -5 (--max-page-size or \
             TA_TRACKER_MAX_PAGE_SIZE)",
        ),
        (
            &["--request-timeout-secs", "0"][..],
            None,
            "error: request-timeout-secs: must be at least 1, not 0 (--request-timeout-secs or \
             TA_TRACKER_REQUEST_TIMEOUT_SECS); 0 does not mean no limit here",
        ),
        (
            &[][..],
            Some(("TA_TRACKER_MAX_CONCURRENT_REQUESTS", "0")),
            "error: max-concurrent-requests: must be at least 1, not 0",
        ),
        (
            &[][..],
            Some(("TA_TRACKER_DATABASE_CONNECTIONS", "0")),
            "error: database-connections: must be at least 1, not 0 (--database-connections or \
             TA_TRACKER_DATABASE_CONNECTIONS); 0 does not mean no limit here",
        ),
        (
            &["--trusted-proxy-header", "X Forwarded For"][..],
            None,
            "error: trusted-proxy-header: \"X Forwarded For\" is not a header name \
             (--trusted-proxy-header or TA_TRACKER_TRUSTED_PROXY_HEADER)",
        ),
    ] {
        let mut cmd = command(&["serve", "--database-url", &url, "--bind", "127.0.0.1:0"]);
        cmd.args(["--open", "false"])
            .args(flags)
            .stdin(Stdio::null());
        if let Some((key, value)) = env {
            cmd.env(key, value);
        }
        let o = output_within(cmd, Duration::from_secs(20));
        let line = assert_one_line_error(&o);
        assert!(line.starts_with(expected), "{flags:?} {env:?}: {line}");
        assert!(
            files_in(dir.path()).is_empty(),
            "{:?}",
            files_in(dir.path())
        );
    }
}

/// A database URL that names no database is refused naming the setting, not opened as an SQLite
/// file of that name; one that cannot be reached is named, its password masked.
#[test]
fn a_database_url_that_names_no_database_is_refused_naming_the_setting() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (url, expected) in [
        (
            "",
            "error: database-url: is empty; give sqlite://FILE or postgres://",
        ),
        (
            "mysql://app@db/tracker",
            "error: database-url: begins mysql:, not sqlite: or postgres://; give sqlite://FILE",
        ),
        (
            "postgres:/db/tracker",
            "error: database-url: begins postgres:, not sqlite: or postgres://",
        ),
        (
            "postgres://app:s3cret@127.0.0.1:1/tracker",
            "error: database-url: could not connect to postgres://app:***@127.0.0.1:1/tracker: ",
        ),
    ] {
        for args in [&["migrate"][..], &["token", "list"][..]] {
            let o = command(args)
                .env("TA_TRACKER_DATABASE_URL", url)
                .current_dir(dir.path())
                .output()
                .expect("run ta-tracker");
            let line = assert_one_line_error(&o);
            assert!(line.starts_with(expected), "{args:?} {url:?}: {line}");
            assert!(!line.contains("s3cret"), "{line}");
        }
    }
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
}

/// Every command that reads or writes records, with `url` as its database, writing (when it
/// writes a file) into `dir`.
fn commands_that_need_a_database(dir: &std::path::Path) -> Vec<Vec<String>> {
    let out = |name: &str| dir.join(name).display().to_string();
    [
        vec!["backup", "--output", &out("backup.db")],
        vec!["export", "iati", "--output", &out("iati.xml")],
        vec!["export", "iati"],
        vec![
            "export",
            "csv",
            "indicators",
            "--output",
            &out("indicators.csv"),
        ],
        vec!["export", "csv", "activities"],
        vec!["token", "create", "--role", "admin", "--name", "x"],
        vec!["token", "list"],
        vec!["token", "revoke", "1"],
    ]
    .into_iter()
    .map(|args| args.into_iter().map(str::to_string).collect())
    .collect()
}

#[test]
fn commands_other_than_serve_migrate_and_seed_refuse_a_database_that_does_not_exist() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("mistyped.db");
    let url = format!("sqlite://{}", missing.display());
    for args in commands_that_need_a_database(dir.path()) {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.extend(["--database-url", &url]);
        let o = run(&args);
        let line = assert_one_line_error(&o);
        assert!(
            line.contains(&missing.display().to_string()),
            "{args:?}: the path is named: {line}"
        );
        assert!(
            line.contains("--database-url") && line.contains("TA_TRACKER_DATABASE_URL"),
            "{args:?}: says how to name the database: {line}"
        );
        assert!(stdout(&o).is_empty(), "{args:?}: {}", stdout(&o));
        assert!(
            files_in(dir.path()).is_empty(),
            "{args:?} wrote {:?}",
            files_in(dir.path())
        );
    }
    // A bare path is an SQLite file too.
    let o = run(&[
        "token",
        "list",
        "--database-url",
        &missing.display().to_string(),
    ]);
    assert_one_line_error(&o);
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
}

#[test]
fn without_a_database_url_the_default_file_must_exist_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    for args in commands_that_need_a_database(dir.path()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run_in(dir.path(), &args);
        let line = assert_one_line_error(&o);
        assert!(
            line.contains("ta-tracker.db") && line.contains("--database-url"),
            "{args:?}: {line}"
        );
        assert!(
            files_in(dir.path()).is_empty(),
            "{args:?} wrote {:?}",
            files_in(dir.path())
        );
    }
    // The same URL given in the environment is refused the same way.
    let o = command(&["token", "list"])
        .current_dir(dir.path())
        .env("TA_TRACKER_DATABASE_URL", "sqlite://elsewhere.db")
        .output()
        .expect("run ta-tracker");
    let line = assert_one_line_error(&o);
    assert!(line.contains("elsewhere.db"), "{line}");
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
}

#[test]
fn the_same_commands_work_on_a_database_that_exists() {
    let (dir, url) = temp_db();
    // The demo data, so that the IATI file has activities to hold.
    assert_success(&run(&["seed", "--demo", "--database-url", &url]));
    for args in commands_that_need_a_database(dir.path()) {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.extend(["--database-url", &url]);
        assert_success(&run(&args));
    }
    for file in ["backup.db", "iati.xml", "indicators.csv"] {
        assert!(
            dir.path().join(file).exists(),
            "{file} not written: {:?}",
            files_in(dir.path())
        );
    }
}

/// `ta-tracker serve` with `args`, run in `dir`, where the default database would be.
fn serve_in(dir: &std::path::Path, args: &[&str]) -> Server {
    Server::start_with(command(&["serve"]).current_dir(dir), args)
}

#[test]
fn logs_written_to_a_pipe_carry_no_colour_codes() {
    let (dir, url) = temp_db();
    let server = serve_in(dir.path(), &["--no-demo", "--database-url", &url]);
    server.logged("ta-tracker is serving");
    for line in &server.log {
        assert!(!line.contains('\u{1b}'), "colour codes in {line:?}");
    }
}

/// Splits a command line as a POSIX shell would, for the quoting the hints use.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' => words.extend(word.take()),
            '"' => {
                let w = word.get_or_insert_with(String::new);
                w.extend(chars.by_ref().take_while(|&c| c != '"'));
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                w.extend(chars.by_ref().take_while(|&c| c != '\''));
            }
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// The command the server's first-start hint gives, as words, without `ta-tracker`.
#[track_caller]
fn first_token_hint(server: &Server) -> Vec<String> {
    let line = server.logged("no live admin token exists");
    let (_, command) = line
        .split_once("create one with: ")
        .unwrap_or_else(|| panic!("no command in {line:?}"));
    let words = shell_words(command);
    assert_eq!(words[0], "ta-tracker", "{line}");
    words[1..].to_vec()
}

#[test]
fn the_first_admin_token_hint_creates_the_token_in_the_database_being_served() {
    let served = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", served.path().join("served.db").display());
    let server = serve_in(served.path(), &["--no-demo", "--database-url", &url]);
    let hint = first_token_hint(&server);
    assert!(
        hint.windows(2)
            .any(|w| w[0] == "--database-url" && w[1] == url),
        "the hint names the database: {hint:?}"
    );
    // Followed from another directory, it creates the token where the server reads it.
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let args: Vec<&str> = hint.iter().map(String::as_str).collect();
    let o = run_in(elsewhere.path(), &args);
    assert_success(&o);
    assert!(
        files_in(elsewhere.path()).is_empty(),
        "{:?}",
        files_in(elsewhere.path())
    );
    let secret = stdout(&o).trim().to_string();
    let (status, _) = server.get("/export/activities.csv", &secret);
    assert_eq!(status, 200, "the server takes the token the hint made");
}

#[test]
fn the_first_admin_token_hint_on_the_default_database_names_none() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = serve_in(dir.path(), &["--no-demo"]);
    let hint = first_token_hint(&server);
    assert!(
        !hint.iter().any(|w| w == "--database-url"),
        "no --database-url for the default: {hint:?}"
    );
    let args: Vec<&str> = hint.iter().map(String::as_str).collect();
    let o = run_in(dir.path(), &args);
    assert_success(&o);
    let (status, _) = server.get("/export/activities.csv", stdout(&o).trim());
    assert_eq!(status, 200);
}

/// On PostgreSQL the hint names the database too, but never logs its password.
#[tokio::test]
async fn the_first_admin_token_hint_on_postgres_leaves_the_password_out() {
    let Some(app) = common::TestApp::postgres().await else {
        return;
    };
    // The test server trusts local connections, so a password in the URL is accepted unread.
    let (scheme, rest) = app.url.split_once("://").expect("a URL");
    let (user, host) = rest.split_once('@').expect("a user in the URL");
    let (url, password) = match user.split_once(':') {
        Some((_, password)) => (app.url.clone(), password.to_string()),
        None => (
            format!("{scheme}://{user}:hint-secret@{host}"),
            "hint-secret".to_string(),
        ),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let server = serve_in(dir.path(), &["--no-demo", "--database-url", &url]);
    let line = server.logged("no live admin token exists");
    assert!(!line.contains(&password), "the password is logged: {line}");
    let hint = first_token_hint(&server);
    let at = hint
        .iter()
        .position(|w| w == "--database-url")
        .unwrap_or_else(|| panic!("the hint names the database: {hint:?}"));
    assert_eq!(hint[at + 1], url.replace(&password, "***"), "{line}");
    assert!(line.contains("in place of ***"), "{line}");
    // The operator puts the password back and runs it.
    let args: Vec<String> = hint[..at + 2]
        .iter()
        .map(|w| w.replace("***", &password))
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run_in(dir.path(), &args);
    assert_success(&o);
    let (status, _) = server.get("/export/activities.csv", stdout(&o).trim());
    assert_eq!(status, 200);
}

/// The reporting organisation reference of every activity of the server's IATI file, read with
/// the admin token its first-start hint makes. The file is Burkina Faso's: the demo's other
/// engagements have identifiers of their own, under the placeholder, which the export refuses
/// to publish under another reference (as the whole file's refusal, naming it, shows).
fn reporting_refs(server: &Server) -> Vec<String> {
    let args = first_token_hint(server);
    let o = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_success(&o);
    let (status, refusal) = server.get("/export/iati.xml", stdout(&o).trim());
    assert_eq!(status, 409, "{refusal}");
    assert!(refusal.contains("XX-UNODC-DEMO-VEP-IDN-01"), "{refusal}");
    let (status, xml) = server.get("/export/iati.xml?country=BFA", stdout(&o).trim());
    assert_eq!(status, 200, "{xml}");
    let activities = xml.matches("<iati-activity ").count();
    assert!(activities > 0, "no activity: {xml}");
    let refs: Vec<String> = xml
        .split("<reporting-org ref=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').expect("a closing quote")].to_string())
        .collect();
    assert_eq!(refs.len(), activities, "{xml}");
    refs
}

#[test]
fn serve_takes_the_iati_reporting_organisation_reference_as_a_flag() {
    let (dir, url) = temp_db();
    // The demo data (loaded under the default reference), so that the file has activities.
    assert_success(&run(&["seed", "--demo", "--database-url", &url]));
    // The flag wins over the environment.
    let server = Server::start_with(
        command(&["serve"])
            .current_dir(dir.path())
            .env("TA_TRACKER_IATI_REPORTING_ORG_REF", "XM-FROM-ENV"),
        &[
            "--database-url",
            &url,
            "--reporting-org-ref",
            "XM-FROM-FLAG",
        ],
    );
    let line = server.logged("reporting organisation reference");
    assert!(line.contains("XM-FROM-FLAG"), "{line}");
    for reference in reporting_refs(&server) {
        assert_eq!(reference, "XM-FROM-FLAG");
    }
}

#[test]
fn serve_without_the_flag_still_reads_the_reference_from_the_environment() {
    let (dir, url) = temp_db();
    assert_success(&run(&["seed", "--demo", "--database-url", &url]));
    let server = Server::start_with(
        command(&["serve"])
            .current_dir(dir.path())
            .env("TA_TRACKER_IATI_REPORTING_ORG_REF", "XM-FROM-ENV"),
        &["--database-url", &url],
    );
    let line = server.logged("reporting organisation reference");
    assert!(line.contains("XM-FROM-ENV"), "{line}");
    for reference in reporting_refs(&server) {
        assert_eq!(reference, "XM-FROM-ENV");
    }
}

/// The rows of `token list`, header left out.
fn token_rows(url: &str) -> Vec<String> {
    let o = run(&["token", "list", "--database-url", url]);
    assert_success(&o);
    stdout(&o).lines().skip(1).map(str::to_string).collect()
}

#[test]
fn token_create_refuses_a_scope_that_makes_a_useless_token() {
    let (_dir, url) = temp_db();
    assert_success(&run(&["seed", "--demo", "--database-url", &url]));
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Days::new(1)).to_string();
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["officer", "--programme", "NO-SUCH"],
            "programme: ",
            "NO-SUCH",
        ),
        (
            &["officer", "--programme", "DEMO-VEP", "--country", "XYZ"],
            "country",
            "XYZ",
        ),
        (
            &[
                "officer",
                "--programme",
                "DEMO-VEP",
                "--expires",
                &yesterday,
            ],
            "expires: ",
            "already past",
        ),
        (
            &["admin", "--programme", "DEMO-VEP"],
            "programme: ",
            "admin",
        ),
        (&["reporter", "--country", "IDN"], "country: ", "reporter"),
        (
            &["donor", "--organisation", "1", "--programme", "DEMO-VEP"],
            "programme: ",
            "donor",
        ),
        (&["admin", "--organisation", "1"], "organisation: ", "admin"),
    ];
    for (flags, field, problem) in cases {
        let mut args = vec!["token", "create", "--database-url", &url, "--role"];
        args.extend_from_slice(flags);
        let o = run(&args);
        let line = assert_one_line_error(&o);
        assert!(
            line.contains(field) && line.contains(problem),
            "{flags:?}: {field} and {problem} expected in {line}"
        );
        assert!(stdout(&o).is_empty(), "{flags:?}: {}", stdout(&o));
    }
    assert_eq!(token_rows(&url), Vec::<String>::new(), "no token written");
}

#[tokio::test]
async fn token_create_refuses_an_archived_programme() {
    let (_dir, url) = temp_db();
    assert_success(&run(&["seed", "--demo", "--database-url", &url]));
    let db = ta_tracker::storage::Db::connect(&url, 1).await.expect("db");
    let (id, version): (i64, i64) =
        sqlx::query_as("select id, version from programmes where code = 'DEMO-VEP'")
            .fetch_one(db.pool())
            .await
            .expect("the demo programme");
    ta_tracker::domain::records::archive(
        &db,
        &ta_tracker::domain::auth::Viewer::system("test"),
        ta_tracker::storage::ownership::Kind::Programme,
        id,
        version,
        true,
    )
    .await
    .expect("archive");
    db.close().await;
    let o = run(&[
        "token",
        "create",
        "--role",
        "officer",
        "--programme",
        "DEMO-VEP",
        "--database-url",
        &url,
    ]);
    let line = assert_one_line_error(&o);
    assert!(
        line.contains("programme") && line.contains("DEMO-VEP") && line.contains("archived"),
        "{line}"
    );
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    assert_eq!(token_rows(&url), Vec::<String>::new(), "no token written");
}

#[test]
fn token_list_shows_each_token_scope() {
    let (_dir, url) = temp_db();
    assert_success(&run(&["seed", "--demo", "--database-url", &url]));
    let today = chrono::Utc::now().date_naive().to_string();
    // The programme in any case, as list filters take it; today is still a valid last day.
    let create = |flags: &[&str]| {
        let mut args = vec!["token", "create", "--database-url", &url, "--role"];
        args.extend_from_slice(flags);
        assert_success(&run(&args));
    };
    create(&[
        "officer",
        "--name",
        "Officer",
        "--programme",
        "demo-vep",
        "--country",
        "IDN",
        "--country",
        "KAZ",
        "--expires",
        &today,
    ]);
    create(&[
        "donor",
        "--name",
        "Donor",
        "--organisation",
        "Organisation:1",
    ]);
    let o = run(&["token", "list", "--database-url", &url]);
    assert_success(&o);
    let list = stdout(&o);
    assert_eq!(
        list.lines().next(),
        Some("id\trole\tname\torganisation\tprogrammes\tcountries\texpires\tstate"),
        "{list}"
    );
    let rows = token_rows(&url);
    assert_eq!(
        rows,
        [
            format!("1\tofficer\tOfficer\t\tDEMO-VEP\tIDN,KAZ\t{today}\tlive"),
            "2\tdonor\tDonor\t1\t\t\t\tlive".to_string(),
        ]
    );
}

/// An admin token past its last valid day lets no one in, so the start-up hint says to create
/// one, as it does when there is none.
#[tokio::test]
async fn serve_asks_for_an_admin_token_when_the_only_one_has_expired() {
    let (dir, url) = seeded_db();
    let db = ta_tracker::storage::Db::connect(&url, 1).await.expect("db");
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Days::new(1)).to_string();
    ta_tracker::domain::tokens::create(
        &db,
        ta_tracker::domain::tokens::TokenRequest {
            role: ta_tracker::domain::auth::Role::Admin,
            name: Some("old".to_string()),
            programmes: Vec::new(),
            countries: Vec::new(),
            organisation_id: None,
            expires: Some(yesterday),
        },
    )
    .await
    .expect("token");
    db.close().await;
    let server = serve_in(dir.path(), &["--no-demo", "--database-url", &url]);
    first_token_hint(&server);
}

#[tokio::test]
async fn token_list_says_when_a_token_has_expired() {
    let (_dir, url) = seeded_db();
    // Made through the library, since the command line refuses a date already past.
    let db = ta_tracker::storage::Db::connect(&url, 1).await.expect("db");
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Days::new(1)).to_string();
    ta_tracker::domain::tokens::create(
        &db,
        ta_tracker::domain::tokens::TokenRequest {
            role: ta_tracker::domain::auth::Role::Reporter,
            name: Some("old".to_string()),
            programmes: Vec::new(),
            countries: Vec::new(),
            organisation_id: None,
            expires: Some(yesterday.clone()),
        },
    )
    .await
    .expect("token");
    db.close().await;
    assert_eq!(
        token_rows(&url),
        [format!("1\treporter\told\t\t\t\t{yesterday}\texpired")]
    );
}

#[test]
fn seed_demo_says_what_it_loaded_and_what_it_skipped() {
    let (_dir, url) = temp_db();
    let o = run(&["seed", "--demo", "--database-url", &url]);
    assert_success(&o);
    let first = stderr(&o);
    assert!(first.contains("loaded reference data: "), "{first}");
    assert!(first.contains("loaded the demo data"), "{first}");
    assert!(!first.contains("skipped"), "{first}");

    let o = run(&["seed", "--demo", "--database-url", &url]);
    assert_success(&o);
    let again = stderr(&o);
    assert!(
        again.contains("skipped the demo data")
            && again.contains("already holds organisations or programmes"),
        "says the demo data was skipped, and why: {again}"
    );
    assert!(!again.contains("loaded the demo data"), "{again}");
    assert!(
        again.contains("reference data: all of it was there already; nothing loaded"),
        "{again}"
    );
    // Without --demo nothing is said about it.
    let o = run(&["seed", "--database-url", &url]);
    assert_success(&o);
    assert!(!stderr(&o).contains("demo"), "{}", stderr(&o));
}

#[test]
fn seed_demo_under_a_real_reporting_reference_skips_the_demo_and_says_why() {
    let (_dir, url) = temp_db();
    let o = command(&["seed", "--demo", "--database-url", &url])
        .env("TA_TRACKER_IATI_REPORTING_ORG_REF", "XM-REAL-1")
        .output()
        .expect("run ta-tracker");
    assert_success(&o);
    let err = stderr(&o);
    assert!(
        err.contains("skipped the demo data") && err.contains("XM-REAL-1"),
        "{err}"
    );
    // Nothing of the demo was left behind: it still loads into this database.
    let o = run(&["seed", "--demo", "--database-url", &url]);
    assert_success(&o);
    assert!(
        stderr(&o).contains("loaded the demo data"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn serve_under_a_real_reporting_reference_starts_without_the_demo() {
    let (dir, url) = temp_db();
    let server = serve_in(
        dir.path(),
        &["--database-url", &url, "--reporting-org-ref", "XM-REAL-1"],
    );
    let line = server.logged("the demo data is not loaded");
    assert!(line.contains("XM-REAL-1"), "{line}");
    drop(server);
    let o = run(&["seed", "--demo", "--database-url", &url]);
    assert_success(&o);
    assert!(
        stderr(&o).contains("loaded the demo data"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn export_iati_under_another_reference_refuses_the_placeholders_identifiers() {
    let (_dir, url) = temp_db();
    assert_success(&run(&["seed", "--demo", "--database-url", &url]));
    let export = |extra: &[&str]| {
        let base = [
            "export",
            "iati",
            "--database-url",
            &url,
            "--reporting-org-ref",
            "XM-REAL-1",
        ];
        run(&[&base[..], extra].concat())
    };
    let line = assert_one_line_error(&export(&[]));
    assert!(
        line.contains("XX-UNODC-DEMO-VEP-IDN-01") && line.contains("XM-REAL-1-"),
        "{line}"
    );
    // Burkina Faso's engagement has no identifier of its own: it is published under the reference.
    let o = export(&["--country", "BFA"]);
    assert_success(&o);
    assert!(
        stdout(&o).contains("<iati-identifier>XM-REAL-1-ENG-"),
        "{}",
        stdout(&o)
    );
}

/// An output file in a directory that does not exist is refused naming the file and the missing
/// directory, where the export said only 'output: No such file or directory (os error 2)' and
/// the backup 'unable to open database file'.
#[test]
fn an_output_in_a_missing_directory_is_named_with_the_directory() {
    let (dir, url) = temp_db();
    // With engagements, so that the IATI export has something to write.
    assert_success(&run(&["seed", "--demo", "--database-url", &url]));
    let missing = dir.path().join("missing");
    let file = missing.join("out.file");
    let file = file.to_str().expect("utf-8 path");
    for args in [
        &["export", "csv", "activities", "--output", file][..],
        &["export", "iati", "--output", file][..],
        &["backup", "--output", file][..],
    ] {
        let o = run(&[args, &["--database-url", &url][..]].concat());
        let line = assert_one_line_error(&o);
        assert_eq!(
            line,
            format!(
                "error: output: cannot create {file}: there is no directory {}",
                missing.display()
            ),
            "{args:?}"
        );
    }
    assert!(!missing.exists());
}

/// The database pool follows --max-concurrent-requests unless --database-connections sets it,
/// where it stayed 8 whatever the limit said; the start-up line says both.
#[test]
fn the_database_connections_follow_the_concurrency_limit_unless_set() {
    let (dir, url) = temp_db();
    for (args, expected) in [
        (&[][..], "connections=8 max_concurrent_requests=8"),
        (
            &["--max-concurrent-requests", "12"][..],
            "connections=12 max_concurrent_requests=12",
        ),
        (
            &[
                "--max-concurrent-requests",
                "12",
                "--database-connections",
                "3",
            ][..],
            "connections=3 max_concurrent_requests=12",
        ),
    ] {
        let server = serve_in(
            dir.path(),
            &[&["--no-demo", "--database-url", &url][..], args].concat(),
        );
        let line = server.logged("ta-tracker is serving");
        assert!(line.contains(expected), "{args:?}: {line}");
    }
}

/// A value clap refuses names the environment variable it came from, where clap named only the
/// flag, which the operator never typed; a value given as the flag gets no such tip.
#[test]
fn a_bad_value_from_the_environment_names_its_variable() {
    for (variable, value, refused) in [
        (
            "TA_TRACKER_MAX_DEPTH",
            "abc",
            "error: invalid value 'abc' for '--max-depth <MAX_DEPTH>'",
        ),
        (
            "TA_TRACKER_OPEN",
            "maybe",
            "error: invalid value 'maybe' for '--open <OPEN>'",
        ),
    ] {
        let o = command(&["serve"])
            .env(variable, value)
            .output()
            .expect("run ta-tracker");
        assert!(!o.status.success());
        let err = stderr(&o);
        assert!(err.starts_with(refused), "{err}");
        let flag = refused
            .split('\'')
            .nth(3)
            .unwrap()
            .split(' ')
            .next()
            .unwrap();
        let tip = format!(
            "tip: \"{value}\" was read from the environment variable {variable}, which sets {flag}"
        );
        assert!(err.contains(&tip), "{err}");
    }
    let o = run(&["serve", "--max-depth", "abc"]);
    assert!(!o.status.success());
    assert!(stderr(&o).starts_with("error: invalid value 'abc'"));
    assert!(!stderr(&o).contains("environment"), "{}", stderr(&o));
}

// An address `serve` cannot listen on (taken by another server, or mistyped) stops it before it
// touches the database: it used to migrate it and load the demo data into an empty one first,
// then fail, leaving a database changed by a server that never served. The refusal names the
// setting and its variable.
on_both_engines!(
    serve_on_an_address_taken_refuses_before_it_changes_the_database,
    |app: common::TestApp| async move {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = taken.local_addr().expect("address").to_string();
        let o = run(&["serve", "--database-url", &app.url, "--bind", &addr]);
        let line = assert_one_line_error(&o);
        assert!(
            line.starts_with(&format!("error: bind: cannot listen on {addr}: ")),
            "{line}"
        );
        assert!(line.ends_with("(--bind or TA_TRACKER_BIND)"), "{line}");
        assert_eq!(
            app.count("organisations").await,
            0,
            "the demo data was loaded"
        );
        // A fresh SQLite file is not even created.
        let (dir, url) = temp_db();
        let o = run(&["serve", "--database-url", &url, "--bind", &addr]);
        assert_one_line_error(&o);
        assert!(
            files_in(dir.path()).is_empty(),
            "{:?}",
            files_in(dir.path())
        );
        drop(taken);
    }
);

// A reporting organisation reference that is not an IATI organisation identifier is refused by
// the commands that use it, naming the flag and the variable, before the database is opened: it
// was taken as it was ("has space"), logged as the reference in use and written into every
// file's reporting-org, and no engagement identifier could then be set under it.
on_both_engines!(
    a_reporting_reference_that_is_not_an_iati_identifier_is_refused,
    |app: common::TestApp| async move {
        let named = "(--reporting-org-ref or TA_TRACKER_IATI_REPORTING_ORG_REF)";
        // A taken address, so that a serve that let the reference through stops all the same.
        let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = taken.local_addr().expect("address").to_string();
        let from_env = |args: &[&str], value: &str| {
            command(args)
                .args(["--database-url", &app.url])
                .env("TA_TRACKER_IATI_REPORTING_ORG_REF", value)
                .output()
                .expect("run ta-tracker")
        };
        // seed has no such flag: its refusal names the variable alone.
        let line = assert_one_line_error(&from_env(&["seed", "--demo"], "has space"));
        assert!(
            line.ends_with(" (TA_TRACKER_IATI_REPORTING_ORG_REF)"),
            "{line}"
        );
        for o in [
            from_env(&["serve", "--bind", &addr, "--open", "false"], "has space"),
            from_env(&["export", "iati"], "has space"),
            run(&[
                "export",
                "iati",
                "--database-url",
                &app.url,
                "--reporting-org-ref",
                "UNODC",
            ]),
        ] {
            let line = assert_one_line_error(&o);
            assert!(
                line.starts_with(
                    "error: reporting-org-ref: must be an IATI organisation identifier"
                ),
                "{line}"
            );
            assert!(line.ends_with(named), "{line}");
        }
        let line = assert_one_line_error(&from_env(&["export", "iati"], "XM-DAC-41147/1"));
        assert!(
            line.starts_with("error: reporting-org-ref: must not contain /"),
            "{line}"
        );
        assert_eq!(
            app.count("organisations").await,
            0,
            "the demo data was loaded"
        );
    }
);

/// `--help` names the database URL's variable but not its value, which holds the password: an
/// operator pasting the help of a configured machine into a ticket pasted the password too.
#[test]
fn help_does_not_print_the_database_password_from_the_environment() {
    for args in [
        &["serve", "--help"][..],
        &["token", "create", "--help"],
        &["export", "csv", "--help"],
        &["help", "backup"],
    ] {
        let o = command(args)
            .env(
                "TA_TRACKER_DATABASE_URL",
                "postgres://app:help-secret@db.example/tracker",
            )
            .output()
            .expect("run ta-tracker");
        assert_success(&o);
        let help = stdout(&o);
        assert!(!help.contains("help-secret"), "{args:?}: {help}");
        assert!(help.contains("[env: TA_TRACKER_DATABASE_URL]"), "{help}");
    }
}

/// Two instances started together on one PostgreSQL database without data (two replicas of a
/// first deployment) load it once: the second waits for the first and finds the data there. It
/// used to fail, on the reference data ('a record with the same unique value already exists') or
/// part-way through the demo, having created a second UNODC. PostgreSQL only: on SQLite the
/// seeding takes no lock (two processes seeding one file at once may still clash).
#[tokio::test]
async fn two_instances_seeding_one_postgres_database_at_once_load_it_once() {
    let Some(app) = common::TestApp::postgres().await else {
        return;
    };
    let seed = || {
        command(&["seed", "--demo", "--database-url", &app.url])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start seed")
    };
    let (first, second) = (seed(), seed());
    let outputs = [first, second].map(|c| c.wait_with_output().expect("seed"));
    for o in &outputs {
        assert_success(o);
    }
    let said: Vec<String> = outputs.iter().map(stderr).collect();
    let loaded = said
        .iter()
        .filter(|e| e.contains("loaded the demo data"))
        .count();
    assert_eq!(loaded, 1, "{said:#?}");
    assert!(
        said.iter().any(|e| e.contains("skipped the demo data")),
        "{said:#?}"
    );
    let (unodc,): (i64,) =
        sqlx::query_as("select count(*) from organisations where name like '%(UNODC)'")
            .fetch_one(app.db.pool())
            .await
            .expect("count");
    assert_eq!(unodc, 1, "{said:#?}");
}

// A database a newer binary migrated (an operator going back to the previous release) is refused
// in the words readiness uses, saying what to do, where sqlx's read 'migration 9999 was
// previously applied but is missing in the resolved migrations'.
on_both_engines!(
    a_database_a_newer_binary_migrated_is_refused_saying_so,
    |app: common::TestApp| async move {
        app.record_newer_migration().await;
        for args in [
            &["token", "list"][..],
            &["migrate"],
            &["serve", "--bind", "127.0.0.1:0", "--open", "false"],
        ] {
            let o = run(&[args, &["--database-url", &app.url]].concat());
            let line = assert_one_line_error(&o);
            assert_eq!(
                line,
                "error: could not apply migrations: the database has migration 9999, which \
                 this binary does not have (a newer version migrated it): run that version on \
                 it, or this one on a database restored from before it",
                "{args:?}"
            );
        }
    }
);

// A token's name with a tab or a line break is refused, naming --name: `token list` writes a
// token a line with tabs between the columns, and such a name split its row in two and shifted
// its columns, so a script reading the list (`cut -f1` for the numbers) misread it. An empty
// name is refused too, where it listed a token with no name.
on_both_engines!(
    a_token_name_that_would_break_token_list_is_refused,
    |app: common::TestApp| async move {
        for (name, refused) in [
            (
                "two\tcolumns",
                "error: name: must not contain a tab, a line break or another control character",
            ),
            ("two\nlines", "error: name: must not contain a tab"),
            (
                " ",
                "error: name: must not be empty; leave --name out for the default, 'reporter \
                 token'",
            ),
        ] {
            let o = run(&[
                "token",
                "create",
                "--role",
                "reporter",
                "--name",
                name,
                "--database-url",
                &app.url,
            ]);
            let line = assert_one_line_error(&o);
            assert!(line.starts_with(refused), "{name:?}: {line}");
            assert!(stdout(&o).is_empty(), "{}", stdout(&o));
        }
        assert_eq!(app.count("api_tokens").await, 0);
    }
);

// An export to --output that fails part-way leaves the file it would have replaced as it was, and
// nothing beside it: it used to leave it cut short (the CSV header alone, the IATI file's XML
// prolog), so a nightly job that published the file published a broken one. Here the failure
// is a table gone once the file has begun; a lost connection or Ctrl-C stops it the same way.
on_both_engines!(
    an_export_that_fails_part_way_leaves_the_previous_file_as_it_was,
    |app: common::TestApp| async move {
        let app = app.with_demo().await;
        let dir = tempfile::tempdir().expect("temp dir");
        let exports = [
            (
                &["export", "csv", "activities"][..],
                "activities.csv",
                "activities",
            ),
            (&["export", "iati"][..], "iati.xml", "indicators"),
        ];
        for (args, name, table) in exports {
            let file = dir.path().join(name);
            let file = file.to_str().expect("utf-8 path");
            let export = || run(&[args, &["--database-url", &app.url, "--output", file]].concat());
            assert_success(&export());
            let before = std::fs::read_to_string(file).expect("the first export");
            sqlx::query(&format!("alter table {table} rename to {table}_gone"))
                .execute(app.db.pool())
                .await
                .expect("take the table away");
            let line = assert_one_line_error(&export());
            assert!(line.contains(table), "{args:?}: {line}");
            assert_eq!(
                std::fs::read_to_string(file).expect("the file"),
                before,
                "{args:?} changed the file"
            );
            sqlx::query(&format!("alter table {table}_gone rename to {table}"))
                .execute(app.db.pool())
                .await
                .expect("put the table back");
        }
        assert_eq!(files_in(dir.path()), ["activities.csv", "iati.xml"]);
    }
);

// Interrupted (Ctrl-C, a job's SIGTERM) while it runs, an export stops at once with an error,
// and its hidden file goes with it: it was left beside the output, cut short, where a web root
// would serve it. The export is held mid-way by a lock on its table, which PostgreSQL makes it
// wait on (SQLite readers never wait).
#[tokio::test]
async fn an_interrupted_export_leaves_nothing_behind() {
    let Some(app) = common::TestApp::postgres().await else {
        return;
    };
    let app = app.with_demo().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("activities.csv");
    let file = file.to_str().expect("utf-8 path");
    let args = [
        "export",
        "csv",
        "activities",
        "--database-url",
        &app.url,
        "--output",
        file,
    ];
    assert_success(&run(&args));
    let before = std::fs::read_to_string(file).expect("the first export");
    let mut holder = app.db.pool().begin().await.expect("begin");
    sqlx::query("lock table activities in access exclusive mode")
        .execute(&mut *holder)
        .await
        .expect("lock");
    let child = command(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the export");
    // Until its hidden file is there, it has not begun.
    let hidden = dir.path().join(".activities.csv.partial");
    let started = Instant::now();
    while !hidden.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no hidden file"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let o = output_within_child(child, Duration::from_secs(10));
    holder.rollback().await.expect("unlock");
    let line = assert_one_line_error(&o);
    assert_eq!(
        line,
        "error: output: the export was interrupted before it finished"
    );
    assert_eq!(std::fs::read_to_string(file).expect("the file"), before);
    assert_eq!(files_in(dir.path()), ["activities.csv"]);

    // A finished export keeps the mode of the file it replaces, whatever the job's umask (077
    // made a published file unreadable to the web server serving it).
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let shell = Command::new("sh")
        .args(["-c", "umask 077; exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_ta-tracker"))
        .args(args)
        .output()
        .expect("run the export under umask 077");
    assert_success(&shell);
    let mode = std::fs::metadata(file)
        .expect("the file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
}

/// The output of a child already running, killed if it runs past `limit`.
fn output_within_child(mut child: std::process::Child, limit: Duration) -> Output {
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the export did not stop within {limit:?} of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}
