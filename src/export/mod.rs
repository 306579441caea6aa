//! Exports of programme records in formats other systems read: IATI 2.03 activity XML and
//! tidy CSV.
//! Reads storage directly (an export is a read-only projection) and always applies the caller's
//! record scope.

pub mod cli;
pub mod csv;
pub mod iati;
pub mod xml;
