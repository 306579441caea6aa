//! Placeholder: indicators land here.
