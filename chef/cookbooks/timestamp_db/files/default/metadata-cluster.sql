-- Registers the cluster (one Group Replication group) in the metadata.
-- The caller sets: @cluster_id @cluster_name @group_name
INSERT INTO mysql_innodb_cluster_metadata.clusters
       (cluster_id, cluster_name, group_name, description, options, attributes, router_options)
VALUES (@cluster_id, @cluster_name, @group_name, 'timestamp service', JSON_OBJECT(), JSON_OBJECT(), JSON_OBJECT())
    AS new
ON DUPLICATE KEY UPDATE cluster_name = new.cluster_name, group_name = new.group_name;
