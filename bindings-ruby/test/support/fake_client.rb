# frozen_string_literal: true

require "heat_sync/plan"
require "heat_sync/error"

# An in-memory stand-in for HeatSync::Client with the same get/gather/put API, for the
# interception tests: values published with #put wake blocked #get calls; every call is
# recorded, and #waiting yields each key a get starts waiting for.
class FakeClient
  attr_reader :calls, :waiting

  def initialize(progress_every: 0.05)
    @values = Hash.new { |h, k| h[k] = [] }
    @calls = []
    @waiting = Queue.new
    @lock = Mutex.new
    @changed = ConditionVariable.new
    @progress_every = progress_every
  end

  def get(key, timeout: nil, producer: nil, &progress)
    name = HeatSync::Keys.key_name(HeatSync::Keys.key(key))
    record(:get, name)
    wait_for(name, producer, timeout, progress)
  end

  def gather(group, output, count:, timeout: nil, producer: nil, &progress)
    record(:gather, "#{group}.#{output}")
    Array.new(count) { |n| wait_for("#{group}.#{n}.#{output}", producer, timeout, progress) }
  end

  def put(key, value)
    name = HeatSync::Keys.key_name(HeatSync::Keys.key(key))
    @lock.synchronize do
      @calls << [:put, name, value]
      @values[name] << value
      @changed.broadcast
      @values[name].size
    end
  end

  # Every version published under `name`, oldest first.
  def versions(name)
    @lock.synchronize { @values[name].dup }
  end

  def count(kind)
    @lock.synchronize { @calls.count { |c| c.first == kind } }
  end

  private

  def record(kind, name)
    @lock.synchronize { @calls << [kind, name] }
  end

  def wait_for(name, producer, timeout, progress)
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    @lock.synchronize do
      @waiting << name unless @values.key?(name) && !@values[name].empty?
      loop do
        return @values[name].first if @values.key?(name) && !@values[name].empty?

        waited = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
        if timeout && waited >= timeout
          raise HeatSync::TimeoutError, "timed out after #{timeout.round} s waiting for #{name} from #{producer}"
        end

        @changed.wait(@lock, @progress_every)
        progress&.call(format("waiting %.2f s for %s from %s", waited, name, producer))
      end
    end
  end
end
