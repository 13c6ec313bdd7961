-- quickstart.sql: a tour of softdelete. Run from the repository root:
--   make demo     (or: sqlite3 -bail -box :memory: < examples/quickstart.sql)
.load ./softdelete
PRAGMA foreign_keys = ON;
.print '== Pin the deletion clock, so that every run prints the same times'
SELECT sd_clock('2024-05-01 12:00:00') AS clock;

.print '== 1. Two ordinary tables (the base tables), each wrapped by softdelete'
CREATE TABLE users_data(id INTEGER PRIMARY KEY, email TEXT NOT NULL);
CREATE TABLE posts_data(id INTEGER PRIMARY KEY, title TEXT,
  author_id INTEGER REFERENCES users_data(id) ON DELETE CASCADE);
CREATE VIRTUAL TABLE users USING softdelete(users_data, actor=deleted_by);
CREATE VIRTUAL TABLE posts USING softdelete(posts_data, actor=deleted_by);
INSERT INTO users(email) VALUES ('ada@example.com'), ('bob@example.com');
INSERT INTO posts(title, author_id)
  VALUES ('Engines', 1), ('Notes', 1), ('Hello', 2);
SELECT * FROM posts;

.print '== 2. DELETE marks rows deleted: post 2 alone, then Ada with her posts'
DELETE FROM posts WHERE id = 2;
DELETE FROM users WHERE id = 1;
SELECT * FROM users;
SELECT * FROM posts;
.print '== The base tables still hold every row, with the time and the operation'
SELECT id, title, deleted_at FROM posts_data;
SELECT count(*) AS deleted_rows, count(DISTINCT deleted_at_op) AS operations
  FROM (SELECT deleted_at_op FROM users_data WHERE deleted_at IS NOT NULL
        UNION ALL
        SELECT deleted_at_op FROM posts_data WHERE deleted_at IS NOT NULL);

.print '== 3. sd_restore() brings Ada back with what her DELETE cascaded to;'
.print '==    post 2, deleted by another operation, stays deleted'
SELECT sd_restore('users', 1) AS rows_restored;
SELECT * FROM posts;

.print '== 4. A unique key over live rows only: a deleted key is free again'
SELECT sd_unique('users', 'email') AS index_name;
DELETE FROM users WHERE id = 2;
INSERT INTO users(email) VALUES ('bob@example.com');
SELECT * FROM users;
SELECT id, email, deleted_at FROM users_data;

.print '== 5. Six weeks later: purge the rows deleted more than 30 days ago'
SELECT sd_clock('2024-06-15 12:00:00') AS clock;
SELECT sd_purge('users', '-30 days') AS users_purged;
SELECT sd_purge('posts', '-30 days') AS posts_purged;
.print "== (SQLite's own ON DELETE CASCADE removed the purged user's post 3)"
SELECT id, title, author_id, deleted_at FROM posts_data;

.print '== 6. The trash as a table: who deleted what, and undo of one operation'
CREATE VIRTUAL TABLE posts_trash USING softdelete(posts_data, show=deleted);
CREATE VIRTUAL TABLE users_trash USING softdelete(users_data, show=deleted);
SELECT sd_actor('alice') AS actor;
DELETE FROM users WHERE id = 1;
SELECT id, title, deleted_at FROM posts_trash;
SELECT tbl, deleted_at, actor, "rows" FROM sd_operations ORDER BY deleted_at, tbl;
UPDATE users_trash SET deleted_at = NULL
 WHERE deleted_at_op = (SELECT op FROM sd_operations
                        WHERE tbl = 'users' AND actor = 'alice');
SELECT changes() AS rows_matched;
SELECT * FROM posts;

.print '== 7. The marker belongs to softdelete: this INSERT fails'
.bail off
INSERT INTO users(email, deleted_at) VALUES ('eve@example.com', '2024-01-01');
