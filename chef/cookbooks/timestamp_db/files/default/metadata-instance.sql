-- Registers (or updates) one Group Replication member in the cluster metadata.
-- The caller sets: @cluster_id @address @xaddress @gr_local_address @server_uuid @label
-- Keyed by address, so a re-initialized member (new server UUID) is learned, not duplicated.
INSERT INTO mysql_innodb_cluster_metadata.instances
       (cluster_id, address, mysql_server_uuid, instance_name, xaddress, gr_local_address, attributes)
VALUES (@cluster_id, @address, @server_uuid, @label, @xaddress, @gr_local_address, JSON_OBJECT())
    AS new
ON DUPLICATE KEY UPDATE
       cluster_id = new.cluster_id, mysql_server_uuid = new.mysql_server_uuid,
       instance_name = new.instance_name, xaddress = new.xaddress,
       gr_local_address = new.gr_local_address;
