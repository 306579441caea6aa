//! Placeholder: activities land here.
