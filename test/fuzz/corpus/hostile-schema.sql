-- Hostile schema rows planted with writable_schema (SPEC 16).
PRAGMA trusted_schema = OFF;
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = 'CREATE VIRTUAL TABLE posts USING softdelete(posts_data, column=author_id)' WHERE name = 'posts';
INSERT INTO sqlite_schema VALUES ('table', 'evil', 'evil', 0, 'CREATE VIRTUAL TABLE evil USING softdelete("users_data", column="id")');
INSERT INTO sqlite_schema VALUES ('trigger', 't1', 'audit', 0, 'CREATE TRIGGER t1 AFTER INSERT ON audit BEGIN SELECT sd_purge(''users''); END');
PRAGMA writable_schema = RESET;
DELETE FROM posts WHERE id = 1;
SELECT * FROM evil;
DELETE FROM evil;
INSERT INTO audit(note) VALUES ('x');
SELECT count(*) FROM users_data;
