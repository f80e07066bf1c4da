# frozen_string_literal: true

module HeatSync
  module Chef
    # The chef-solo events the interception needs, registered in
    # Chef::Config[:event_handlers] by the drop-in:
    # - node_load_completed: the node exists, -j attributes and ohai applied; static
    #   inputs are placed at force_override (before attribute files and recipes);
    # - recipe_load_start: attribute files are done, so writes from now on are the
    #   recipe's and publish `publish: on_write` outputs (attribute-file defaults never do);
    # - converge_complete: every output is published with its final merged value; a
    #   missing one raises, which fails the converge and so the run;
    # - run_completed: the same, for a run that had nothing to converge.
    class EventHandler < ::Chef::EventDispatch::Base
      def initialize(interceptor)
        super()
        @interceptor = interceptor
      end

      def node_load_completed(node, _expanded_run_list, _config)
        @interceptor.node_loaded(node.attributes)
      end

      def recipe_load_start(_recipe_count)
        @interceptor.arm!
      end

      def converge_complete
        @interceptor.finish!
      end

      def run_completed(_node, _run_status = nil)
        @interceptor.finish!
      end
    end
  end
end
