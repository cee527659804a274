# frozen_string_literal: true

# Runs one long-lived program of the timestamp service (a keeper, a watchdog) from the
# cookbooks' own library classes, so a node heals itself with the code Chef and ./stack run:
#
#   RUBY timestamp_program.rb CONFIG.json
#
# CONFIG (rendered by a cookbook, mode 0600 when it holds secrets):
#   { "program": "TimestampDb::Keeper",              the class; it answers from_config(settings)
#     "lib_dirs": [".../timestamp_common", ...],      library directories, loaded in this order
#     "settings": { ... } }                           the program's own settings
# The program's #run loops until SIGTERM; its log lines go to stdout (the journal, or the
# local cluster's log file).
require 'json'

config = JSON.parse(File.read(ARGV.fetch(0) { abort 'usage: timestamp_program.rb CONFIG.json' }))
config.fetch('lib_dirs').each do |dir|
  Dir[File.join(dir, '*.rb')].each { |file| require file }
end
program = config.fetch('program').split('::').inject(Object) { |scope, name| scope.const_get(name) }
$stdout.sync = true
Signal.trap('TERM') { exit 0 }
program.from_config(config.fetch('settings')).run
