# frozen_string_literal: true

# Installs what a long-lived program of the timestamp service runs on (a keeper, a
# watchdog; see files/default/timestamp_program.rb): the launcher and the library
# directories of the cookbooks it needs, under lib_root/COOKBOOK. A systemd unit then runs
#   RUBY LIB_ROOT/timestamp_program.rb CONFIG.json
# The local cluster lays out the same tree from the repository (stack.d/supervise.sh).
provides :timestamp_program
unified_mode true

property :program_name, String, name_property: true
property :cookbooks, Array, required: true, description: 'cookbooks whose libraries it loads, in load order'
property :lib_root, String, default: '/usr/local/lib/timestamp'

action :install do
  directory new_resource.lib_root do
    mode '0755'
    recursive true
  end

  cookbook_file ::File.join(new_resource.lib_root, 'timestamp_program.rb') do
    cookbook 'timestamp_common'
    source 'timestamp_program.rb'
    mode '0644'
  end

  new_resource.cookbooks.each do |name|
    dir = ::File.join(new_resource.lib_root, name)
    directory dir do
      mode '0755'
    end
    # The files Chef itself loaded for this run (its cache of the cookbook).
    run_context.cookbook_collection[name].files_for('libraries').each do |library|
      file ::File.join(dir, ::File.basename(library['full_path'])) do
        content(lazy { ::File.read(library['full_path']) })
        mode '0644'
      end
    end
  end
end
