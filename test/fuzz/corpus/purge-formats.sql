-- sd_purge and sd_hard_delete in every marker format, clock moves.
SELECT sd_clock(1714564800);
DELETE FROM posts WHERE author_id = 3;
SELECT sd_purge('posts', '-1 hour'), sd_purge('posts', 1714500000);
SELECT sd_purge('group'), sd_purge('vüe ✓', '2024-01-01');
SELECT sd_purge('com"ments', '+1 day');
SELECT sd_clock(NULL), sd_clock();
DELETE FROM cats;
PRAGMA foreign_keys = OFF;
DELETE FROM cats;
SELECT sd_hard_delete('users', 5), sd_hard_delete('cats', 1);
SELECT sd_purge('users');
PRAGMA foreign_key_check;
