//! Renderers: turn parsed letters and findings into output. They only render.

pub mod check;
pub mod diagnostic;
pub mod facts;
pub mod html;
pub mod junit;
pub mod parse;
pub mod sarif;
pub mod sink;
