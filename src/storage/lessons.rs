//! Placeholder: lessons land here.
