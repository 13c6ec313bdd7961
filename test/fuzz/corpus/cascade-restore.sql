-- Cascades and exact restore across the setup's hostile names.
DELETE FROM users WHERE id = 1;
SELECT id, removed_at, removed_at_op FROM posts_data;
SELECT "i d", deleted_at FROM "com""ment data";
DELETE FROM "group" WHERE id = 1;
DELETE FROM users WHERE id = 4;
SELECT sd_restore('users', 1), sd_restore('users', 2);
SELECT sd_restore('"com""ments"', 3);
SELECT sd_restore('main.users', 2);
SELECT sd_restore('com"ments', 3);
SELECT sd_restore('vüe ✓', 2);
DELETE FROM "vüe ✓" WHERE id = 4;
SELECT * FROM "vüe ✓";
SELECT sd_restore('main.items', 2);
