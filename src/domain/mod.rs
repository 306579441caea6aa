//! Domain: validated inputs, the rules of who may do what, and the services that apply a change
//! and its audit entry in one transaction.

pub mod audit;
pub mod auth;
pub mod codes;
pub mod geography;
pub mod organisations;
pub mod tokens;
pub mod validate;
