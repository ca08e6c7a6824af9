-- kiln bench: an SQLite workload (inserts in a transaction, an index, queries, an update).
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO t(k, v) SELECT (i * 7919) % 1009, printf('value-%06d', i) FROM n;
COMMIT;
CREATE INDEX t_k ON t(k);
SELECT count(*), sum(k), max(v) FROM t;
SELECT k, count(*) FROM t WHERE k BETWEEN 100 AND 110 GROUP BY k ORDER BY k LIMIT 3;
UPDATE t SET v = upper(v) WHERE k % 10 = 0;
SELECT count(*) FROM t WHERE v GLOB 'VALUE*';
