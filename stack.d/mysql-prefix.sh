# shellcheck shell=bash
# MySQL 9.x server, client and Router from Debian sid, unpacked into a private prefix.
# Debian 12 ships no MySQL server; sid does. We never install sid packages into the
# host: a private apt configuration (own sources, lists, cache and an empty dpkg status,
# so apt resolves the whole closure down to libc) downloads the debs, `dpkg -x` unpacks
# them, and every binary runs through the prefix's own dynamic loader (see mysql_exec).
# The debs stay in a cache outside the clone, so later runs and CI skip the download.

MYSQL_CACHE=${STACK_MYSQL_CACHE:-/var/cache/timestamp-stack/mysql}
MYSQL_PREFIX=$MYSQL_CACHE/root
MYSQL_PACKAGES=(mysql-server-core mysql-client-core mysql-router)

mysql_prefix_ready() { [ -f "$MYSQL_PREFIX/.complete" ]; }

mysql_prefix_install() {
  mysql_prefix_ready && return 0
  local apt=$MYSQL_CACHE/apt
  step "fetching MySQL server, client and Router from Debian sid into $MYSQL_CACHE (first run only)"
  mkdir -p "$apt"/{lists/partial,archives/partial,etc/preferences.d,etc/trusted.gpg.d} "$MYSQL_CACHE"
  : > "$apt/status"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main" > "$apt/etc/sources.list"
  local opts=(
    -o Dir::Etc::SourceList="$apt/etc/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o Dir::Etc::Preferences="$apt/etc/preferences" -o Dir::Etc::PreferencesParts="$apt/etc/preferences.d"
    -o Dir::State::Lists="$apt/lists" -o Dir::State::Status="$apt/status"
    -o Dir::Cache::Archives="$apt/archives" -o Dir::Cache="$apt"
    -o APT::Install-Recommends=false -o Acquire::Check-Valid-Until=false
    -o Debug::NoLocking=true -o APT::Sandbox::User=root
  )
  apt-get "${opts[@]}" -qq update || die "could not read Debian sid's package index"
  apt-get "${opts[@]}" -qq -y -d install "${MYSQL_PACKAGES[@]}" >/dev/null \
    || die "Debian sid no longer serves ${MYSQL_PACKAGES[*]} (see README, Known issues)"
  rm -rf "$MYSQL_PREFIX.new" && mkdir -p "$MYSQL_PREFIX.new"
  local deb
  for deb in "$apt"/archives/*.deb; do dpkg -x "$deb" "$MYSQL_PREFIX.new"; done
  # The manifest records what sid actually served (it only serves its current version).
  # shellcheck disable=SC2016  # ${Package} ${Version} are dpkg-deb's format fields, not shell's
  for deb in "$apt"/archives/*.deb; do dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb"; done \
    | sort > "$MYSQL_PREFIX.new/.manifest"
  rm -rf "$MYSQL_PREFIX" && mv "$MYSQL_PREFIX.new" "$MYSQL_PREFIX"
  touch "$MYSQL_PREFIX/.complete"
  info "MySQL $(grep '^mysql-server-core ' "$MYSQL_PREFIX/.manifest" | cut -d' ' -f2) unpacked"
}

# mysql_command BINARY: the command line that runs a binary of the prefix (a path inside it,
# e.g. usr/sbin/mysqld) with the prefix's own loader and libraries, as one string: split it
# into words where it is run, or put it into a rendered ExecStart. (So the cache path must
# not contain spaces.)
mysql_command() {
  local libs=$MYSQL_PREFIX/usr/lib/x86_64-linux-gnu:$MYSQL_PREFIX/usr/lib/mysql-router:$MYSQL_PREFIX/usr/lib/mysql-router/private
  printf '%s' "$MYSQL_PREFIX/usr/lib64/ld-linux-x86-64.so.2 --library-path $libs $MYSQL_PREFIX/$1"
}

# mysql_exec BINARY ARGS...: run a binary of the prefix.
mysql_exec() {
  local command; read -ra command <<<"$(mysql_command "$1")"; shift
  "${command[@]}" "$@"
}
