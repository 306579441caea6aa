//! ta-tracker: UNODC technical assistance to Member States, as a GraphQL API over SQLite (embedded
//! default) or PostgreSQL (production).
//!
//! Layers, each calling only the one below: `http` (axum) → `graphql` (types, resolvers,
//! loaders) → `domain` (validation, permissions, services) → `storage` (SQL).

pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod export;
pub mod graphql;
pub mod http;
pub mod seeds;
pub mod storage;

pub use graphql::{build_schema, sdl};
pub use http::{app, serve};
