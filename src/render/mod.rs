//! Renderers: turn parsed letters (and later findings) into output. They only render.

pub mod check;
pub mod diagnostic;
pub mod parse;
