-- The secret the nodes of one database show each other on their internal
-- routes (a node reading the step log another node wrote). Made by the first
-- node that starts on PostgreSQL (db/cluster.ts); never sent by any API.
CREATE TABLE cluster_secret (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  secret TEXT NOT NULL
);
