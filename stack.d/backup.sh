# shellcheck shell=bash
# Backups and point-in-time restore of the local cluster, rendered from cookbook
# timestamp_backup onto the backup host (backup-c, its own namespace in zone c): the binlog
# archiver runs under the supervisor from its unit; a backup is one run of the backup
# service's unit (what its systemd timer starts on a node). Sourced after mysql.sh and lb.sh.
#
#   backup_up / backup_down      the archiver (and the rendered files)
#   cmd_backup [--list]          take a backup now / list them with what they can restore
#   cmd_restore --to T | --before-gtid UUID:N | --latest

BACKUP_COOKBOOK=timestamp_backup
BACKUP_HOST=$(hosts_of backup | sed -n 1p)
BACKUP_DIR=$STATE/$BACKUP_HOST
# The vault: the second copy, on a host of another zone (an rsync daemon).
VAULT_HOST=$(hosts_of vault | sed -n 1p)
VAULT_DIR=$STATE/$VAULT_HOST
# The operators' age identity (the private key): outside the backup host's tree, as it is
# off every node in production. The backup host gets only its public recipient.
BACKUP_IDENTITY=$STATE/keys/backup-identity.txt

# backup_recipient: the age recipient of the identity (created once).
backup_recipient() {
  if [ ! -s "$BACKUP_IDENTITY" ]; then
    mkdir -p "$(dirname "$BACKUP_IDENTITY")"
    (umask 077; age-keygen -o "$BACKUP_IDENTITY" 2>/dev/null) || die "age-keygen failed"
  fi
  age-keygen -y "$BACKUP_IDENTITY"
}

_backup_attributes() {
  local d=$BACKUP_DIR
  cat <<EOF
{"timestamp": {"host": "$BACKUP_HOST", "programs": {"lib_root": "$PROGRAMS_LIB"}},
 "timestamp_backup": {
  "store_dir": "$d/store", "archive_dir": "$d/archive", "work_dir": "$d/work", "log_dir": "$d",
  "config_dir": "$d/etc", "metrics_dir": "$d/metrics", "systemd": {"unit_dir": "$d"},
  "mysqld": $(mysql_command usr/sbin/mysqld | tr ' ' '\n' | json_lines),
  "mysqlbinlog": $(mysql_command usr/bin/mysqlbinlog | tr ' ' '\n' | json_lines),
  "mysql_client": $(printf '%s\n' "${MYSQL_CLIENT[@]}" | json_lines),
  "mysql_user": "root", "basedir": "$MYSQL_PREFIX/usr", "plugin_dir": "$MYSQL_PREFIX/usr/lib/mysql/plugin",
  "lc_messages_dir": "$MYSQL_PREFIX/usr/share/mysql", "character_sets_dir": "$MYSQL_PREFIX/usr/share/mysql/charsets",
  "age": "$(command -v age)", "zstd": "$(command -v zstd)", "rsync": "$(command -v rsync)",
  "age_recipient": "$(backup_recipient)"
}}
EOF
}

_vault_attributes() {
  cat <<EOF
{"timestamp": {"host": "$VAULT_HOST"},
 "timestamp_backup": {"log_dir": "$VAULT_DIR", "config_dir": "$VAULT_DIR/etc", "systemd": {"unit_dir": "$VAULT_DIR"},
  "rsync": "$(command -v rsync)", "vault": {"dir": "$VAULT_DIR/data"}}}
EOF
}

_vault_render() {
  local attrs; attrs=$(_vault_attributes)
  mkdir -p "$VAULT_DIR"/{data,etc}
  render "$BACKUP_COOKBOOK" rsyncd.conf.erb "$VAULT_DIR/etc/rsyncd.conf" "$attrs"
  render "$BACKUP_COOKBOOK" timestamp-vault.service.erb "$VAULT_DIR/timestamp-vault.service" "$attrs"
  (umask 077; render "$BACKUP_COOKBOOK" rsyncd.secrets.erb "$VAULT_DIR/etc/rsyncd.secrets" "$attrs" \
     "{\"password\": \"$BACKUP_VAULT_PASSWORD\"}")
}

_backup_render() {
  local attrs name; attrs=$(_backup_attributes)
  mkdir -p "$BACKUP_DIR"/{store,archive,work,etc,metrics}
  render "$BACKUP_COOKBOOK" recipient.cnf.erb "$BACKUP_DIR/etc/recipient.cnf" "$attrs"
  for name in timestamp-archiver.service timestamp-backup.service timestamp-backup.timer; do
    render "$BACKUP_COOKBOOK" "$name.erb" "$BACKUP_DIR/$name" "$attrs"
  done
  (umask 077
   for name in backup:CloneBackup archiver:Archiver; do
     render "$BACKUP_COOKBOOK" timestamp-backup.json.erb "$BACKUP_DIR/etc/${name%%:*}.json" "$attrs" \
       "{\"name\": \"${name%%:*}\", \"program\": \"TimestampBackup::${name#*:}\", \"backup_user\": \"ts_backup\",
         \"backup_password\": \"$MYSQL_BACKUP_PASSWORD\", \"vault_password\": \"$BACKUP_VAULT_PASSWORD\"}"
   done)
}

backup_up() {
  step "vault $VAULT_HOST (zone $(host_field "$VAULT_HOST" zone)) and backup host $BACKUP_HOST: the binlog archiver"
  _vault_render
  svc_install "$VAULT_HOST" vault "$VAULT_DIR/timestamp-vault.service"
  svc_up "$VAULT_HOST" vault || svc_start "$VAULT_HOST" vault
  _backup_render
  svc_install "$BACKUP_HOST" archiver "$BACKUP_DIR/timestamp-archiver.service"
  svc_up "$BACKUP_HOST" archiver || svc_start "$BACKUP_HOST" archiver
  # the backup schedule: the timer unit, waiting for its next elapse
  svc_install "$BACKUP_HOST" backup-timer "$BACKUP_DIR/timestamp-backup.timer"
  svc_up "$BACKUP_HOST" backup-timer || svc_start "$BACKUP_HOST" backup-timer
  # a cluster is restorable from its first minutes, not from the timer's first elapse
  compgen -G "$BACKUP_DIR/store/backups/*/manifest.json" >/dev/null || _backup_run
}

backup_down() { svc_stop "$BACKUP_HOST" backup-timer; svc_stop "$BACKUP_HOST" archiver; }
vault_down() { svc_stop "$VAULT_HOST" vault; }
# vault_state: up while the rsync daemon answers on its port, else down; - when it does not run.
vault_state() {
  running_pid "$VAULT_HOST" vault >/dev/null || { echo -; return 0; }
  if in_host "$VAULT_HOST" ss -Hltn "sport = :$BACKUP_VAULT_PORT" | grep -q .; then echo up; else echo down; fi
}

# archiver_state: "STATE SOURCE" from the archiver's last report: streaming and the member it
# reads, or idle -; "- -" when it does not run.
archiver_state() {
  running_pid "$BACKUP_HOST" archiver >/dev/null || { echo "- -"; return 0; }
  jq -r 'if .source then "streaming \(.source)" else "idle -" end' "$BACKUP_DIR/work/archiver-state.json" 2>/dev/null \
    || echo "- -"
}

# What else rebuilding the local cluster needs and git does not hold, encrypted like the
# backups into the store (the vault gets it with the next copy): the secrets (the data bag of
# a real cluster; the Router keyrings' master key among them), the Routers' keyrings, and the
# WAR the instances run, with the commit it was built from. The age identity is not in it:
# the operators keep it apart (see the README).
_backup_site() {
  local id tmp out keep h
  id=$(date -u +%Y%m%dT%H%M%SZ); tmp=$(mktemp -d); out=$BACKUP_DIR/store/site/$id.tar.zst.age
  keep=$(jq -r .settings.keep "$BACKUP_DIR/etc/backup.json")
  mkdir -p "$tmp/site" "$(dirname "$out")"
  cp "$SECRETS" "$tmp/site/"
  for h in $(hosts_of app); do [ -f "$(router_dir "$h")/keyring" ] && cp "$(router_dir "$h")/keyring" "$tmp/site/keyring-$h"; done
  [ -f "$APP_WAR" ] && cp "$APP_WAR" "$tmp/site/"
  { echo "taken_at=$id"
    echo "git_commit=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
    echo "war_sha256=$(sha256sum "$APP_WAR" 2>/dev/null | cut -d' ' -f1)"; } > "$tmp/site/MANIFEST"
  tar -C "$tmp" -cf - site | zstd -q -3 | age -r "$(backup_recipient)" -o "$out" || { rm -rf "$tmp"; die "site backup failed"; }
  rm -rf "$tmp"
  find "$BACKUP_DIR/store/site" -name '*.tar.zst.age' | sort | head -n "-$keep" | xargs -r rm -f
  info "site files (secrets, Router keyrings, the deployed WAR) encrypted into $out"
}

# One run of the backup service's unit, as `systemctl start timestamp-backup` on a node.
_backup_run() {
  step "backup: one run of $BACKUP_HOST's timestamp-backup.service"
  in_host "$BACKUP_HOST" "$STACKD/run-unit.sh" "$BACKUP_DIR/timestamp-backup.service" 2>&1 | tee -a "$(log_file "$BACKUP_HOST" backup)"
}

backup_ops() { STACK_BACKUP_CONFIG=$BACKUP_DIR/etc/backup.json STACK_BACKUP_IDENTITY=$BACKUP_IDENTITY ops backup "$@"; }

cmd_backup() {
  require_root
  secrets_load
  case "${1:-}" in
    --list) # from the backup host: the vault accepts it only
            in_host "$BACKUP_HOST" env STACK_BACKUP_CONFIG="$BACKUP_DIR/etc/backup.json" ruby "$STACKD/ops.rb" backup list \
              | column -t -s $'\t' ;;
    "") _backup_render; _backup_site; _backup_run ;;
    *) die "usage: ./stack backup [--list]" ;;
  esac
}

# ---- restore -------------------------------------------------------------------------------
# The runbook of a point-in-time restore, each step timed: the member-side steps are the
# cookbook's (TimestampBackup::Restore, through ops.rb); the rest is the cluster's own
# operations. The keepers rebuild the group: every member answers, OFFLINE, and the
# restored one holds the most transactions, so it is the one they bootstrap from; the
# others, wiped, join by clone.
RESTORE_STEPS=()
_restore_timed() {
  local what=$1 t0 t1; shift
  step "restore: $what"
  t0=$(date +%s.%N)
  "$@" || die "restore: '$what' failed; writes stay fenced (nginx answers 503) until an operator acts"
  t1=$(date +%s.%N)
  RESTORE_STEPS+=("$(printf '%s\t%.1f' "$what" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")")
}

_restore_start_alone() { _db_start "$1"; _db_wait_ready "$1"; }
_restore_wipe() { local m; for m in "$@"; do rm -rf "$(db_datadir "$m")"; done; }
# The restored member's keeper bootstraps the group (every member answers, OFFLINE, and it
# holds the most); the others join one at a time: each joins by clone, and a donor serves one
# clone at a time (a second joiner falls back to incremental recovery, which fails for
# minutes on the purged logs).
_restore_rebuild() {
  local m
  db_servers_up
  for m in $(db_members); do
    db_keeper_up "$m"
    db_ops online 600 "$m" || die "$m did not come ONLINE (see $(db_dir "$m")/keeper.log)"
    info "$m ONLINE"
  done
  db_group_ready
}
_restore_reopen() {
  local host
  for host in $(hosts_of app); do router_up "$host"; done
  # shellcheck disable=SC2046 # host names are single words
  app_wait_ready 240 $(hosts_of app)
  lb_unfence
}

cmd_restore() {
  require_root
  secrets_load
  case "${1:-}" in
    --to|--before-gtid) [ $# -eq 2 ] || die "usage: ./stack restore --to 'YYYY-MM-DD HH:MM:SS[.ffffff]' | --before-gtid UUID:N | --latest" ;;
    --latest) [ $# -eq 1 ] || die "usage: ./stack restore --latest" ;;
    *) die "usage: ./stack restore --to 'YYYY-MM-DD HH:MM:SS[.ffffff]' | --before-gtid UUID:N | --latest" ;;
  esac
  local first others t0=$SECONDS
  first=$(db_members | sed -n 1p); others=$(db_members | sed 1d)
  RESTORE_STEPS=()
  _backup_render
  _restore_timed "plan: backup and archived transactions" backup_ops plan "$@"
  _restore_timed "fence writes (nginx answers 503 + Retry-After)" lb_fence
  _restore_timed "stop the archiver" backup_down
  _restore_timed "stop every member and its keeper" db_down
  _restore_timed "unpack the backup into $first (checksums)" backup_ops unpack "$(db_datadir "$first")"
  _restore_timed "start $first alone, out of any group" _restore_start_alone "$first"
  _restore_timed "replay the archive on $first (one session)" backup_ops replay "$(db_dir "$first")/root.cnf"
  _restore_timed "burn later GTIDs, new archive timeline" backup_ops finish "$(db_dir "$first")/root.cnf"
  # shellcheck disable=SC2086 # member names are single words
  _restore_timed "wipe the other members' data" _restore_wipe $others
  _restore_timed "group from $first, the others by clone, metadata" _restore_rebuild
  _restore_timed "restart the archiver (new timeline)" backup_up
  # the new timeline is restorable before anything is written to it
  _restore_timed "a new backup of the new timeline" cmd_backup
  _restore_timed "Routers and app instances ready; reopen" _restore_reopen
  step "restore done in $((SECONDS - t0)) s"
  { printf 'STEP\tSECONDS\n'; printf '%s\n' "${RESTORE_STEPS[@]}"; } | column -t -s $'\t'
}
