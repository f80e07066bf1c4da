"""Heat engine plugins: stock Heat 27 accepts heat-sync templates, with no change to
Heat's code.

- :mod:`heat_sync.heat_plugin.template`: template classes registered through Heat's
  ``heat.templates`` entry points under version values of their own
  (``heat_template_version: 2016-10-14-heat-sync``, ...). Each behaves exactly as
  Heat's class for the version without the suffix, with the template's ``heat_sync``
  sections compiled on load.
- :mod:`heat_sync.heat_plugin.lifecycle`: a stack lifecycle plugin
  (``heat.stack_lifecycle_plugins``) that seeds the stack's coordinator namespace
  before create and removes it after delete.
- :mod:`heat_sync.heat_plugin.config`: the ``[heat_sync]`` section of heat.conf.

Only Heat imports this package (it needs Heat's own modules); docs/heat.md tells an
operator how to install and enable it.
"""
