-- Module arguments: every option, present and announced, good and bad.
CREATE TABLE o_data(id INTEGER PRIMARY KEY, is_deleted INTEGER NOT NULL DEFAULT 0, by TEXT);
CREATE VIRTUAL TABLE o USING softdelete(o_data, column=is_deleted, format=boolean, live=0);
CREATE VIRTUAL TABLE o_trash USING softdelete(o_data, show=deleted);
CREATE VIRTUAL TABLE o_all USING softdelete(o_data, show=all, actor=by, retain='30 days', guard=on);
CREATE VIRTUAL TABLE x1 USING softdelete(o_data /* c */ , -- c
  format = "unixepoch" , column = 'gone');
CREATE VIRTUAL TABLE x2 USING softdelete("o_data", format=unixepoch, format=datetime);
CREATE VIRTUAL TABLE x3 USING softdelete(o_data, colour=red);
CREATE VIRTUAL TABLE x4 USING softdelete();
CREATE VIRTUAL TABLE x5 USING softdelete(posts);
CREATE VIRTUAL TABLE x6 USING softdelete(live_posts);
SELECT sd_actor('me'), sd_purge_expired(), sd_purge_expired('o');
SELECT * FROM sd_operations;
UPDATE o_trash SET is_deleted = 0 WHERE deleted_at_op = 1;
SELECT sd_version();
