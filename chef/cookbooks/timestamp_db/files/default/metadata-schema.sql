-- The InnoDB Cluster metadata that MySQL Router's metadata cache reads (model 2.x),
-- written for this project: only the tables and views Router queries, no MySQL Shell
-- (AdminAPI) bookkeeping. Router treats the group as an InnoDB Cluster of type 'gr'.
-- Idempotent; run on the PRIMARY (it replicates to the group).
--
-- Router reads:  schema_version, v2_this_instance, v2_cs_members, v2_gr_clusters,
--                v2_instances, v2_router_options, routing_guidelines (may be empty)
-- Router writes: its own row through v2_routers (version, attributes, last check-in)
--                and router_stats.

CREATE DATABASE IF NOT EXISTS mysql_innodb_cluster_metadata CHARACTER SET utf8mb4;

-- One row per cluster (here: one Group Replication group).
CREATE TABLE IF NOT EXISTS mysql_innodb_cluster_metadata.clusters (
  cluster_id     CHAR(36) CHARACTER SET ascii NOT NULL,
  cluster_name   VARCHAR(63) NOT NULL,
  group_name     CHAR(36) CHARACTER SET ascii NOT NULL COMMENT 'group_replication_group_name',
  cluster_type   ENUM('gr') NOT NULL DEFAULT 'gr',
  primary_mode   ENUM('pm', 'mm') NOT NULL DEFAULT 'pm',
  description    TEXT,
  options        JSON,
  attributes     JSON,
  router_options JSON COMMENT 'defaults for every router of this cluster',
  clusterset_id  CHAR(36) CHARACTER SET ascii NULL COMMENT 'always NULL: no ClusterSet',
  PRIMARY KEY (cluster_id),
  UNIQUE KEY cluster_name (cluster_name),
  UNIQUE KEY group_name (group_name)
) ENGINE=InnoDB;

-- One row per member. The address is the member's identity; the server UUID is
-- updated when a member is re-initialized (new datadir, new UUID).
CREATE TABLE IF NOT EXISTS mysql_innodb_cluster_metadata.instances (
  instance_id       INT UNSIGNED NOT NULL AUTO_INCREMENT,
  cluster_id        CHAR(36) CHARACTER SET ascii NOT NULL,
  address           VARCHAR(265) CHARACTER SET ascii NOT NULL COMMENT 'host:port (classic protocol)',
  mysql_server_uuid CHAR(36) CHARACTER SET ascii NOT NULL,
  instance_name     VARCHAR(265) NOT NULL,
  xaddress          VARCHAR(265) CHARACTER SET ascii NOT NULL COMMENT 'host:port (X protocol)',
  gr_local_address  VARCHAR(265) CHARACTER SET ascii NOT NULL,
  attributes        JSON,
  description       TEXT,
  PRIMARY KEY (instance_id),
  UNIQUE KEY address (address),
  UNIQUE KEY mysql_server_uuid (mysql_server_uuid),
  CONSTRAINT instances_cluster FOREIGN KEY (cluster_id) REFERENCES mysql_innodb_cluster_metadata.clusters (cluster_id)
) ENGINE=InnoDB;

-- One row per Router; Router updates version, last_check_in and attributes itself.
CREATE TABLE IF NOT EXISTS mysql_innodb_cluster_metadata.routers (
  router_id     INT UNSIGNED NOT NULL AUTO_INCREMENT,
  router_name   VARCHAR(265) NOT NULL,
  product_name  VARCHAR(128) NOT NULL DEFAULT 'MySQL Router',
  address       VARCHAR(256) CHARACTER SET ascii NOT NULL,
  version       VARCHAR(12) DEFAULT NULL,
  last_check_in TIMESTAMP NULL DEFAULT NULL,
  attributes    JSON,
  cluster_id    CHAR(36) CHARACTER SET ascii DEFAULT NULL,
  clusterset_id CHAR(36) CHARACTER SET ascii DEFAULT NULL,
  options       JSON,
  PRIMARY KEY (router_id),
  UNIQUE KEY address_name (address, router_name)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS mysql_innodb_cluster_metadata.router_stats (
  router_id     INT UNSIGNED NOT NULL,
  last_check_in TIMESTAMP NULL DEFAULT NULL,
  PRIMARY KEY (router_id)
) ENGINE=InnoDB;

-- No ClusterSet: Router's routing-guideline lookup joins this table, so it exists, empty.
CREATE TABLE IF NOT EXISTS mysql_innodb_cluster_metadata.clustersets (
  clusterset_id  CHAR(36) CHARACTER SET ascii NOT NULL,
  domain_name    VARCHAR(63) NOT NULL,
  router_options JSON,
  PRIMARY KEY (clusterset_id)
) ENGINE=InnoDB;

-- Routing guidelines are not used: the table exists so Router's lookup finds nothing.
CREATE TABLE IF NOT EXISTS mysql_innodb_cluster_metadata.routing_guidelines (
  guideline_id      CHAR(36) CHARACTER SET ascii NOT NULL,
  name              VARCHAR(63) NOT NULL,
  guideline         JSON,
  cluster_id        CHAR(36) CHARACTER SET ascii DEFAULT NULL,
  clusterset_id     CHAR(36) CHARACTER SET ascii DEFAULT NULL,
  last_update       TIMESTAMP NULL DEFAULT NULL,
  default_guideline BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (guideline_id),
  UNIQUE KEY name (name)
) ENGINE=InnoDB;

-- ---- the views Router queries --------------------------------------------------------

-- The model version Router checks first.
CREATE OR REPLACE SQL SECURITY INVOKER VIEW mysql_innodb_cluster_metadata.schema_version
  (major, minor, patch) AS SELECT 2, 3, 0;

CREATE OR REPLACE SQL SECURITY INVOKER VIEW mysql_innodb_cluster_metadata.v2_gr_clusters AS
  SELECT c.cluster_type, c.primary_mode, c.cluster_id, c.cluster_name, c.group_name,
         c.attributes, c.options, c.router_options, c.description, c.clusterset_id
    FROM mysql_innodb_cluster_metadata.clusters c;

CREATE OR REPLACE SQL SECURITY INVOKER VIEW mysql_innodb_cluster_metadata.v2_instances AS
  SELECT i.instance_id, i.cluster_id, i.instance_name AS label, i.mysql_server_uuid,
         i.address, i.address AS endpoint, i.xaddress AS xendpoint,
         i.gr_local_address, i.attributes, i.description
    FROM mysql_innodb_cluster_metadata.instances i;

-- The member the query runs on, as the metadata knows it (a view cannot read
-- @@server_uuid, performance_schema can).
CREATE OR REPLACE SQL SECURITY INVOKER VIEW mysql_innodb_cluster_metadata.v2_this_instance AS
  SELECT i.cluster_id, i.instance_id, c.cluster_name, c.cluster_type, 'group-member' AS instance_type
    FROM mysql_innodb_cluster_metadata.instances i
    JOIN mysql_innodb_cluster_metadata.clusters c ON c.cluster_id = i.cluster_id
   WHERE i.mysql_server_uuid = (SELECT CONVERT(VARIABLE_VALUE USING ascii)
                                  FROM performance_schema.global_variables
                                 WHERE VARIABLE_NAME = 'server_uuid');

-- ClusterSet membership: always empty (a single cluster).
CREATE OR REPLACE SQL SECURITY INVOKER VIEW mysql_innodb_cluster_metadata.v2_cs_members AS
  SELECT c.clusterset_id, c.cluster_id, c.cluster_name, 'PRIMARY' AS member_role,
         0 AS invalidated
    FROM mysql_innodb_cluster_metadata.clusters c
   WHERE c.clusterset_id IS NOT NULL;

-- Updatable: Router writes through it.
CREATE OR REPLACE SQL SECURITY INVOKER VIEW mysql_innodb_cluster_metadata.v2_routers AS
  SELECT r.router_id, r.router_name, r.product_name, r.address, r.version, r.last_check_in,
         r.attributes, r.cluster_id, r.clusterset_id, r.options
    FROM mysql_innodb_cluster_metadata.routers r;

-- A router's options: its own over its cluster's.
CREATE OR REPLACE SQL SECURITY INVOKER VIEW mysql_innodb_cluster_metadata.v2_router_options AS
  SELECT r.router_id, r.cluster_id, r.clusterset_id,
         JSON_MERGE_PATCH(COALESCE(c.router_options, JSON_OBJECT()),
                          COALESCE(r.options, JSON_OBJECT())) AS router_options
    FROM mysql_innodb_cluster_metadata.routers r
    LEFT JOIN mysql_innodb_cluster_metadata.clusters c ON c.cluster_id = r.cluster_id;
