//! Domain: validated inputs, the rules of who may do what, and the services that apply a change
//! and its audit entry in one transaction.

pub mod activities;
pub mod audit;
pub mod auth;
pub mod change;
pub mod codes;
pub mod documents;
pub mod engagements;
pub mod events;
pub mod gazetteer;
pub mod geography;
pub mod indicator_changes;
pub mod indicator_rules;
pub mod indicator_values;
pub mod indicators;
pub mod lessons;
pub mod organisations;
pub mod portfolio;
pub mod programmes;
pub mod progress;
pub mod records;
pub mod reporting;
pub mod reports;
pub mod results;
pub mod tokens;
pub mod validate;
