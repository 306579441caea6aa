//! Placeholder: events land here.
