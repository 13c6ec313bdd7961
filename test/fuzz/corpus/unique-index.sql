-- Live-unique and live indexes, OR REPLACE, RETURNING, UPSERT on the base.
SELECT sd_unique('com"ments', 'po st', 'text');
SELECT sd_index('vüe ✓', 'naïve'), sd_index('group', 'select', 'from');
SELECT sd_unique('users', 'email', 'name');
INSERT INTO users(email) VALUES ('bob@example.com') RETURNING rowid, id;
SELECT sd_restore('users', 2);
INSERT OR REPLACE INTO users(id, email, name) VALUES (3, 'ada@example.com', 'Cy');
INSERT OR IGNORE INTO users(email) VALUES ('ada@example.com');
UPDATE OR REPLACE users SET email = 'cy@example.com' WHERE id = 1;
INSERT INTO users_data(email, name) VALUES ('ada@example.com', 'x')
  ON CONFLICT(email) WHERE deleted_at IS NULL DO UPDATE SET name = excluded.name;
SELECT * FROM users ORDER BY email COLLATE NOCASE DESC LIMIT 2 OFFSET 1;
