use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// mimalloc rather than the system allocator: less memory held per request and thread under
/// load, and faster allocation of the many small values a GraphQL response is built from.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    without_transparent_huge_pages();
    fewer_c_heaps();
    let cli = ta_tracker::cli::Cli::parse_naming_variables();
    for (key, value) in cli.environment() {
        // SAFETY: no other thread exists yet (the runtime is built below), so nothing reads the
        // environment while it changes.
        unsafe { std::env::set_var(key, value) };
    }
    let (filter, refused) = log_filter();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour_on_stderr())
        .init();
    if let Some(refused) = refused {
        tracing::warn!("{refused}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(ta_tracker::cli::run(cli));
    // Requests `serve` cut off at its shutdown deadline are still tasks: stopping the runtime
    // drops them (the access log logs each), without waiting for them to finish.
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e.operator_message());
            std::process::ExitCode::FAILURE
        }
    }
}

/// The log filter RUST_LOG names, else the default. An empty RUST_LOG is unset (it turned every
/// log line off, errors aside); one that does not parse gets the default and the warning returned,
/// to log, where it got the default without a word.
fn log_filter() -> (EnvFilter, Option<String>) {
    const DEFAULT: &str = "info,sqlx=warn";
    match std::env::var("RUST_LOG") {
        Ok(value) if !value.trim().is_empty() => match EnvFilter::try_new(&value) {
            Ok(filter) => (filter, None),
            Err(e) => (
                EnvFilter::new(DEFAULT),
                Some(format!(
                    "RUST_LOG={value:?} is not a log filter ({e}); logging with the default, \
                     {DEFAULT}"
                )),
            ),
        },
        _ => (EnvFilter::new(DEFAULT), None),
    }
}

/// Colour in the logs only for a person at a terminal: a file, a pipe or a journal gets plain
/// text. NO_COLOR (set and not empty) turns it off at a terminal too.
fn colour_on_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Where the kernel backs memory with transparent huge pages whenever it can (THP "always"),
/// mimalloc's eagerly committed arenas fill in 2 MB steps: the SQLite server held 180 MB under
/// 64 clients instead of 137 MB, with no gain in speed. Opting this process out keeps the
/// allocator's pages small; memory touched before this line is unaffected and small.
#[cfg(target_os = "linux")]
fn without_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    let _ = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
}

#[cfg(not(target_os = "linux"))]
fn without_transparent_huge_pages() {}

/// SQLite is C and allocates through the C library, whose glibc heap gives each thread that
/// allocates its own arena, kept after use: with a database thread per connection that held about
/// 10 MB more under load than two shared arenas, at no cost in speed we could measure.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fewer_c_heaps() {
    // SAFETY: mallopt takes plain integers; M_ARENA_MAX only bounds arenas created from now on.
    let _ = unsafe { libc::mallopt(libc::M_ARENA_MAX, 2) };
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn fewer_c_heaps() {}
