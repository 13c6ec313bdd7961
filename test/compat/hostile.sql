-- hostile.sql: a database file whose schema calls sd_hard_delete(), in every
-- host SQLite (scripts/compat.sh): whatever the load order, the victim rows
-- stay (SPEC 16). Before 3.50.0 SQLite itself lets a CHECK constraint call a
-- SQLITE_DIRECTONLY function; no host may run one here.
.bail off
.headers off
.mode list
.open --new hostile.db
.load @LIB@
CREATE TABLE posts_data(id INTEGER PRIMARY KEY, t TEXT);
CREATE VIRTUAL TABLE posts USING softdelete(posts_data);
INSERT INTO posts(t) VALUES('a'), ('b'), ('c');
CREATE TABLE chk(x CHECK(x>0));
CREATE TABLE gen(x, y AS (x+1) STORED);
CREATE TABLE planted(x);
CREATE INDEX pidx ON planted(abs(x));
CREATE TABLE planted2(x);
CREATE INDEX pidx2 ON planted2(x) WHERE x>0;
.output /dev/null
.dbconfig defensive off
.output
PRAGMA writable_schema=ON;
UPDATE sqlite_master SET sql='CREATE TABLE chk(x CHECK(sd_hard_delete(''posts'', 1)))' WHERE name='chk';
UPDATE sqlite_master SET sql='CREATE TABLE gen(x, y AS (sd_hard_delete(''posts'', 2)) STORED)' WHERE name='gen';
UPDATE sqlite_master SET sql='CREATE INDEX pidx ON planted((sd_hard_delete(''posts'', 3)))' WHERE name='pidx';
UPDATE sqlite_master SET sql='CREATE INDEX pidx2 ON planted2(x) WHERE sd_purge(''posts'')' WHERE name='pidx2';
PRAGMA writable_schema=OFF;
-- Loaded first, before the schema is read.
.open hostile.db
.load @LIB@
INSERT INTO chk VALUES(1);
INSERT INTO gen(x) VALUES(1);
INSERT INTO planted VALUES(1);
INSERT INTO planted2 VALUES(1);
SELECT group_concat(id) FROM posts_data;
-- Loaded after a query read the schema, with trusted_schema off.
.open hostile.db
PRAGMA trusted_schema=OFF;
SELECT count(*) FROM sqlite_master;
.load @LIB@
INSERT INTO chk VALUES(1);
INSERT INTO planted VALUES(1);
SELECT group_concat(id) FROM posts_data;
-- Loaded twice.
.open hostile.db
.load @LIB@
.load @LIB@
INSERT INTO gen(x) VALUES(1);
INSERT INTO planted2 VALUES(1);
SELECT group_concat(id) FROM posts_data;
