//! `GET /export/iati.xml`, `GET /export/indicators.csv`, `GET /export/activities.csv`,
//! `GET /export/budgets.csv`: export files, with the API's credentials and read scope.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::AppState;
use super::limits::{self, Refused};
use crate::domain::auth::Viewer;
use crate::error::AppError;
use crate::export::csv::{self, CsvFilter, Table};
use crate::export::iati::{self, ExportFilter, ReportingOrg};

/// A failure before the body starts, as plain text with the error code.
fn failure(e: AppError) -> Response {
    if e.is_internal() {
        tracing::error!(error = ?e, "export failed");
    }
    let status = match &e {
        // The database out of reach for now (a retry may succeed), or a bug (500, as a panic).
        AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::BadInput { .. } => StatusCode::BAD_REQUEST,
    };
    let mut resp = (status, format!("{}: {}\n", e.code(), e.client_message())).into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    resp
}

/// The caller, after taking one download from their allowance (the same as a `/graphql`
/// request's); a refusal as the export's plain-text answer.
async fn admit(state: &AppState, headers: &HeaderMap) -> Result<Viewer, Response> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{0}"));
    match limits::admit(state, headers, authorization).await {
        Ok(viewer) => Ok(viewer),
        Err(Refused::Credential(e)) => Err(failure(e)),
        Err(Refused::RateLimited) => {
            let message = Refused::rate_message(&state.limits);
            let mut resp = (
                StatusCode::TOO_MANY_REQUESTS,
                format!("RATE_LIMITED: {message}\n"),
            )
                .into_response();
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
            Err(resp)
        }
    }
}

/// The filters of a query string, each at most once: a parameter the export does not take (a
/// misspelt `regoin`, or a CSV's `from` given to the IATI file) is refused by name rather than
/// ignored, which would answer with a larger file than was asked for.
fn filters<T: DeserializeOwned>(
    pairs: Vec<(String, String)>,
    takes: &[&str],
) -> Result<T, AppError> {
    let mut fields = serde_json::Map::new();
    for (name, value) in pairs {
        // PostgreSQL cannot hold a NUL in text, so a lookup with one failed as a bug (500); no
        // code or date has one, the API refuses it too, and a refusal never echoes it.
        if name.contains('\0') || value.contains('\0') {
            let name = if name.contains('\0') {
                "parameter"
            } else {
                name.as_str()
            };
            return Err(AppError::bad_input(
                name,
                "must not contain the NUL character (U+0000)",
            ));
        }
        if !takes.contains(&name.as_str()) {
            return Err(AppError::bad_input(
                &name,
                &format!(
                    "is not a filter of this export; it takes {}",
                    takes.join(", ")
                ),
            ));
        }
        if fields
            .insert(name.clone(), serde_json::Value::String(value))
            .is_some()
        {
            return Err(AppError::bad_input(&name, "is given more than once"));
        }
    }
    serde_json::from_value(serde_json::Value::Object(fields))
        .map_err(|e| AppError::internal("export filters", e))
}

/// GET /export/iati.xml?programme=CODE&country=ISO3&region=CODE
pub async fn iati_xml(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let filter: ExportFilter = match filters(pairs, &["programme", "country", "region"]) {
        Ok(f) => f,
        Err(e) => return failure(e),
    };
    let viewer = match admit(&state, &headers).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let prepared = async {
        let scope = viewer.record_scope()?;
        let engagements = filter.resolve(&state.db, &scope).await?;
        let org = ReportingOrg::from_env(&state.db).await?;
        iati::require_identifiers_under(&state.db, &scope, &engagements, &org).await?;
        Ok::<_, AppError>((scope, engagements, org))
    };
    let (scope, engagements, org) = match prepared.await {
        Ok(p) => p,
        Err(e) => return failure(e),
    };
    // Once the body has begun the status is sent; a later failure can only cut the body short,
    // which leaves the XML unclosed so no consumer mistakes it for a complete file.
    let body = iati::stream(state.db.clone(), scope, engagements, org).map(|chunk| {
        chunk.map_err(|e| {
            tracing::error!(error = ?e, "IATI export stopped part-way");
            std::io::Error::other(e.client_message())
        })
    });
    let mut resp = Body::from_stream(body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    resp
}

const CSV_FILTERS: &[&str] = &["programme", "country", "region", "from", "to", "bom"];

/// GET /export/indicators.csv?programme=CODE&country=ISO3&region=CODE&from=DATE&to=DATE
pub async fn indicators_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let filter: CsvFilter = match filters(pairs, CSV_FILTERS) {
        Ok(f) => f,
        Err(e) => return failure(e),
    };
    csv_export(state, headers, filter, Table::Indicators).await
}

/// GET /export/activities.csv?programme=CODE&country=ISO3&region=CODE&from=DATE&to=DATE
pub async fn activities_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let filter: CsvFilter = match filters(pairs, CSV_FILTERS) {
        Ok(f) => f,
        Err(e) => return failure(e),
    };
    csv_export(state, headers, filter, Table::Activities).await
}

/// GET /export/budgets.csv?programme=CODE&country=ISO3&region=CODE&from=DATE&to=DATE
pub async fn budgets_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let filter: CsvFilter = match filters(pairs, CSV_FILTERS) {
        Ok(f) => f,
        Err(e) => return failure(e),
    };
    csv_export(state, headers, filter, Table::Budgets).await
}

async fn csv_export(
    state: AppState,
    headers: HeaderMap,
    filter: CsvFilter,
    table: Table,
) -> Response {
    let viewer = match admit(&state, &headers).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let prepared = async {
        let scope = viewer.record_scope()?;
        let filter = filter.resolve(&state.db, &scope).await?;
        Ok::<_, AppError>((scope, filter))
    };
    let (scope, filter) = match prepared.await {
        Ok(p) => p,
        Err(e) => return failure(e),
    };
    // As for the XML: once the body has begun, a failure can only cut it short.
    let body = csv::stream(state.db.clone(), scope, filter, table).map(|chunk| {
        chunk.map_err(|e| {
            tracing::error!(error = ?e, "CSV export stopped part-way");
            std::io::Error::other(e.client_message())
        })
    });
    let mut resp = Body::from_stream(body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let disposition = format!("attachment; filename=\"{}\"", table.file_name());
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}
