//! `HeatSync::Client`: placeholder until the core client lands.

use magnus::{Error, RModule, Ruby};

pub(crate) fn init(ruby: &Ruby, module: RModule) -> Result<(), Error> {
    let _ = (ruby, module);
    Ok(())
}
