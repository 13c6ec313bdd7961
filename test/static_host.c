/*
** static_host.c: a program that links SQLite and the extension statically
** (libsoftdelete.a, built with -DSQLITE_CORE) and registers it with
** sqlite3_auto_extension(), as an application embedding both would.
** Prints "static host: ok" and exits 0 when soft delete and restore work.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

int sqlite3_softdelete_init(sqlite3*, char**, const sqlite3_api_routines*);

static int check(sqlite3 *db, const char *zSql, const char *zWant){
  sqlite3_stmt *pStmt = 0;
  const char *zGot = "(no row)";
  int ok;
  if( sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0) ){
    fprintf(stderr, "%s: %s\n", zSql, sqlite3_errmsg(db));
    return 0;
  }
  if( sqlite3_step(pStmt)==SQLITE_ROW ) zGot = (const char*)sqlite3_column_text(pStmt, 0);
  ok = zGot && strcmp(zGot, zWant)==0;
  if( !ok ) fprintf(stderr, "%s: got %s, want %s\n", zSql, zGot ? zGot : "NULL", zWant);
  sqlite3_finalize(pStmt);
  return ok;
}

/* zSql must fail with exactly zWant. */
static int checkErr(sqlite3 *db, const char *zSql, const char *zWant){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0), ok;
  if( rc==SQLITE_OK ){
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){}
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  ok = rc!=SQLITE_OK && strcmp(sqlite3_errmsg(db), zWant)==0;
  if( !ok ){
    fprintf(stderr, "%s: got %s, want error %s\n", zSql,
            rc ? sqlite3_errmsg(db) : "no error", zWant);
  }
  sqlite3_finalize(pStmt);
  return ok;
}

/*
** A dqlite node keeps its databases in a VFS named "dqlite-<n>" and runs a
** SELECT as a read it does not replicate: the data-changing functions
** refuse to run there outside a transaction. A copy of the default VFS
** under such a name stands in for it (examples/dqlite runs a real cluster).
*/
static int checkDqliteRefusal(void){
  static sqlite3_vfs dq;
  sqlite3 *db = 0;
  const char *zFile = "build/static_host_dq.db";
  static const char *azRefused[] = {
    "sd_restore", "SELECT sd_restore('t', 1)", ", or restore with an UPDATE of a show=deleted table",
    "sd_restore", "SELECT sd_restore('t', 1, 0)", ", or restore with an UPDATE of a show=deleted table",
    "sd_hard_delete", "SELECT sd_hard_delete('t', 1)", ", or purge with a DELETE on a show=deleted table",
    "sd_purge", "SELECT sd_purge('t')", ", or purge with a DELETE on a show=deleted table",
    "sd_purge", "SELECT sd_purge('t', '2999-01-01')", ", or purge with a DELETE on a show=deleted table",
    "sd_purge_expired", "SELECT sd_purge_expired()", ", or purge with a DELETE on a show=deleted table",
    "sd_purge_expired", "SELECT sd_purge_expired('t')", ", or purge with a DELETE on a show=deleted table",
    "sd_unique", "SELECT sd_unique('t', 'v')", "",
    "sd_index", "SELECT sd_index('t', 'v')", "",
  };
  int i, ok = 1;
  if( dq.zName==0 ){
    dq = *sqlite3_vfs_find(0);
    dq.zName = "dqlite-1";
    dq.pNext = 0;
    if( sqlite3_vfs_register(&dq, 0) ) return 0;
  }
  remove(zFile);
  if( sqlite3_open_v2(zFile, &db, SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, "dqlite-1")
   || sqlite3_exec(db,
        "PRAGMA journal_mode=WAL;"
        "CREATE TABLE t_data(id INTEGER PRIMARY KEY, v TEXT, "
        "  deleted_at INTEGER DEFAULT 0, deleted_at_op INTEGER);"
        "CREATE VIRTUAL TABLE t USING softdelete(t_data, live=0, retain='1 day');"
        "CREATE VIRTUAL TABLE t_trash USING softdelete(t_data, show=deleted);"
        "CREATE TABLE log(n);"
        "INSERT INTO t(id, v) VALUES(1, 'a'), (2, 'b');"
        "SELECT sd_clock('2020-01-01 00:00:00');"
        "DELETE FROM t WHERE id IN (1, 2);"
        "SELECT sd_clock(NULL);", 0, 0, 0) ){
    fprintf(stderr, "dqlite-named VFS: %s\n", sqlite3_errmsg(db));
    sqlite3_close(db);
    return 0;
  }
  for(i=0; i<(int)(sizeof(azRefused)/sizeof(azRefused[0])); i+=3){
    char *zWant = sqlite3_mprintf("softdelete: %s() called by a SELECT outside "
        "a transaction is refused on a dqlite node, which may run that SELECT "
        "as a read and never replicate its changes: run it between BEGIN and "
        "COMMIT%s", azRefused[i], azRefused[i+2]);
    ok &= checkErr(db, azRefused[i+1], zWant);
    sqlite3_free(zWant);
  }
  /* Nothing changed, and no transaction was left open. */
  ok &= check(db, "SELECT count(*) FROM t_trash", "2");
  ok &= check(db, "SELECT count(*) FROM sqlite_schema WHERE type='index' "
                  "AND name LIKE '%live%'", "0");
  ok &= check(db, "SELECT sd_actor('ops')", "ops");
  /* Statement forms and transactions work. */
  if( sqlite3_exec(db, "UPDATE t_trash SET deleted_at = 0 WHERE id = 1", 0, 0, 0) ){
    fprintf(stderr, "trash UPDATE: %s\n", sqlite3_errmsg(db));
    ok = 0;
  }
  ok &= check(db, "SELECT count(*) FROM t", "1");
  if( sqlite3_exec(db, "BEGIN", 0, 0, 0) ) ok = 0;
  ok &= check(db, "SELECT sd_restore('t', 2)", "1");
  ok &= check(db, "SELECT sd_unique('t', 'v')", "t_data_v_live_unique");
  if( sqlite3_exec(db, "COMMIT", 0, 0, 0) ) ok = 0;
  if( sqlite3_exec(db, "DELETE FROM t WHERE id = 2", 0, 0, 0) ) ok = 0;
  ok &= check(db, "INSERT INTO log SELECT sd_restore('t', 2) RETURNING n", "1");
  ok &= check(db, "SELECT count(*) FROM t", "2");
  /* No write, nothing refused: an index that is there already (a migration
  ** run again), and sd_purge_expired() where no table has retain=. */
  ok &= check(db, "SELECT sd_unique('t', 'v')", "t_data_v_live_unique");
  ok &= checkErr(db, "SELECT sd_index('t', 'v')", "softdelete: sd_index() called "
      "by a SELECT outside a transaction is refused on a dqlite node, which may "
      "run that SELECT as a read and never replicate its changes: run it "
      "between BEGIN and COMMIT");
  if( sqlite3_exec(db, "DROP TABLE t", 0, 0, 0)
   || sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING softdelete(t_data, live=0)",
                   0, 0, 0) ){
    fprintf(stderr, "dqlite-named VFS: %s\n", sqlite3_errmsg(db));
    ok = 0;
  }
  ok &= check(db, "SELECT sd_purge_expired()", "0");
  sqlite3_close(db);
  db = 0;

  /* Judged per schema: an ordinary main database with a dqlite-kept one
  ** attached. sd_purge_expired() may purge any schema: any refuses. */
  if( sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE|SQLITE_OPEN_URI, 0)
   || sqlite3_exec(db,
        "ATTACH 'file:build/static_host_dq.db?vfs=dqlite-1' AS aux;"
        "CREATE TABLE aux.a_data(id INTEGER PRIMARY KEY, v TEXT);"
        "CREATE VIRTUAL TABLE aux.a USING softdelete(a_data, retain='1 day');"
        "CREATE TABLE m_data(id INTEGER PRIMARY KEY, v TEXT);"
        "CREATE VIRTUAL TABLE m USING softdelete(m_data);"
        "INSERT INTO aux.a VALUES(1, 'x'); INSERT INTO m VALUES(1, 'y');"
        "DELETE FROM aux.a; DELETE FROM m;", 0, 0, 0) ){
    fprintf(stderr, "dqlite-named VFS attached: %s\n", sqlite3_errmsg(db));
    ok = 0;
  }else{
    ok &= checkErr(db, "SELECT sd_restore('aux.a', 1)", "softdelete: sd_restore() "
        "called by a SELECT outside a transaction is refused on a dqlite node, "
        "which may run that SELECT as a read and never replicate its changes: "
        "run it between BEGIN and COMMIT, or restore with an UPDATE of a "
        "show=deleted table");
    ok &= checkErr(db, "SELECT sd_purge_expired()", "softdelete: "
        "sd_purge_expired() called by a SELECT outside a transaction is refused "
        "on a dqlite node, which may run that SELECT as a read and never "
        "replicate its changes: run it between BEGIN and COMMIT, or purge with "
        "a DELETE on a show=deleted table");
    ok &= check(db, "SELECT sd_restore('m', 1)", "1");
    ok &= check(db, "SELECT count(*) FROM aux.a_data WHERE deleted_at IS NULL", "0");
  }
  sqlite3_close(db);
  remove(zFile);
  {
    char z[64];
    snprintf(z, sizeof(z), "%s-wal", zFile);
    remove(z);
    snprintf(z, sizeof(z), "%s-shm", zFile);
    remove(z);
  }
  if( !ok ) fprintf(stderr, "dqlite refusal: FAILED\n");
  return ok;
}

int main(void){
  sqlite3 *db = 0;
  char *zErr = 0;
  int ok = 1;
  sqlite3_auto_extension((void(*)(void))sqlite3_softdelete_init);
  if( sqlite3_open(":memory:", &db) ){ fprintf(stderr, "open failed\n"); return 1; }
  if( sqlite3_exec(db,
        "CREATE TABLE t_data(id INTEGER PRIMARY KEY, v TEXT);"
        "CREATE VIRTUAL TABLE t USING softdelete(t_data);"
        "INSERT INTO t(v) VALUES('a'),('b');"
        "DELETE FROM t WHERE v='a';", 0, 0, &zErr) ){
    fprintf(stderr, "setup: %s\n", zErr);
    return 1;
  }
  ok &= check(db, "SELECT count(*) FROM t", "1");
  ok &= check(db, "SELECT count(*) FROM t_data WHERE deleted_at IS NOT NULL", "1");
  ok &= check(db, "SELECT sd_restore('t', 1)", "1");
  ok &= check(db, "SELECT group_concat(v) FROM t", "a,b");

  /* Restore and purge through a trash table are write statements, which
  ** routers, pools and replicated hosts send as writes; a SELECT calling
  ** sd_restore() is not, whatever it does. */
  {
    static const struct { const char *zSql; int bReadonly; } aRo[] = {
      { "UPDATE t_trash SET deleted_at = NULL WHERE id = 1", 0 },
      { "DELETE FROM t_trash WHERE id = 1", 0 },
      { "DELETE FROM t WHERE id = 1", 0 },
      { "SELECT * FROM t_trash", 1 },
      { "SELECT * FROM sd_operations", 1 },
      { "SELECT sd_restore('t', 1)", 1 },
    };
    int i;
    if( sqlite3_exec(db, "CREATE VIRTUAL TABLE t_trash USING "
                     "softdelete(t_data, show=deleted)", 0, 0, &zErr) ){
      fprintf(stderr, "trash: %s\n", zErr);
      return 1;
    }
    for(i=0; i<(int)(sizeof(aRo)/sizeof(aRo[0])); i++){
      sqlite3_stmt *pStmt = 0;
      if( sqlite3_prepare_v2(db, aRo[i].zSql, -1, &pStmt, 0) ){
        fprintf(stderr, "%s: %s\n", aRo[i].zSql, sqlite3_errmsg(db));
        ok = 0;
      }else if( sqlite3_stmt_readonly(pStmt)!=aRo[i].bReadonly ){
        fprintf(stderr, "%s: sqlite3_stmt_readonly() is %d\n", aRo[i].zSql,
                sqlite3_stmt_readonly(pStmt));
        ok = 0;
      }
      sqlite3_finalize(pStmt);
    }
  }
  sqlite3_close(db);

  /* 2026-12-07: registered this way, the extension's set-up read the schema
  ** inside sqlite3_open(), before a busy timeout could be set, so a lock
  ** held by another connection failed the open with SQLITE_BUSY. */
  {
    sqlite3 *pHolder = 0, *pOther = 0;
    const char *zFile = "build/static_host.db";
    int rc;
    remove(zFile);
    if( sqlite3_open(zFile, &pHolder)
     || sqlite3_exec(pHolder, "CREATE TABLE t(x); BEGIN EXCLUSIVE; "
                     "INSERT INTO t VALUES(1);", 0, 0, 0) ){
      fprintf(stderr, "lock holder: %s\n", sqlite3_errmsg(pHolder));
      ok = 0;
    }
    rc = sqlite3_open(zFile, &pOther);
    if( rc ){
      fprintf(stderr, "open while another connection holds a lock: %s\n",
              sqlite3_errmsg(pOther));
      ok = 0;
    }else{
      ok &= check(pOther, "SELECT sd_version() IS NOT NULL", "1");
    }
    sqlite3_close(pOther);
    sqlite3_close(pHolder);
    remove(zFile);
  }
  /* Text of a one-row plan is handed to SQLite in a buffer of the
  ** connection's pool, which SQLite returns when done with it. A value
  ** still held when the module goes away (sqlite3_drop_modules, then the
  ** virtual table dropped) stays valid and is freed when released. Run
  ** under valgrind or ASan to see the memory side. */
  {
    sqlite3 *pDb = 0;
    sqlite3_stmt *pSel = 0;
    const char *z;
    if( sqlite3_open(":memory:", &pDb)
     || sqlite3_exec(pDb,
          "CREATE TABLE v_data(id INTEGER PRIMARY KEY, t TEXT);"
          "CREATE VIRTUAL TABLE v USING softdelete(v_data);"
          "INSERT INTO v VALUES(1, 'held after the module is gone');",
          0, 0, 0)
     || sqlite3_prepare_v2(pDb, "SELECT t FROM v WHERE id=1", -1, &pSel, 0)
     || sqlite3_step(pSel)!=SQLITE_ROW ){
      fprintf(stderr, "pooled value: %s\n", sqlite3_errmsg(pDb));
      ok = 0;
    }else{
      sqlite3_drop_modules(pDb, 0);
      sqlite3_exec(pDb, "DROP TABLE v", 0, 0, 0);   /* may be refused: busy */
      z = (const char*)sqlite3_column_text(pSel, 0);
      if( z==0 || strcmp(z, "held after the module is gone")!=0 ){
        fprintf(stderr, "pooled value: got %s\n", z ? z : "NULL");
        ok = 0;
      }
      sqlite3_finalize(pSel);
      pSel = 0;
      if( sqlite3_exec(pDb, "DROP TABLE IF EXISTS v", 0, 0, 0)==SQLITE_OK ){
        /* The module is gone: the table cannot be read any more. */
        ok &= check(pDb, "SELECT count(*) FROM v_data", "1");
      }
    }
    sqlite3_finalize(pSel);
    sqlite3_close(pDb);
  }
  ok &= checkDqliteRefusal();
  puts(ok ? "static host: ok" : "static host: FAILED");
  return ok ? 0 : 1;
}
