# frozen_string_literal: true

# A test double of Chef's node attribute classes, written from shared/chef-attributes.md
# and Chef's public source (lib/chef/node/*.rb, chef-utils/lib/chef-utils/mash.rb, as of
# v18). Chef cannot be installed here, so the gem's tests run against this.
#
# It keeps Chef's structure wherever the interception depends on it:
# - the same classes and ancestor chains (Mash < Hash; StateTracking and Immutablize*
#   prepended on ImmutableMash/ImmutableArray, StateTracking prepended on VividMash,
#   StateTrackingArray on AttrArray, DeepMergeCache and StateTracking included into
#   Attribute), so Module#prepend lands where it lands on real Chef;
# - ten precedence levels merged in Chef's order (defaults deep-merged with array union
#   < normal < overrides deep-merged < automatic; hash-only merge between the groups);
# - the top-level deep-merge cache (Attribute#[] reads the cache, an ImmutableMash with
#   an empty __path__; writes reset the cache entry of their top-level key);
# - path tracking (`__path__`, `__root__`, `__node__`, `__precedence__` copied to the
#   child by `[]`; leaves carry none), including its pitfalls: containers reached
#   through node.read/dig come from the cache with a nil `__node__`, containers reached
#   through fetch keep whatever state they had, and VividMash#update runs inside
#   Mash#initialize before `__path__` is set;
# - immutability of the merged view, auto-vivification of `VividMash#[]`, lazy
#   (DelayedEvaluator) values evaluated by `[]` only, the `attribute_changed` event
#   (only once a run context exists), and the node's read and write routes;
# - a chef-solo run in Chef's order (ChefDouble::SoloRun) with the event dispatcher
#   that carries Chef::Config[:event_handlers].

require "json"
require "set"

require_relative "chef_double/mash"
require_relative "chef_double/runtime"
require_relative "chef_double/collections"
require_relative "chef_double/node"
require_relative "chef_double/solo_run"
