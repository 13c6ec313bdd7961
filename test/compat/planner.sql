-- Planner cases whose handling depends on the host's version or build
-- options. Each line prints a case name and 1 when the query gives the same
-- rows through the softdelete table v as through the plain table p holding
-- the same live rows. Run on every compat host and on the system's SQLite.
.load @LIB@
CREATE TABLE b(s TEXT, a NUMERIC, h INTEGER, x);
CREATE VIRTUAL TABLE v USING softdelete(b);
INSERT INTO b(rowid, s, a, h, x) VALUES
  (1, 'a', 5, 1, 'a'), (2, x'61', 5, 2, x'61'), (3, 'A', 5, 9, 1),
  (4, 'ab', 6, 0, NULL), (5, 'b', 7, 0, 'b'), (6, NULL, 'b', 3, 2.5),
  (7, 'abc', NULL, 4, 'A'), (8, 'gone', 5, 8, 'gone');
DELETE FROM v WHERE rowid = 8;
CREATE TABLE p(s TEXT, a NUMERIC, h INTEGER, x);
INSERT INTO p(rowid, s, a, h, x) SELECT rowid, s, a, h, x FROM v;

-- LIKE and GLOB match blobs unless the host is built with
-- SQLITE_LIKE_DOESNT_MATCH_BLOBS: the ranges SQLite derives from them must
-- not hide a blob.
SELECT 'like-blob', (SELECT group_concat(rowid) FROM (SELECT rowid FROM v WHERE s LIKE 'a' ORDER BY rowid))
  IS (SELECT group_concat(rowid) FROM (SELECT rowid FROM p WHERE s LIKE 'a' ORDER BY rowid));
SELECT 'glob-blob', (SELECT group_concat(rowid) FROM (SELECT rowid FROM v WHERE s GLOB 'a*' ORDER BY rowid))
  IS (SELECT group_concat(rowid) FROM (SELECT rowid FROM p WHERE s GLOB 'a*' ORDER BY rowid));
SELECT 'like-nocase', (SELECT group_concat(rowid) FROM (SELECT rowid FROM v WHERE s COLLATE NOCASE LIKE 'a%' ORDER BY rowid))
  IS (SELECT group_concat(rowid) FROM (SELECT rowid FROM p WHERE s COLLATE NOCASE LIKE 'a%' ORDER BY rowid));
SELECT 'like-untyped', (SELECT group_concat(rowid) FROM (SELECT rowid FROM v WHERE x LIKE 'a%' ORDER BY rowid))
  IS (SELECT group_concat(rowid) FROM (SELECT rowid FROM p WHERE x LIKE 'a%' ORDER BY rowid));
-- A range written by hand is a range.
SELECT 'range-text', (SELECT group_concat(rowid) FROM (SELECT rowid FROM v WHERE s >= 'A' AND s < 'b' ORDER BY rowid))
  IS (SELECT group_concat(rowid) FROM (SELECT rowid FROM p WHERE s >= 'A' AND s < 'b' ORDER BY rowid));

-- A LIKE in a LEFT JOIN's ON clause keeps the rows without a match.
SELECT 'lj-like', (SELECT group_concat(r) FROM (SELECT t1.rowid || ':' || ifnull(t2.rowid, '-') AS r
    FROM v AS t1 LEFT JOIN v AS t2 ON t1.a == t2.a AND t2.a COLLATE BINARY LIKE 'b%' ORDER BY 1))
  IS (SELECT group_concat(r) FROM (SELECT t1.rowid || ':' || ifnull(t2.rowid, '-') AS r
    FROM p AS t1 LEFT JOIN p AS t2 ON t1.a == t2.a AND t2.a COLLATE BINARY LIKE 'b%' ORDER BY 1));
SELECT 'lj-glob', (SELECT group_concat(r) FROM (SELECT t1.rowid || ':' || ifnull(t2.rowid, '-') AS r
    FROM v AS t1 LEFT JOIN v AS t2 ON t1.s == t2.s AND t2.s GLOB 'a*' ORDER BY 1))
  IS (SELECT group_concat(r) FROM (SELECT t1.rowid || ':' || ifnull(t2.rowid, '-') AS r
    FROM p AS t1 LEFT JOIN p AS t2 ON t1.s == t2.s AND t2.s GLOB 'a*' ORDER BY 1));
SELECT 'lj-ne', (SELECT group_concat(r) FROM (SELECT t1.rowid || ':' || ifnull(t2.rowid, '-') AS r
    FROM v AS t1 LEFT JOIN v AS t2 ON t1.h == t2.h AND t1.s != 'a' ORDER BY 1))
  IS (SELECT group_concat(r) FROM (SELECT t1.rowid || ':' || ifnull(t2.rowid, '-') AS r
    FROM p AS t1 LEFT JOIN p AS t2 ON t1.h == t2.h AND t1.s != 'a' ORDER BY 1));
SELECT 'lj-notnull', (SELECT group_concat(r) FROM (SELECT t1.rowid || ':' || ifnull(t2.rowid, '-') AS r
    FROM v AS t1 LEFT JOIN v AS t2 ON t1.h == t2.h AND t1.s IS NOT NULL ORDER BY 1))
  IS (SELECT group_concat(r) FROM (SELECT t1.rowid || ':' || ifnull(t2.rowid, '-') AS r
    FROM p AS t1 LEFT JOIN p AS t2 ON t1.h == t2.h AND t1.s IS NOT NULL ORDER BY 1));

-- LIMIT and OFFSET only where the base sees the whole condition.
SELECT 'rowvalue-limit', (SELECT group_concat(r) FROM (SELECT a || ',' || h AS r FROM v WHERE (a, h) > (5, 7) LIMIT 1))
  IS (SELECT group_concat(r) FROM (SELECT a || ',' || h AS r FROM p WHERE (a, h) > (5, 7) LIMIT 1));
SELECT 'rowvalue-offset', (SELECT count(*) FROM (SELECT 1 FROM v WHERE (a, h) >= (5, 7) LIMIT 10 OFFSET 1))
  IS (SELECT count(*) FROM (SELECT 1 FROM p WHERE (a, h) >= (5, 7) LIMIT 10 OFFSET 1));
SELECT 'rowvalue-order', (SELECT group_concat(r) FROM (SELECT a || ',' || h AS r FROM v WHERE (a, h) <= (5, 2) ORDER BY a, h LIMIT 1 OFFSET 1))
  IS (SELECT group_concat(r) FROM (SELECT a || ',' || h AS r FROM p WHERE (a, h) <= (5, 2) ORDER BY a, h LIMIT 1 OFFSET 1));
SELECT 'expr-limit', (SELECT group_concat(rowid) FROM (SELECT rowid FROM v WHERE h = rowid + 6 LIMIT 1 OFFSET 0))
  IS (SELECT group_concat(rowid) FROM (SELECT rowid FROM p WHERE h = rowid + 6 LIMIT 1 OFFSET 0));
SELECT 'compound-limit', (SELECT group_concat(h) FROM (SELECT h FROM v UNION ALL SELECT h FROM v LIMIT 3 OFFSET 5))
  IS (SELECT group_concat(h) FROM (SELECT h FROM p UNION ALL SELECT h FROM p LIMIT 3 OFFSET 5));
SELECT 'order-limit', (SELECT group_concat(rowid) FROM (SELECT rowid FROM v ORDER BY rowid DESC LIMIT 2 OFFSET 1))
  IS (SELECT group_concat(rowid) FROM (SELECT rowid FROM p ORDER BY rowid DESC LIMIT 2 OFFSET 1));

-- Affinity: a TEXT column against numbers, values of several types in IN.
SELECT 'text-num', (SELECT group_concat(rowid) FROM (SELECT rowid FROM v WHERE s = 5 OR s > 1 ORDER BY rowid))
  IS (SELECT group_concat(rowid) FROM (SELECT rowid FROM p WHERE s = 5 OR s > 1 ORDER BY rowid));
SELECT 'in-mixed', (SELECT group_concat(rowid) FROM (SELECT rowid FROM v WHERE x IN ('a', x'61', 1, 2.5, NULL) ORDER BY rowid))
  IS (SELECT group_concat(rowid) FROM (SELECT rowid FROM p WHERE x IN ('a', x'61', 1, 2.5, NULL) ORDER BY rowid));
SELECT 'in-numeric', (SELECT group_concat(rowid) FROM (SELECT rowid FROM v WHERE a IN ('5', 7, 'b') ORDER BY rowid))
  IS (SELECT group_concat(rowid) FROM (SELECT rowid FROM p WHERE a IN ('5', 7, 'b') ORDER BY rowid));
