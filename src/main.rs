use clap::Parser;
use tracing_subscriber::EnvFilter;

/// mimalloc rather than the system allocator: less memory held per request and thread under
/// load, and faster allocation of the many small values a GraphQL response is built from.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = ta_tracker::cli::Cli::parse();
    match ta_tracker::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e.operator_message());
            std::process::ExitCode::FAILURE
        }
    }
}
