-- hostile.sql: a database file whose schema calls sd_hard_delete() from every
-- kind of schema object, in every host SQLite (scripts/compat.sh): loaded
-- before the schema is read, after, and twice; trusted_schema on and off.
-- The victim rows stay (SPEC 16). Before 3.50.0 SQLite itself lets a CHECK
-- constraint call a SQLITE_DIRECTONLY function; no host may run one here.
-- Loaded first, the functions exist when SQLite reads the schema, and it
-- refuses the whole schema for the generated column's non-deterministic
-- function ("malformed database schema"): refused too.
.bail off
.headers off
.mode list
.open --new hostile.db
.load @LIB@
CREATE TABLE posts_data(id INTEGER PRIMARY KEY, t TEXT);
CREATE VIRTUAL TABLE posts USING softdelete(posts_data);
INSERT INTO posts(t) VALUES('a'), ('b'), ('c');
CREATE TABLE chk(x CHECK(x>0));
CREATE TABLE dft(x, y DEFAULT 0);
CREATE TABLE gv(x, y AS (x+1));
CREATE TABLE gs(x, y AS (x+1) STORED);
CREATE TABLE pi(x);
CREATE INDEX pix ON pi(abs(x));
CREATE TABLE pw(x);
CREATE INDEX pwx ON pw(x) WHERE x>0;
CREATE TABLE tr(x);
CREATE TRIGGER trg AFTER INSERT ON tr BEGIN SELECT 1; END;
CREATE VIEW vw AS SELECT 1 AS r;
.output /dev/null
.dbconfig defensive off
.output
PRAGMA writable_schema=ON;
UPDATE sqlite_master SET sql='CREATE TABLE chk(x CHECK(sd_hard_delete(''posts'', 1)))' WHERE name='chk';
UPDATE sqlite_master SET sql='CREATE TABLE dft(x, y DEFAULT (sd_hard_delete(''posts'', 1)))' WHERE name='dft';
UPDATE sqlite_master SET sql='CREATE TABLE gv(x, y AS (sd_hard_delete(''posts'', 1)))' WHERE name='gv';
UPDATE sqlite_master SET sql='CREATE TABLE gs(x, y AS (sd_hard_delete(''posts'', 2)) STORED)' WHERE name='gs';
UPDATE sqlite_master SET sql='CREATE INDEX pix ON pi((sd_hard_delete(''posts'', 3)))' WHERE name='pix';
UPDATE sqlite_master SET sql='CREATE INDEX pwx ON pw(x) WHERE sd_purge(''posts'')' WHERE name='pwx';
UPDATE sqlite_master SET sql='CREATE TRIGGER trg AFTER INSERT ON tr BEGIN SELECT sd_hard_delete(''posts'', 1); END' WHERE name='trg';
UPDATE sqlite_master SET sql='CREATE VIEW vw AS SELECT sd_hard_delete(''posts'', 2) AS r' WHERE name='vw';
PRAGMA writable_schema=OFF;
-- Loaded before the schema is read, trusted_schema=ON.
.open hostile.db
PRAGMA trusted_schema=ON;
.load @LIB@
INSERT INTO chk VALUES(1);
INSERT INTO dft(x) VALUES(1);
INSERT INTO gv(x) VALUES(1);
SELECT y FROM gv;
INSERT INTO gs(x) VALUES(1);
INSERT INTO pi VALUES(1);
INSERT INTO pw VALUES(1);
INSERT INTO tr VALUES(1);
SELECT * FROM vw;
-- The victims, read without the extension.
.open hostile.db
SELECT group_concat(id) FROM posts_data;
-- Loaded before the schema is read, trusted_schema=OFF.
.open hostile.db
PRAGMA trusted_schema=OFF;
.load @LIB@
INSERT INTO chk VALUES(1);
INSERT INTO dft(x) VALUES(1);
INSERT INTO gv(x) VALUES(1);
SELECT y FROM gv;
INSERT INTO gs(x) VALUES(1);
INSERT INTO pi VALUES(1);
INSERT INTO pw VALUES(1);
INSERT INTO tr VALUES(1);
SELECT * FROM vw;
-- The victims, read without the extension.
.open hostile.db
SELECT group_concat(id) FROM posts_data;
-- Loaded after a query read the schema, trusted_schema=ON.
.open hostile.db
PRAGMA trusted_schema=ON;
SELECT count(*) FROM sqlite_master;
.load @LIB@
INSERT INTO chk VALUES(1);
INSERT INTO dft(x) VALUES(1);
INSERT INTO gv(x) VALUES(1);
SELECT y FROM gv;
INSERT INTO gs(x) VALUES(1);
INSERT INTO pi VALUES(1);
INSERT INTO pw VALUES(1);
INSERT INTO tr VALUES(1);
SELECT * FROM vw;
-- The victims, read without the extension.
.open hostile.db
SELECT group_concat(id) FROM posts_data;
-- Loaded after a query read the schema, trusted_schema=OFF.
.open hostile.db
PRAGMA trusted_schema=OFF;
SELECT count(*) FROM sqlite_master;
.load @LIB@
INSERT INTO chk VALUES(1);
INSERT INTO dft(x) VALUES(1);
INSERT INTO gv(x) VALUES(1);
SELECT y FROM gv;
INSERT INTO gs(x) VALUES(1);
INSERT INTO pi VALUES(1);
INSERT INTO pw VALUES(1);
INSERT INTO tr VALUES(1);
SELECT * FROM vw;
-- The victims, read without the extension.
.open hostile.db
SELECT group_concat(id) FROM posts_data;
-- Loaded twice, trusted_schema=ON.
.open hostile.db
PRAGMA trusted_schema=ON;
.load @LIB@
.load @LIB@
INSERT INTO chk VALUES(1);
INSERT INTO dft(x) VALUES(1);
INSERT INTO gv(x) VALUES(1);
SELECT y FROM gv;
INSERT INTO gs(x) VALUES(1);
INSERT INTO pi VALUES(1);
INSERT INTO pw VALUES(1);
INSERT INTO tr VALUES(1);
SELECT * FROM vw;
-- The victims, read without the extension.
.open hostile.db
SELECT group_concat(id) FROM posts_data;
-- Loaded twice, trusted_schema=OFF.
.open hostile.db
PRAGMA trusted_schema=OFF;
.load @LIB@
.load @LIB@
INSERT INTO chk VALUES(1);
INSERT INTO dft(x) VALUES(1);
INSERT INTO gv(x) VALUES(1);
SELECT y FROM gv;
INSERT INTO gs(x) VALUES(1);
INSERT INTO pi VALUES(1);
INSERT INTO pw VALUES(1);
INSERT INTO tr VALUES(1);
SELECT * FROM vw;
-- The victims, read without the extension.
.open hostile.db
SELECT group_concat(id) FROM posts_data;
