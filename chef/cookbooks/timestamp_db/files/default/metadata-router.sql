-- Registers one MySQL Router (its id is fixed in its mysqlrouter.conf).
-- The caller sets: @router_id @router_name @router_address @cluster_id
INSERT INTO mysql_innodb_cluster_metadata.routers
       (router_id, router_name, address, cluster_id, attributes, options)
VALUES (@router_id, @router_name, @router_address, @cluster_id, JSON_OBJECT(), JSON_OBJECT())
    AS new
ON DUPLICATE KEY UPDATE router_name = new.router_name, address = new.address, cluster_id = new.cluster_id;
