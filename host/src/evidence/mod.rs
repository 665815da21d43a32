//! Evidence a reviewer looks at before reading a diff: recordings of a
//! change working.

pub mod gif;
