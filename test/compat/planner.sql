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

-- Before 3.38 an IN list reaches the vtab one value at a time as "=", and
-- SQLite checks the rows it gets again without the IN's affinity.
CREATE TABLE o2(z, g INT, h REAL);
INSERT INTO o2 VALUES(-3, 5, 5), ('x', NULL, NULL);
CREATE TABLE b2(t TEXT, u, k INTEGER PRIMARY KEY);
CREATE VIRTUAL TABLE v2 USING softdelete(b2);
INSERT INTO b2(t, u, k) VALUES('-3', 'q', 1), ('x', '1', 2), ('05', 5, 7), ('5', NULL, 9);
CREATE TABLE p2(t TEXT, u, k INTEGER PRIMARY KEY);
INSERT INTO p2 SELECT t, u, k FROM b2;
SELECT 'in-text-none', (SELECT group_concat(k) FROM (SELECT k FROM v2 WHERE t IN (SELECT z FROM o2) ORDER BY k))
  IS (SELECT group_concat(k) FROM (SELECT k FROM p2 WHERE t IN (SELECT z FROM o2) ORDER BY k));
SELECT 'in-text-int', (SELECT group_concat(k) FROM (SELECT k FROM v2 WHERE t IN (SELECT g FROM o2) ORDER BY k))
  IS (SELECT group_concat(k) FROM (SELECT k FROM p2 WHERE t IN (SELECT g FROM o2) ORDER BY k));
SELECT 'in-untyped-rowid', (SELECT group_concat(k) FROM (SELECT k FROM v2 WHERE u IN (SELECT s.rowid FROM v2 AS s) ORDER BY k))
  IS (SELECT group_concat(k) FROM (SELECT k FROM p2 WHERE u IN (SELECT s.rowid FROM p2 AS s) ORDER BY k));
-- SQLite 3.31 binds an integral REAL propagated from "o.h = 5" wrongly
-- through sqlite3_bind_value().
SELECT 'real-propagated', (SELECT group_concat(k) FROM (SELECT v2.k FROM o2, v2 WHERE v2.k >= o2.h AND o2.h = 5 ORDER BY 1))
  IS (SELECT group_concat(k) FROM (SELECT p2.k FROM o2, p2 WHERE p2.k >= o2.h AND o2.h = 5 ORDER BY 1));
