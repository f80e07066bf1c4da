# frozen_string_literal: true

# Loads the gem (installed, or from ../lib when HEAT_SYNC_FROM_SOURCE=1) and minitest.
if ENV["HEAT_SYNC_FROM_SOURCE"] == "1"
  $LOAD_PATH.unshift File.expand_path("../lib", __dir__)
end
$LOAD_PATH.unshift File.expand_path("support", __dir__)

require "minitest/autorun"
require "timeout"
require "tmpdir"
require "heat_sync"

# Helpers shared by the suites.
module TestHelpers
  # Waits (bounded) until the block is true.
  def eventually(seconds = 5)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + seconds
    until yield
      flunk "condition not met within #{seconds} s" if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
      sleep 0.01
    end
  end

  # The next key a FakeClient get started waiting for (bounded).
  def next_wait(client, seconds = 5)
    Timeout.timeout(seconds) { client.waiting.pop }
  end
end
