//! Progress drawing: indicatif bars behind the libraries' reporter traits.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::context::Context;

/// A bar (or a hidden one when progress is off) for `len` steps, `0` meaning unknown.
pub fn bar(ctx: &Context, len: u64, what: &str) -> ProgressBar {
    if !ctx.progress {
        return ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
    }
    let pb = if len == 0 {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::new(len)
    };
    let style = if len == 0 {
        ProgressStyle::with_template("{spinner} {msg} {pos}").expect("valid template")
    } else {
        ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} {eta}")
            .expect("valid template")
            .progress_chars("=> ")
    };
    pb.set_style(style);
    pb.set_message(what.to_owned());
    pb
}
