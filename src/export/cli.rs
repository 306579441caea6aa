//! `ta-tracker export ...`: the same exports as the HTTP endpoints, written to a file or stdout.

use std::io::Write;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;

use super::csv::{self, CsvFilter};
use super::iati::{self, ExportFilter, ReportingOrg};
use crate::cli::ExportCommand;
use crate::error::{AppError, AppResult};
use crate::storage::Db;
use crate::storage::scope::Scope;

pub async fn run(command: ExportCommand) -> AppResult<()> {
    match command {
        ExportCommand::Iati {
            db,
            output,
            programme,
            country,
            region,
            reporting_org_ref,
        } => {
            let db = Db::connect(&db.database_url, 4).await?;
            db.migrate().await?;
            // The command line runs on the operator's own database: it sees every record.
            let scope = Scope::All;
            let filter = ExportFilter {
                programme,
                country,
                region,
            }
            .resolve(&db, &scope)
            .await?;
            let org = ReportingOrg::resolve(&db, reporting_org_ref.as_deref()).await?;
            iati::require_identifiers_under(&db, &scope, &filter, &org).await?;
            let write_error = |e| write_error(output.as_deref(), e);
            let mut file = output.as_deref().map(Output::create).transpose()?;
            let mut out: Box<dyn Write> = match &mut file {
                Some(file) => Box::new(std::io::BufWriter::new(file.writer()?)),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            let mut chunks = std::pin::pin!(iati::stream(db.clone(), scope, filter, org));
            let mut activities = 0usize;
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk?;
                activities += chunk.trim_start().starts_with("<iati-activity ") as usize;
                out.write_all(chunk.as_bytes()).map_err(write_error)?;
            }
            out.flush().map_err(write_error)?;
            drop(out);
            if let Some(file) = file {
                file.finish()?;
            }
            if let Some(path) = output {
                eprintln!("wrote {activities} IATI activities to {}", path.display());
            }
            db.close().await;
            Ok(())
        }
        ExportCommand::Csv {
            table,
            db,
            output,
            programme,
            country,
            region,
            from,
            to,
            bom,
        } => {
            let db = Db::connect(&db.database_url, 4).await?;
            db.migrate().await?;
            let scope = Scope::All;
            let filter = CsvFilter {
                programme,
                country,
                region,
                from,
                to,
                bom: bom.then(|| "true".to_string()),
            }
            .resolve(&db, &scope)
            .await?;
            let write_error = |e| write_error(output.as_deref(), e);
            let mut file = output.as_deref().map(Output::create).transpose()?;
            let mut out: Box<dyn Write> = match &mut file {
                Some(file) => Box::new(std::io::BufWriter::new(file.writer()?)),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            let mut chunks = std::pin::pin!(csv::stream(db.clone(), scope, filter, table));
            let mut lines = 0usize;
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk?;
                lines += chunk.iter().filter(|b| **b == b'\n').count();
                out.write_all(&chunk).map_err(write_error)?;
            }
            out.flush().map_err(write_error)?;
            drop(out);
            if let Some(file) = file {
                file.finish()?;
            }
            if let Some(path) = output {
                // Quoted cells may hold line breaks, so this counts lines, not rows.
                eprintln!(
                    "wrote {} ({lines} lines) to {}",
                    table.file_name(),
                    path.display()
                );
            }
            db.close().await;
            Ok(())
        }
    }
}

/// An export's `--output`. A regular file (or one not there yet) is written as a hidden file
/// beside it, `.NAME.partial`, renamed over it once the export has finished: an export that
/// fails or is interrupted leaves the file it would have replaced as it was, where it left it
/// cut short (a nightly job's published IATI file holding the XML prolog alone). Anything else
/// (`/dev/stdout`, a pipe, a symbolic link) is written in place.
struct Output {
    path: PathBuf,
    /// The hidden file, while the export runs; None when written in place.
    partial: Option<PathBuf>,
    file: Option<std::fs::File>,
}

impl Output {
    fn create(path: &Path) -> AppResult<Output> {
        let in_place = std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file());
        let partial = path
            .file_name()
            .filter(|_| !in_place)
            .map(|name| path.with_file_name(format!(".{}.partial", name.to_string_lossy())));
        let (file, partial) = match partial {
            Some(hidden) => match std::fs::File::create(&hidden) {
                Ok(file) => (file, Some(hidden)),
                // A file the job may write in a directory it may not: written in place, as
                // before there was a hidden file.
                Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && path.is_file() => {
                    (create(path, path)?, None)
                }
                Err(_) => (create(path, &hidden)?, Some(hidden)),
            },
            None => (create(path, path)?, None),
        };
        Ok(Output {
            path: path.to_path_buf(),
            partial,
            file: Some(file),
        })
    }

    fn writer(&mut self) -> AppResult<std::fs::File> {
        self.file
            .take()
            .ok_or_else(|| AppError::internal("write the output", "taken twice"))
    }

    /// The export has finished: the hidden file takes the output's place.
    fn finish(mut self) -> AppResult<()> {
        if let Some(partial) = self.partial.take() {
            // The file it replaces keeps its mode (a job's umask 077 made a published file
            // unreadable to the web server that serves it).
            if let Ok(old) = std::fs::metadata(&self.path) {
                let _ = std::fs::set_permissions(&partial, old.permissions());
            }
            std::fs::rename(&partial, &self.path).map_err(|e| {
                let _ = std::fs::remove_file(&partial);
                write_error(Some(&self.path), e)
            })?;
        }
        Ok(())
    }
}

impl Drop for Output {
    /// Not finished: the hidden file goes, the output stays as it was.
    fn drop(&mut self) {
        if let Some(partial) = &self.partial {
            let _ = std::fs::remove_file(partial);
        }
    }
}

/// Creates `file`, written for the output `path`, or says which file could not be created and
/// why: a directory that does not exist is named (the system's own message, "No such file or
/// directory", named neither).
fn create(path: &Path, file: &Path) -> AppResult<std::fs::File> {
    std::fs::File::create(file).map_err(|e| {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        match dir {
            Some(dir) if e.kind() == std::io::ErrorKind::NotFound && !dir.is_dir() => {
                AppError::bad_input(
                    "output",
                    &format!(
                        "cannot create {}: there is no directory {}",
                        path.display(),
                        dir.display()
                    ),
                )
            }
            _ => write_error(Some(path), e),
        }
    })
}

/// A failure to create or write the output, naming it.
fn write_error(path: Option<&Path>, e: std::io::Error) -> AppError {
    let target = path.map_or("standard output".to_string(), |p| p.display().to_string());
    AppError::bad_input("output", &format!("cannot write {target}: {e}"))
}
