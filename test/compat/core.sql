-- core.sql: the main behaviours, run by scripts/compat.sh in older SQLite
-- hosts (3.31.1 and 3.39.2); the output must equal core.expected.
.bail off
.headers off
.mode list
.load @LIB@
SELECT sd_clock('2024-01-02 03:04:05.678');
PRAGMA foreign_keys=ON;
CREATE TABLE users_data(id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE);
CREATE TABLE posts_data(id INTEGER PRIMARY KEY, author INT REFERENCES users_data(id) ON DELETE CASCADE, slug TEXT, n INT DEFAULT 7);
CREATE TABLE "we""ird data"("spa ce" TEXT, "sélect" INT);
CREATE VIRTUAL TABLE users USING softdelete(users_data);
CREATE VIRTUAL TABLE posts USING softdelete(posts_data, format=unixepoch_ms);
CREATE VIRTUAL TABLE "we""ird" USING softdelete("we""ird data", column="gone at");
SELECT name FROM pragma_table_info('posts_data');
SELECT sd_unique('posts', 'slug');
INSERT INTO users(name) VALUES('ann'), ('bob');
INSERT INTO posts(author, slug) VALUES(1, 'a'), (1, 'b'), (2, 'c'), (2, 'd');
SELECT last_insert_rowid(), changes();
INSERT INTO "we""ird"("spa ce", "sélect") VALUES('x', 1), ('y', 2);
SELECT id, name FROM users WHERE name = 'ANN';
SELECT id, slug, n FROM posts WHERE id IN (1, 3, 4) ORDER BY id DESC;
SELECT id FROM posts ORDER BY id LIMIT 2 OFFSET 1;
SELECT u.name, count(*) FROM users u JOIN posts p ON p.author = u.id GROUP BY u.name;
UPDATE posts SET n = n + 1 WHERE author = 2;
SELECT id, n FROM posts;
DELETE FROM users WHERE id = 1;
SELECT changes();
SELECT id FROM users;
SELECT id FROM posts;
SELECT id, deleted_at, deleted_at_op IS NOT NULL FROM posts_data WHERE deleted_at IS NOT NULL;
SELECT count(DISTINCT deleted_at_op) FROM (SELECT deleted_at_op FROM users_data WHERE deleted_at_op IS NOT NULL UNION ALL SELECT deleted_at_op FROM posts_data WHERE deleted_at_op IS NOT NULL);
INSERT INTO posts(author, slug) VALUES(2, 'a');
INSERT INTO posts(id, slug) VALUES(1, 'z');
UPDATE posts SET deleted_at = 1;
SELECT sd_restore('users', 1);
DELETE FROM posts WHERE slug = 'a';
SELECT sd_restore('users', 1);
SELECT id, slug FROM posts ORDER BY id;
DELETE FROM "we""ird" WHERE "sélect" = 1;
SELECT "spa ce" FROM "we""ird";
SELECT "spa ce", "gone at" IS NOT NULL FROM "we""ird data";
SELECT sd_purge('"we""ird"');
SELECT sd_purge('we"ird');
SELECT count(*) FROM "we""ird data";
SELECT sd_hard_delete('posts', 3);
SELECT id FROM posts_data ORDER BY id;
SELECT sd_restore('nosuch', 1);
CREATE VIRTUAL TABLE bad USING softdelete(nosuch);
CREATE VIRTUAL TABLE bad USING softdelete(users_data, format=weekly);
SELECT sd_version() IS NOT NULL;
-- SQLite before 3.40 truncates the milliseconds it reads: 05.847 stays .847.
SELECT sd_clock('2024-05-03 12:03:05.847'), sd_clock('2024-05-03 12:03:05.8475');
SELECT sd_clock(NULL) IS NULL;
