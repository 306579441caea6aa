//! The command line: serve, migrate, seed, schema, token.

mod serve;
mod token;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{DATABASE_URL_ENV, DEFAULT_DATABASE_URL, Limits};
use crate::domain::auth::Role;
use crate::domain::reporting::{DEMO_REPORTING_REF, REPORTING_REF_ENV, ReportingOrg};
use crate::error::{AppError, AppResult};
use crate::storage::{Backend, Db, check_url, normalise_url};

#[derive(Parser, Debug)]
#[command(
    name = "ta-tracker",
    version,
    about = "Tracks UNODC technical assistance to Member States"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the command line, or exits with clap's message. A bad value read from an
    /// environment variable gets a tip naming the variable: clap names only the flag, which the
    /// operator never typed.
    pub fn parse_naming_variables() -> Cli {
        use clap::error::{ContextKind, ContextValue};
        Cli::try_parse().unwrap_or_else(|mut error| {
            if let Some(tip) = from_environment(&error) {
                error.insert(
                    ContextKind::Suggested,
                    ContextValue::StyledStrs(vec![tip.into()]),
                );
            }
            error.exit()
        })
    }

    /// Settings given as flags that the service reads from the environment where it uses them:
    /// the IATI reporting organisation's identifier, which `/export/iati.xml` and the API's
    /// checks of engagement identifiers read through `ReportingOrg::from_env`. The binary puts
    /// them there before any thread starts, so the environment stays the one place they are
    /// read from.
    pub fn environment(&self) -> Vec<(&'static str, String)> {
        match &self.command {
            Command::Serve {
                reporting_org_ref: Some(reference),
                ..
            } => vec![(REPORTING_REF_ENV, reference.clone())],
            _ => Vec::new(),
        }
    }
}

/// Where a value clap refused came from the environment rather than the command line: the tip
/// that names the variable.
fn from_environment(error: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if !matches!(
        error.kind(),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation
    ) {
        return None;
    }
    let (Some(ContextValue::String(arg)), Some(ContextValue::String(value))) = (
        error.get(ContextKind::InvalidArg),
        error.get(ContextKind::InvalidValue),
    ) else {
        return None;
    };
    // "--max-depth <MAX_DEPTH>"
    let flag = arg.split_whitespace().next()?;
    let on_command_line = std::env::args_os().any(|a| {
        let a = a.to_string_lossy();
        a == flag || a.starts_with(&format!("{flag}="))
    });
    let variable = variable_of(
        &<Cli as clap::CommandFactory>::command(),
        flag.strip_prefix("--")?,
    )?;
    let set = std::env::var_os(&variable).is_some_and(|v| v.to_string_lossy() == *value);
    (set && !on_command_line).then(|| {
        format!("{value:?} was read from the environment variable {variable}, which sets {flag}")
    })
}

/// The environment variable of the flag `--long`, in `command` or any of its subcommands.
fn variable_of(command: &clap::Command, long: &str) -> Option<String> {
    command
        .get_arguments()
        .find(|a| a.get_long() == Some(long))
        .and_then(|a| a.get_env())
        .map(|v| v.to_string_lossy().into_owned())
        .or_else(|| {
            command
                .get_subcommands()
                .find_map(|sub| variable_of(sub, long))
        })
}

#[derive(clap::Args, Debug, Clone)]
pub struct DbArgs {
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB. Only serve, migrate and seed
    /// create a missing SQLite file; the other commands refuse one that does not exist.
    // Its value from the environment is left out of --help, which would print its password.
    #[arg(
        long,
        env = DATABASE_URL_ENV,
        hide_env_values = true,
        default_value = DEFAULT_DATABASE_URL,
        global = true
    )]
    pub database_url: String,
}

impl DbArgs {
    /// The same database for a command that must not create it: refused, naming the file, when
    /// the URL names an SQLite file that does not exist (so a missing or mistyped URL is not
    /// answered from a new, empty database), else given `mode=rw` so that SQLite opens the file
    /// only if it is still there.
    pub fn existing(self) -> AppResult<DbArgs> {
        let url = self.database_url;
        check_url(&url)?;
        let normal = normalise_url(&url);
        if Backend::from_url(&normal)? != Backend::Sqlite
            || normal.contains(":memory:")
            || normal.contains("mode=memory")
        {
            return Ok(DbArgs { database_url: url });
        }
        let options = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&normal)
            .map_err(|e| AppError::bad_input("database-url", &e.to_string()))?;
        let file = options.get_filename();
        if !file.exists() {
            let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
            let default = if url == DEFAULT_DATABASE_URL {
                " (the default)"
            } else {
                ""
            };
            return Err(AppError::bad_input(
                "database-url",
                &format!(
                    "there is no database at {}{default}, and this command does not create one; \
                     pass --database-url (or set {DATABASE_URL_ENV}) naming the database to use",
                    file.display()
                ),
            ));
        }
        let url = if url.starts_with("sqlite:") {
            url
        } else {
            format!("sqlite://{url}")
        };
        let database_url = if url.contains("mode=") {
            url
        } else if url.contains('?') {
            format!("{url}&mode=rw")
        } else {
            format!("{url}?mode=rw")
        };
        Ok(DbArgs { database_url })
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Runs the GraphQL service: migrates, loads missing reference data (and demo data into an
    /// empty database), then serves the API and the query console.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on.
        #[arg(long, env = "TA_TRACKER_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Do not load the demo data into an empty database.
        #[arg(long, env = "TA_TRACKER_NO_DEMO")]
        no_demo: bool,
        /// Open the query console in a browser once listening (when run from a terminal).
        #[arg(long, env = "TA_TRACKER_OPEN", default_value_t = true, action = clap::ArgAction::Set)]
        open: bool,
        /// The reporting organisation's IATI identifier, for /export/iati.xml and the checks of
        /// engagement identifiers; defaults to an organisation named UNODC with an IATI
        /// reference, else the placeholder XX-UNODC-DEMO.
        #[arg(long, env = REPORTING_REF_ENV)]
        reporting_org_ref: Option<String>,
        /// Seconds the requests in flight may take to finish after SIGINT or SIGTERM; those
        /// still running then are cut off (and logged) and the process exits.
        #[arg(long, env = "TA_TRACKER_SHUTDOWN_GRACE_SECS", default_value_t = 30)]
        shutdown_grace_secs: u64,
        #[command(flatten)]
        limits: Limits,
    },
    /// Applies pending database migrations.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Loads missing reference data; with --demo also the (illustrative) demo data.
    Seed {
        #[command(flatten)]
        db: DbArgs,
        /// Also load the demo dataset.
        #[arg(long)]
        demo: bool,
        /// Also load generated bulk data for performance work (into a database without
        /// programmes; see docs/performance.md).
        #[arg(long, conflicts_with = "demo")]
        synthetic: bool,
        #[command(flatten)]
        size: crate::seeds::synthetic::Options,
    },
    /// Prints the GraphQL schema (SDL).
    Schema,
    /// Writes a consistent copy of a live SQLite database (PostgreSQL: use pg_dump).
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The file to write; it must not exist yet.
        #[arg(long)]
        output: String,
    },
    /// Manages API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Writes an export file of the records (as an administrator sees them).
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// IATI 2.03 activity XML: one iati-activity per live engagement.
    Iati {
        #[command(flatten)]
        db: DbArgs,
        /// The file to write; standard output when left out.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
        /// Only engagements of this programme (its code).
        #[arg(long)]
        programme: Option<String>,
        /// Only engagements in this country (ISO3, ISO2 or M49).
        #[arg(long)]
        country: Option<String>,
        /// Only engagements in this M49 region (any level) or grouping.
        #[arg(long)]
        region: Option<String>,
        /// The reporting organisation's IATI identifier; defaults to an organisation named
        /// UNODC with an IATI reference, else the placeholder XX-UNODC-DEMO.
        #[arg(long, env = REPORTING_REF_ENV)]
        reporting_org_ref: Option<String>,
    },
    /// Tidy CSV: indicators (one row per indicator, period, country and disaggregation value,
    /// target and actual side by side), activities (one row per live activity) or budgets (one
    /// row per budget line of a live engagement).
    Csv {
        /// Which file.
        #[arg(value_enum)]
        table: crate::export::csv::Table,
        #[command(flatten)]
        db: DbArgs,
        /// The file to write; standard output when left out.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
        /// Only rows of this programme (its code).
        #[arg(long)]
        programme: Option<String>,
        /// Only rows for this country (ISO3, ISO2 or M49).
        #[arg(long)]
        country: Option<String>,
        /// Only rows in this M49 region (any level) or grouping.
        #[arg(long)]
        region: Option<String>,
        /// Only rows whose period (or dates) end on or after this date (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Only rows whose period (or dates) start on or before this date (YYYY-MM-DD).
        #[arg(long)]
        to: Option<String>,
        /// Begin the file with a UTF-8 byte order mark, so that Excel reads its accents right.
        #[arg(long)]
        bom: bool,
    },
}

impl ExportCommand {
    /// The same export, refused when its database does not exist (`DbArgs::existing`).
    fn on_existing(mut self) -> AppResult<ExportCommand> {
        let db = match &mut self {
            ExportCommand::Iati { db, .. } | ExportCommand::Csv { db, .. } => db,
        };
        *db = db.clone().existing()?;
        Ok(self)
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum RoleArg {
    Admin,
    Officer,
    Donor,
    Reporter,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Admin => Role::Admin,
            RoleArg::Officer => Role::Officer,
            RoleArg::Donor => Role::Donor,
            RoleArg::Reporter => Role::Reporter,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Creates a token and prints it alone on stdout; it is shown this once and stored hashed.
    Create {
        #[command(flatten)]
        db: DbArgs,
        /// What the token may do.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// A name to recognise the token by (who holds it).
        #[arg(long)]
        name: Option<String>,
        /// A programme code an officer may write in; repeat for several.
        #[arg(long = "programme")]
        programmes: Vec<String>,
        /// Limits an officer to a country (ISO3, ISO2 or M49); repeat for several.
        #[arg(long = "country")]
        countries: Vec<String>,
        /// The organisation a donor token belongs to: its number or its id (Organisation:3).
        #[arg(long)]
        organisation: Option<String>,
        /// The last day the token is valid (YYYY-MM-DD).
        #[arg(long)]
        expires: Option<String>,
    },
    /// Lists tokens (never their secrets).
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revokes a token by its number.
    Revoke {
        #[command(flatten)]
        db: DbArgs,
        /// The token's number, as `token list` shows it.
        id: i64,
    },
}

/// Connects and migrates; an SQLite file is created when missing (serve, migrate, seed).
/// Writes `text` to standard output. A reader that has gone away (`ta-tracker schema | head`)
/// ends the output quietly, as it does for any Unix tool, where `print!` panicked.
pub(crate) fn stdout(text: &str) -> AppResult<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(AppError::internal("write to standard output", e))
        }
        _ => Ok(()),
    }
}

async fn open(db: &DbArgs) -> AppResult<Db> {
    open_with(db, 8).await
}

/// `open`, with a pool of `connections` at most.
async fn open_with(db: &DbArgs, connections: u32) -> AppResult<Db> {
    let db = Db::connect(&db.database_url, connections).await?;
    db.migrate().await?;
    Ok(db)
}

/// Connects to a database that must exist already, and migrates it.
async fn open_existing(db: DbArgs) -> AppResult<Db> {
    open(&db.existing()?).await
}

/// Runs a command; the caller prints the error in one line and exits non-zero.
pub async fn run(cli: Cli) -> AppResult<()> {
    // The reporting organisation's reference, where a command uses it, before any database is
    // opened: serve and export iati take it as a flag, seed reads the variable.
    match &cli.command {
        Command::Serve {
            reporting_org_ref: Some(reference),
            ..
        }
        | Command::Export {
            command:
                ExportCommand::Iati {
                    reporting_org_ref: Some(reference),
                    ..
                },
        } => ReportingOrg::check_configured(reference)?,
        Command::Seed { .. } => {
            if let Ok(reference) = std::env::var(REPORTING_REF_ENV) {
                ReportingOrg::check_variable(&reference)?;
            }
        }
        _ => {}
    }
    match cli.command {
        Command::Serve {
            db,
            bind,
            no_demo,
            open: open_browser,
            reporting_org_ref,
            shutdown_grace_secs,
            limits,
        } => {
            // Read from the environment, where the binary put it (`Cli::environment`); a caller
            // that did not would serve with another reference than it asked for.
            if reporting_org_ref.is_some()
                && std::env::var(REPORTING_REF_ENV).ok() != reporting_org_ref
            {
                return Err(AppError::internal(
                    "apply --reporting-org-ref",
                    "Cli::environment() was not set before the runtime started",
                ));
            }
            limits.check()?;
            let grace = std::time::Duration::from_secs(shutdown_grace_secs);
            serve::serve(db, bind, no_demo, open_browser, grace, limits).await
        }
        Command::Migrate { db } => {
            open(&db).await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Seed {
            db,
            demo,
            synthetic,
            size,
        } => {
            let db = open(&db).await?;
            let reference = serve::demo_refused_under(&db).await?;
            let r = crate::seeds::seed(&db, demo && reference.is_none()).await?;
            if r.countries + r.regions + r.codes + r.groupings > 0 {
                eprintln!(
                    "loaded reference data: {} countries, {} regions, {} codes, {} groupings",
                    r.countries, r.regions, r.codes, r.groupings
                );
            } else {
                eprintln!("reference data: all of it was there already; nothing loaded");
            }
            if r.demo {
                eprintln!("loaded the demo data (illustrative, not real programme records)");
            } else if let (true, Some(reference)) = (demo, &reference) {
                eprintln!(
                    "skipped the demo data: the reporting organisation reference in use is \
                     {reference} ({REPORTING_REF_ENV}), and the demo's engagements are \
                     identified under the placeholder {DEMO_REPORTING_REF}"
                );
            } else if demo {
                eprintln!(
                    "skipped the demo data: the database already holds organisations or \
                     programmes, and the demo data is loaded only into a database without any"
                );
            }
            if synthetic {
                crate::seeds::synthetic::run(&db, &size).await?;
            }
            Ok(())
        }
        Command::Schema => stdout(&crate::graphql::sdl()),
        Command::Backup { db, output } => {
            let db = open_existing(db).await?;
            db.backup(&output).await?;
            eprintln!("backed up to {output}");
            Ok(())
        }
        Command::Token { command } => token::run(command).await,
        Command::Export { command } => {
            // Interrupted (Ctrl-C, a job's timeout), the export stops where it is: dropped, its
            // hidden file goes and the file it would have replaced stays as it was.
            tokio::select! {
                done = crate::export::cli::run(command.on_existing()?) => done,
                () = crate::http::shutdown_signal() => Err(AppError::bad_input(
                    "output",
                    "the export was interrupted before it finished",
                )),
            }
        }
    }
}
