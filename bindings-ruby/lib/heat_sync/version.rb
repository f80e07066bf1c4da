# frozen_string_literal: true

module HeatSync
  # The gem's version; the workspace version of the Rust crates.
  VERSION = "0.1.0"
end
