-- Accounts and the application database of the timestamp service.
-- Run once on the PRIMARY (it replicates to the group). The caller sets the passwords
-- as session variables first, so no secret is stored in this file:
--   @replication_password  @router_password  @probe_password  @backup_password  @migrator_password  @app_password
-- Every statement is idempotent (IF NOT EXISTS, GRANT); passwords are only set on creation.

CREATE DATABASE IF NOT EXISTS timestamps CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_bin;

-- Passwords come from variables, so the statements are prepared.
SET @ts_stmt = CONCAT('CREATE USER IF NOT EXISTS ''ts_repl''@''%'' IDENTIFIED BY ', QUOTE(@replication_password));
PREPARE ts_stmt FROM @ts_stmt; EXECUTE ts_stmt; DEALLOCATE PREPARE ts_stmt;
SET @ts_stmt = CONCAT('CREATE USER IF NOT EXISTS ''router_meta''@''%'' IDENTIFIED BY ', QUOTE(@router_password));
PREPARE ts_stmt FROM @ts_stmt; EXECUTE ts_stmt; DEALLOCATE PREPARE ts_stmt;
-- (ts_probe is also created on each member before the group exists, unlogged: TimestampDb::RootAccount.)
SET @ts_stmt = CONCAT('CREATE USER IF NOT EXISTS ''ts_probe''@''%'' IDENTIFIED BY ', QUOTE(@probe_password));
PREPARE ts_stmt FROM @ts_stmt; EXECUTE ts_stmt; DEALLOCATE PREPARE ts_stmt;
SET @ts_stmt = CONCAT('CREATE USER IF NOT EXISTS ''ts_backup''@''%'' IDENTIFIED BY ', QUOTE(@backup_password));
PREPARE ts_stmt FROM @ts_stmt; EXECUTE ts_stmt; DEALLOCATE PREPARE ts_stmt;
SET @ts_stmt = CONCAT('CREATE USER IF NOT EXISTS ''ts_migrator''@''%'' IDENTIFIED BY ', QUOTE(@migrator_password));
PREPARE ts_stmt FROM @ts_stmt; EXECUTE ts_stmt; DEALLOCATE PREPARE ts_stmt;
SET @ts_stmt = CONCAT('CREATE USER IF NOT EXISTS ''ts_app''@''%'' IDENTIFIED BY ', QUOTE(@app_password));
PREPARE ts_stmt FROM @ts_stmt; EXECUTE ts_stmt; DEALLOCATE PREPARE ts_stmt;
SET @ts_stmt = NULL;

-- Distributed recovery: binlog streaming from a donor, and clone (BACKUP_ADMIN on the donor).
GRANT REPLICATION SLAVE, BACKUP_ADMIN ON *.* TO 'ts_repl'@'%';

-- MySQL Router's metadata cache: read the metadata and the group's state, write its own row.
GRANT SELECT, EXECUTE ON mysql_innodb_cluster_metadata.* TO 'router_meta'@'%';
GRANT INSERT, UPDATE, DELETE ON mysql_innodb_cluster_metadata.routers TO 'router_meta'@'%';
GRANT INSERT, UPDATE, DELETE ON mysql_innodb_cluster_metadata.v2_routers TO 'router_meta'@'%';
GRANT INSERT, UPDATE, DELETE ON mysql_innodb_cluster_metadata.router_stats TO 'router_meta'@'%';
GRANT SELECT ON performance_schema.replication_group_members TO 'router_meta'@'%';
GRANT SELECT ON performance_schema.replication_group_member_stats TO 'router_meta'@'%';
GRANT SELECT ON performance_schema.global_variables TO 'router_meta'@'%';
GRANT SELECT ON performance_schema.global_status TO 'router_meta'@'%';
-- The members' keepers (TimestampDb::Keeper) read each peer's view of the group and its
-- received transactions with ts_probe, to know whether a group exists and who bootstraps it.
GRANT SELECT ON performance_schema.replication_group_members TO 'ts_probe'@'%';
GRANT SELECT ON performance_schema.replication_connection_status TO 'ts_probe'@'%';

-- The backup host (timestamp_backup): clones a secondary (BACKUP_ADMIN on the donor), streams
-- the binary logs as a replica would (the archiver), and reads the group's state and each
-- member's transaction sets to choose whom to read from.
GRANT REPLICATION SLAVE, REPLICATION CLIENT, BACKUP_ADMIN ON *.* TO 'ts_backup'@'%';
GRANT SELECT ON performance_schema.replication_group_members TO 'ts_backup'@'%';

-- Schema changes (migrations) and the application itself, which only records and reads.
GRANT ALL ON timestamps.* TO 'ts_migrator'@'%';
-- A migration records the GTID of each change it makes (its own last transaction): the point
-- to restore to, just before it, should the change go wrong (./stack restore --before-gtid).
GRANT SELECT ON performance_schema.events_transactions_current TO 'ts_migrator'@'%';
GRANT SELECT, INSERT ON timestamps.* TO 'ts_app'@'%';
