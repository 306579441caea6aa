//! Placeholder: engagements land here.
