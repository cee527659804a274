# shellcheck shell=bash
# Checks that need no cluster: linters over every script, and the unit tests of the
# cookbooks' library classes (RSpec) and of the Python tools (unittest). Sourced after common.sh.
#
#   lint_check   shellcheck (every shell file), pyflakes3 (every Python file)
#   unit_check   rspec over chef/cookbooks/*/spec and stack.d/spec (the local renderer
#                merges attributes as Chef does), then stack.d/py-tests.py

lint_check() {
  local check_failures=0 shell_files python_files
  step "lint: shellcheck, pyflakes3"
  mapfile -t shell_files < <(cd "$ROOT" && { echo stack; echo .ci/run; git ls-files 'stack.d/*.sh' 'bench/*.sh'; } | sort -u)
  mapfile -t python_files < <(cd "$ROOT" && git ls-files '*.py')
  check_run "shellcheck -x -S warning: ${#shell_files[@]} files" \
    bash -c 'cd "$1" && shift && shellcheck -x -S warning -f gcc "$@"' _ "$ROOT" "${shell_files[@]}"
  check_run "pyflakes3: ${#python_files[@]} files" bash -c 'cd "$1" && shift && pyflakes3 "$@"' _ "$ROOT" "${python_files[@]}"
  [ "$check_failures" -eq 0 ]
}

# Each runner prints its own summary ("N examples, N failures"; unittest's "Ran N tests").
unit_check() {
  local rc=0
  step "unit: cookbook libraries (RSpec), Python tools (unittest)"
  (cd "$ROOT" && rspec --no-color --format progress chef/cookbooks/*/spec stack.d/spec) || rc=1
  /usr/bin/python3 "$STACKD/py-tests.py" || rc=1
  return "$rc"
}
