//! Renderers: turn parsed letters and findings into output. They only render.

pub mod check;
pub mod diagnostic;
pub mod parse;
pub mod sink;
