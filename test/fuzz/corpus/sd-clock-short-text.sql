CREATE TABLE c_data(id INTEGER PRIMARY KEY);
  CREATE VIRTUAL TABLE c USING softdelete(c_data);
  CREATE TABLE cm_data(id INTEGER PRIMARY KEY);
  CREATE VIRTUAL TABLE cm USING softdelete(cm_data, format=unixepoch_ms);
  INSERT INTO c VALUES(1), (2), (3), (4);
  INSERT INTO cm VALUES(1), (2);;
SELECT sd_clock() IS NULL, typeof(sd_clock());;
SELECT sd_clock('2024-05-06 07:08:09.123'), sd_clock();;
DELETE FROM c WHERE id=1;
  DELETE FROM cm WHERE id=1;
  SELECT deleted_at FROM c_data WHERE id=1;
  SELECT deleted_at FROM cm_data WHERE id=1;;
SELECT sd_clock(1700000000);
  DELETE FROM cm WHERE id=2;
  SELECT deleted_at FROM cm_data WHERE id=2;;
SELECT sd_clock(NULL) IS NULL, sd_clock() IS NULL;
  DELETE FROM c WHERE id=2;
  SELECT deleted_at <> '2023-11-14 22:13:20.000', length(deleted_at)
  FROM c_data WHERE id=2;;
SELECT sd_clock('2001-01-01');
SELECT sd_clock() IS NULL;
SELECT sd_clock('2002-02-02');
SELECT sd_clock();
SELECT sd_clock();
SELECT sd_clock('tomorrow-ish');
SELECT sd_clock('-1 day');
SELECT sd_clock(x'3230323400');

  SELECT sd_clock('')
