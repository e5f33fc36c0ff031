//! Not yet served.

use super::Handler;

pub static HANDLERS: &[(&str, Handler)] = &[];

#[derive(Debug, Default)]
pub struct State {}

impl State {
    pub fn clear(&mut self) {}
}
