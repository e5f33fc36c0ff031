//! WeCom's facts, written once: errcodes, limits, the loose flag reader, id rules. The
//! client, the simulator and the Ruby layer all derive from these.

pub mod errcodes;
pub mod flags;
pub mod ids;
pub mod limits;
