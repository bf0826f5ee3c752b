//! What several commands share, below the commands: no module here imports a command.

pub mod release;
