# frozen_string_literal: true

require 'json'
require 'shellwords'

module TimestampLb
  # The readiness gate's config file (templates/default/gate.json.erb), which timestamp_common's
  # launcher reads: the program (TimestampLb::Gate), its library directories and its settings.
  module GateConfig
    # From node['timestamp_lb'] and the directory the timestamp_program resource installs the
    # cookbooks' libraries under. The commands are command lines in the attributes (see
    # there) and argvs here: the gate runs them without a shell.
    def self.program(attrs, lib_root)
      gate = attrs['gate']
      hosts = Upstreams.list(attrs['upstreams'], drained: attrs['drained'])
      argv = ->(command) { command.is_a?(String) ? Shellwords.split(command) : command.to_a.map(&:to_s) }
      settings = {
        'upstreams' => hosts.map { |u| u.slice('name', 'zone', 'address') },
        'drained' => hosts.select { |u| u['drained'] }.map { |u| u['name'] },
        'test_command' => argv.call(gate['test_command']), 'reload_command' => argv.call(gate['reload_command'])
      }
      %w(ready_path interval_s timeout_s rise fall drains_file upstream_file state_file).each { |k| settings[k] = gate[k] }
      %w(max_fails fail_timeout keepalive).each { |k| settings[k] = attrs[k] }
      { 'program' => 'TimestampLb::Gate', 'lib_dirs' => %w(timestamp_common timestamp_lb).map { |c| File.join(lib_root, c) },
        'settings' => settings }
    end
  end
end
