//! The native extension of the `heat_sync` gem: a thin magnus wrapper around the
//! heat-sync core, one binding file per core module (tokenizers style).
//!
//! - [`client`]: `HeatSync::Client`, the coordinator client (waits release the Ruby VM
//!   lock and stop on signals);
//! - [`plan`]: `HeatSync::Native.load_server_plan` / `parse_server_plan`, so the gem
//!   accepts exactly the plans the agent accepts;
//! - [`errors`]: core errors raised as the exception classes that lib/heat_sync/error.rb
//!   defines in Ruby, one per core error area.
//!
//! Values cross the boundary as JSON text; lib/heat_sync/*.rb turns them into Ruby
//! objects, so this layer has no Ruby object model of its own.

mod client;
mod errors;
mod gvl;
mod plan;

/// The entry point. The macro generates `Init_heat_sync_native` (exported, unmangled),
/// which Ruby finds from the file name `heat_sync_native.so`; it lives in a private
/// module only so that the generated wrapper needs no documentation of its own.
mod entry {
    use magnus::{prelude::*, Error, Ruby};

    #[magnus::init(name = "heat_sync_native")]
    fn init(ruby: &Ruby) -> Result<(), Error> {
        let module = ruby.define_module("HeatSync")?;
        let native = module.define_module("Native")?;
        super::plan::init(native)?;
        super::client::init(ruby, module)?;
        Ok(())
    }
}
