# frozen_string_literal: true

# Where the verify specs find things. Written once for InSpec (kitchen verify) and
# Serverspec (stack.d/cookbooks.sh): each setting is an environment variable whose default
# is the cookbooks' default, i.e. what a converged kitchen node has (kitchen has no
# ./stack); the local cluster sets every one of them, from ./stack config (Chef) for its
# addresses, ports and names and from its state directory for its paths.
def ts_setting(name, default)
  value = ENV.fetch(name, '')
  value.empty? ? default : value
end

# A command that succeeds if a process whose command line matches PATTERN runs. The
# bracket keeps pgrep from matching the shell that runs it.
def ts_running(pattern)
  "pgrep -f -- '[#{pattern[0]}]#{pattern[1..]}'"
end

# The mysql client running one query; string literals in SQL use double quotes.
def ts_sql(client, query)
  "#{client} -NB -e '#{query}'"
end
