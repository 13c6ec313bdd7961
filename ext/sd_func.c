/*
** sd_func.c: the SQL functions.
**
**   sd_restore(tbl, rowid)       restore a row and what its operation cascaded to
**   sd_hard_delete(tbl, rowid)   delete a row for good (SQLite's FK actions apply)
**   sd_purge(tbl [, before])     delete for good the rows deleted before a time
**   sd_unique(tbl, col, ...)     unique index over live rows
**   sd_index(tbl, col, ...)      index over live rows
**   sd_clock([t])                pin (or unpin, t NULL) the deletion clock
**   sd_version()                 the extension's version
**
** tbl names a softdelete virtual table, optionally as "schema.name". A call
** that fails changes nothing: sd_hard_delete, sd_purge, sd_unique and
** sd_index each make one nested write statement, atomic by itself and
** waiting for the write lock like any statement; sd_restore, which may write
** many rows of several tables, runs in a transaction of its own that takes
** the write lock first (or a savepoint inside the caller's; see SdTxn), and
** undoes a failed call with the journal (sd_cascade.c) in any case.
**
** No function that changes data, the schema or the clock runs while a
** schema of the connection (but temp) calls one: sdSchemaAllows().
*/
#include "softdelete.h"

/* The functions that change data, schema or the clock (SQLITE_DIRECTONLY). */
static const char *const azGuarded[] = {
  "sd_restore", "sd_hard_delete", "sd_purge", "sd_unique", "sd_index", "sd_clock",
  "sd_statement_memory", "sd_actor", "sd_purge_expired"
};
#define SD_NGUARDED ((int)(sizeof(azGuarded)/sizeof(azGuarded[0])))

static void sdResultErr(sqlite3_context *ctx, int rc, char *zErr){
  sqlite3_result_error(ctx, zErr ? zErr : sqlite3_errstr(rc), -1);
  if( rc!=SQLITE_ERROR ) sqlite3_result_error_code(ctx, rc);
  sqlite3_free(zErr);
}

/*
** May function zFunc run on this connection? Not when a database file's
** schema calls one of the guarded functions. They are SQLITE_DIRECTONLY, but
** SQLite enforces that only while it resolves an expression: not for an
** expression of the schema resolved before the extension was loaded (an
** index, CHECK, DEFAULT or generated column read with the functions absent
** runs them later unchecked), and, before 3.50.0, never for a volatile
** function in a CHECK constraint. So the schema text itself is read: every
** schema but temp (which only the application writes) must not name a
** guarded function as a call. Returns 1 if the call may go on; otherwise the
** error is set on ctx.
*/
static int sdSchemaAllows(sqlite3_context *ctx, SdConn *pConn, const char *zFunc){
  sqlite3 *db = pConn->db;
  sqlite3_stmt *pList = 0, *pObj = 0;
  char *zErr = 0;
  int rc;
  rc = sdPrepare(db, &pList, 0, "SELECT name FROM pragma_database_list "
                 "WHERE name<>'temp'");
  while( rc==SQLITE_OK && zErr==0 && (rc = sqlite3_step(pList))==SQLITE_ROW ){
    const char *zDb;
    rc = SQLITE_OK;
    zDb = sdColumnText(pList, 0, &rc);
    if( rc ) break;
    rc = sdPrepare(db, &pObj, 0, "SELECT type, name, CAST(sql AS TEXT) FROM "
                   "\"%w\".sqlite_master WHERE sql IS NOT NULL", zDb);
    while( rc==SQLITE_OK && zErr==0 && (rc = sqlite3_step(pObj))==SQLITE_ROW ){
      const char *zType, *zName, *zSql;
      int iCall;
      rc = SQLITE_OK;
      zType = sdColumnText(pObj, 0, &rc);
      zName = sdColumnText(pObj, 1, &rc);
      zSql = sdColumnText(pObj, 2, &rc);
      if( rc ) break;
      iCall = sdFindCall(zSql, azGuarded, SD_NGUARDED);
      if( iCall>=0 ){
        zErr = sqlite3_mprintf("softdelete: %s() refused: %s %s of schema %s "
            "calls %s() in its definition, and a database file must never run "
            "softdelete's functions; drop that %s, or use the file without "
            "loading softdelete", zFunc, zType, zName, zDb, azGuarded[iCall],
            zType);
        if( zErr==0 ) rc = SQLITE_NOMEM;
      }
    }
    if( rc==SQLITE_DONE || rc==SQLITE_ROW ) rc = SQLITE_OK;
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pObj);
    else sqlite3_finalize(pObj);
    pObj = 0;
  }
  if( rc==SQLITE_DONE || rc==SQLITE_ROW ) rc = SQLITE_OK;
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pList);
  else sqlite3_finalize(pList);
  if( rc ){
    sqlite3_free(zErr);
    sdResultErr(ctx, rc, sqlite3_mprintf("softdelete: %s() cannot read the "
        "schema: %s", zFunc, rc==SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db)));
    return 0;
  }
  if( zErr ){
    sdResultErr(ctx, SQLITE_ERROR, zErr);
    return 0;
  }
  return 1;
}

/* Free a table a function looked up, with the cascade graph it built. */
static void sdFuncRelease(SdVtab *p){
  if( p ){
    sdGraphFree(p->pGraph);
    sdTableFree(p);
  }
}

/* Check the table argument and build its SdVtab. */
static SdVtab *sdFuncTable(sqlite3_context *ctx, const char *zFunc, sqlite3_value *v){
  SdConn *pConn = (SdConn*)sqlite3_user_data(ctx);
  SdVtab *p = 0;
  char *zErr = 0;
  int rc;
  pConn->iGen++;
  if( !sdSchemaAllows(ctx, pConn, zFunc) ) return 0;
  if( sqlite3_value_type(v)!=SQLITE_TEXT ){
    char *z = sqlite3_mprintf("softdelete: %s() expects the name of a softdelete "
                              "table as its first argument", zFunc);
    sqlite3_result_error(ctx, z ? z : "out of memory", -1);
    sqlite3_free(z);
    return 0;
  }
  rc = sdFindVtab(pConn->db, pConn, (const char*)sqlite3_value_text(v), 0, &p, &zErr);
  if( rc ){
    sqlite3_result_error(ctx, zErr ? zErr : sqlite3_errstr(rc), -1);
    if( rc!=SQLITE_ERROR ) sqlite3_result_error_code(ctx, rc);
    sqlite3_free(zErr);
    return 0;
  }
  return p;
}

/* Read an integer rowid argument. */
static int sdFuncRowid(sqlite3_context *ctx, const char *zFunc, sqlite3_value *v,
                       i64 *piRowid){
  int t = sqlite3_value_numeric_type(v);
  if( t==SQLITE_INTEGER ){
    *piRowid = sqlite3_value_int64(v);
    return 1;
  }
  if( t==SQLITE_FLOAT ){
    double r = sqlite3_value_double(v);
    if( r>=-9.2e18 && r<=9.2e18 && r==(double)(i64)r ){ *piRowid = (i64)r; return 1; }
  }
  {
    char *z = sqlite3_mprintf("softdelete: %s() expects a rowid (an integer) as "
                              "its second argument", zFunc);
    sqlite3_result_error(ctx, z ? z : "out of memory", -1);
    sqlite3_free(z);
  }
  return 0;
}

/*
** The write transaction of a data-changing function. SQLite rates
** "SELECT sd_restore(...)" a read: left to itself, the first nested write
** would upgrade a read transaction, which never waits on busy_timeout. So:
**   SD_TXN_BEGIN      autocommit: BEGIN IMMEDIATE takes the write lock first
**                     (waiting like any write), COMMIT or ROLLBACK at the end;
**   SD_TXN_SAVEPOINT  inside the caller's transaction: a savepoint, rolled
**                     back on failure;
**   SD_TXN_NONE       inside a statement that is itself writing (INSERT ...
**                     SELECT sd_restore(...)), where SQLite allows neither:
**                     the statement's own transaction, and the journal
**                     (sd_cascade.c) undoes a failed call.
** The statements that undo are prepared before anything begins: after an
** allocation fails in a nested statement, SQLite refuses to prepare any
** other until the calling statement ends, and a statement such as
** "SELECT sd_restore('t', 1)", which reads no table, does not roll back
** when it fails. A prepared ROLLBACK still runs.
*/
#define SD_TXN_NONE      0
#define SD_TXN_BEGIN     1
#define SD_TXN_SAVEPOINT 2

typedef struct SdTxn SdTxn;
struct SdTxn {
  int eTxn;                 /* SD_TXN_* */
  sqlite3_stmt *pCommit;    /* COMMIT, or RELEASE of the savepoint */
  sqlite3_stmt *pUndo;      /* ROLLBACK, or ROLLBACK TO the savepoint */
  sqlite3_stmt *pRollback;  /* ROLLBACK of everything: the last resort */
  SdConn *pConn;            /* Its SdConn.nGuard is raised until the end */
};

/* Is a statement of this connection busy writing? */
static int sdWriterBusy(sqlite3 *db){
  sqlite3_stmt *pS = 0;
  while( (pS = sqlite3_next_stmt(db, pS))!=0 ){
    if( sqlite3_stmt_busy(pS) && !sqlite3_stmt_readonly(pS) ) return 1;
  }
  return 0;
}

/*
** Is database zDb of db (or, zDb NULL, any of its databases) kept by a
** dqlite node? dqlite registers its VFS as "dqlite-<n>". Up to 1.15.0 it
** runs a statement a client sends as a query on a path that never
** replicates, and later versions send a query there when SQLite rates it
** read-only: a SELECT that calls a data-changing function outside
** BEGIN ... COMMIT would change the leader alone, and the leader's next
** write fails (dqlite 1.11 aborts). SQLite has no way to rate such a SELECT
** a write, so the function refuses (sdDqliteCheck, sdIndexImpl);
** docs/replication.md. *pbOn is set; the result is an SQLite code.
*/
static int sdOnDqlite(sqlite3 *db, const char *zDb, int *pbOn){
  sqlite3_stmt *pList = 0;
  int rc = SQLITE_OK;
  *pbOn = 0;
  if( zDb==0 ){
    rc = sqlite3_prepare_v2(db, "PRAGMA database_list", -1, &pList, 0);
    if( rc ) return rc;
  }
  while( rc==SQLITE_OK && !*pbOn ){
    sqlite3_vfs *pVfs = 0;
    const char *z = zDb;
    if( pList ){
      if( sqlite3_step(pList)!=SQLITE_ROW ) break;
      z = (const char*)sqlite3_column_text(pList, 1);
      if( z==0 ){ rc = SQLITE_NOMEM; break; }
    }
    if( sqlite3_file_control(db, z, SQLITE_FCNTL_VFS_POINTER, &pVfs)==SQLITE_OK
     && pVfs && pVfs->zName && strncmp(pVfs->zName, "dqlite-", 7)==0 ){
      *pbOn = 1;
    }
    if( pList==0 ) break;
  }
  if( pList ){
    int rc2 = sqlite3_finalize(pList);
    if( rc==SQLITE_OK ) rc = rc2;
  }
  return rc;
}

/* The error of a data-changing function called where dqlite might not
** replicate it (sdOnDqlite). */
static char *sdDqliteError(const char *zFunc){
  const char *zForm =
      sqlite3_stricmp(zFunc, "sd_restore")==0 ?
        ", or restore with an UPDATE of a show=deleted table" :
      sqlite3_stricmp(zFunc, "sd_index")==0
        || sqlite3_stricmp(zFunc, "sd_unique")==0 ? "" :
        ", or purge with a DELETE on a show=deleted table";
  return sqlite3_mprintf("softdelete: %s() called by a SELECT outside a "
      "transaction is refused on a dqlite node, which may run that SELECT as "
      "a read and never replicate its changes: run it between BEGIN and "
      "COMMIT%s", zFunc, zForm);
}

/*
** Refuse a data-changing function on a dqlite node (sdOnDqlite) unless a
** transaction of the caller's or a writing statement carries its changes.
** SQLITE_OK if it may go on; else an error, with *pzErr set.
*/
static int sdDqliteCheck(sqlite3 *db, const char *zFunc, const char *zDb,
                         char **pzErr){
  int bOn = 0, rc;
  if( !sqlite3_get_autocommit(db) || sdWriterBusy(db) ) return SQLITE_OK;
  rc = sdOnDqlite(db, zDb, &bOn);
  if( rc==SQLITE_OK && bOn ){
    *pzErr = sdDqliteError(zFunc);
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  return rc;
}

/* Run a prepared statement of an SdTxn once. */
static int sdTxnStep(sqlite3_stmt *pStmt){
  sqlite3_step(pStmt);
  return sqlite3_reset(pStmt);
}

/* Begin a function's write transaction (see SD_TXN_*). */
static int sdFuncBegin(SdConn *pConn, const char *zFunc, const char *zDb,
                       SdTxn *pT, char **pzErr){
  sqlite3 *db = pConn->db;
  int rc = SQLITE_OK;
  memset(pT, 0, sizeof(*pT));
  if( sdWriterBusy(db) ){
    pT->pConn = pConn;
    pConn->nGuard++;
    return SQLITE_OK;
  }
  if( sqlite3_get_autocommit(db) ){
    /* zDb: the schema written; NULL: any (sd_purge_expired). */
    if( (rc = sdDqliteCheck(db, zFunc, zDb, pzErr))!=SQLITE_OK ){
      if( *pzErr==0 ){
        *pzErr = sqlite3_mprintf("softdelete: %s() cannot begin the write: %s",
                                 zFunc, sdErrMsg(db, rc));
      }
      return rc;
    }
    pT->eTxn = SD_TXN_BEGIN;
    rc = sqlite3_prepare_v2(db, "COMMIT", -1, &pT->pCommit, 0);
    if( rc==SQLITE_OK ) rc = sqlite3_prepare_v2(db, "ROLLBACK", -1, &pT->pUndo, 0);
    if( rc==SQLITE_OK ) rc = sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
  }else{
    pT->eTxn = SD_TXN_SAVEPOINT;
    rc = sqlite3_prepare_v2(db, "RELEASE softdelete_fn", -1, &pT->pCommit, 0);
    if( rc==SQLITE_OK ){
      rc = sqlite3_prepare_v2(db, "ROLLBACK TO softdelete_fn", -1, &pT->pUndo, 0);
    }
    if( rc==SQLITE_OK ) rc = sqlite3_prepare_v2(db, "ROLLBACK", -1, &pT->pRollback, 0);
    if( rc==SQLITE_OK ) rc = sqlite3_exec(db, "SAVEPOINT softdelete_fn", 0, 0, 0);
  }
  if( rc ){
    *pzErr = sqlite3_mprintf("softdelete: cannot begin the write: %s",
                             sqlite3_errmsg(db));
    sqlite3_finalize(pT->pCommit);
    sqlite3_finalize(pT->pUndo);
    sqlite3_finalize(pT->pRollback);
    memset(pT, 0, sizeof(*pT));
  }else{
    /* The writes to come are softdelete's own: guard=on lets them by. */
    pT->pConn = pConn;
    pConn->nGuard++;
  }
  return rc;
}

/*
** End a function's write transaction: commit when rc is SQLITE_OK, roll back
** otherwise. Returns rc, or the error of the commit (then rolled back, so
** that a failed call leaves neither changes nor an open transaction).
*/
static int sdFuncEnd(sqlite3 *db, SdTxn *pT, int rc, char **pzErr){
  if( pT->pConn ) pT->pConn->nGuard--;
  if( pT->eTxn!=SD_TXN_NONE ){
    if( rc==SQLITE_OK && (rc = sdTxnStep(pT->pCommit))!=SQLITE_OK ){
      sqlite3_free(*pzErr);
      *pzErr = sqlite3_mprintf("softdelete: cannot %s: %s",
          pT->eTxn==SD_TXN_BEGIN ? "commit" : "release the savepoint",
          sqlite3_errmsg(db));
    }
    /* SQLite may have rolled back already (an I/O error, out of memory). */
    if( rc && !sqlite3_get_autocommit(db) ){
      if( pT->eTxn==SD_TXN_BEGIN ){
        sdTxnStep(pT->pUndo);
      }else if( sdTxnStep(pT->pUndo)==SQLITE_OK ){
        sdTxnStep(pT->pCommit);
      }else if( !sqlite3_get_autocommit(db) ){
        /* This call could not be undone alone: undo the transaction, so
        ** that no half-done call survives. */
        sdTxnStep(pT->pRollback);
      }
    }
  }
  sqlite3_finalize(pT->pCommit);
  sqlite3_finalize(pT->pUndo);
  sqlite3_finalize(pT->pRollback);
  memset(pT, 0, sizeof(*pT));
  return rc;
}

/* The error of a failed nested statement, as "softdelete: <what>: <why>". */
static char *sdStmtError(sqlite3 *db, int rc, const char *zWhat){
  return sqlite3_mprintf("softdelete: %s: %s", zWhat,
                         rc==SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
}

static void sdRestoreFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  SdVtab *p;
  i64 iRowid;
  int n = 0, rc;
  char *zErr = 0;
  SdJournal j;
  SdTxn txn;
  int bCascade = 1;
  if( (p = sdFuncTable(ctx, "sd_restore", argv[0]))==0 ) return;
  if( !sdFuncRowid(ctx, "sd_restore", argv[1], &iRowid) ){ sdFuncRelease(p); return; }
  if( argc==3 ){
    /* 1: with the rows its deletion cascaded to (the default); 0: alone. */
    sqlite3_value *v = argv[2];
    int t = sqlite3_value_numeric_type(v);
    double r = t==SQLITE_FLOAT ? sqlite3_value_double(v) : -1.0;
    if( t==SQLITE_FLOAT && (r==0.0 || r==1.0) ){
      bCascade = r==1.0;           /* 1.0: a whole number */
    }else if( t!=SQLITE_INTEGER
     || (sqlite3_value_int64(v)!=0 && sqlite3_value_int64(v)!=1) ){
      const char *z = sqlite3_value_type(v)==SQLITE_BLOB ? "a blob"
                    : (const char*)sqlite3_value_text(v);
      if( z==0 && sqlite3_value_type(v)!=SQLITE_NULL ){
        sqlite3_result_error_nomem(ctx);
      }else{
        sdResultErr(ctx, SQLITE_ERROR, sqlite3_mprintf("softdelete: sd_restore() "
            "takes 1 (restore the rows its deletion cascaded to as well, the "
            "default) or 0 (this row alone) as its third argument; got %s",
            z ? z : "NULL"));
      }
      sdFuncRelease(p);
      return;
    }else{
      bCascade = sqlite3_value_int(v);
    }
  }
  sdJournalInit(&j);
  rc = sdFuncBegin(p->pConn, "sd_restore", p->zDb, &txn, &zErr);
  if( rc==SQLITE_OK ){
    rc = sdRestore(p, iRowid, bCascade, 0, &j, &n, &zErr);
    rc = sdFuncEnd(p->db, &txn, rc, &zErr);
  }
  sdJournalClear(&j);
  if( rc ) sdResultErr(ctx, rc, zErr);
  else sqlite3_result_int(ctx, n);
  sdFuncRelease(p);
}

static void sdHardDeleteFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  SdVtab *p;
  i64 iRowid, nRemoved = 0;
  int rc;
  char *zErr = 0;
  SdTxn txn;
  (void)argc;
  if( (p = sdFuncTable(ctx, "sd_hard_delete", argv[0]))==0 ) return;
  if( !sdFuncRowid(ctx, "sd_hard_delete", argv[1], &iRowid) ){ sdFuncRelease(p); return; }
  /* The row, with the deleted rows its operation cascaded to (sdPurge):
  ** several writes, so in a transaction of its own (or a savepoint). */
  rc = sdFuncBegin(p->pConn, "sd_hard_delete", p->zDb, &txn, &zErr);
  if( rc==SQLITE_OK ){
    rc = sdPurge(p, iRowid, 0, txn.eTxn==SD_TXN_NONE, &nRemoved, &zErr);
    rc = sdFuncEnd(p->db, &txn, rc, &zErr);
  }
  if( rc ){
    sdResultErr(ctx, (rc & 0xff)==SQLITE_CONSTRAINT ? SQLITE_ERROR : rc, zErr);
  }else if( nRemoved==0 ){
    sdResultErr(ctx, SQLITE_ERROR, sqlite3_mprintf("softdelete: %s has no row "
                "%lld", p->zName, iRowid));
  }else{
    sqlite3_result_int64(ctx, nRemoved);
  }
  sdFuncRelease(p);
}

static int sdIsDigit(char c){ return c>='0' && c<='9'; }

/*
** SQLite before 3.40 truncates the milliseconds of a time it reads
** ('12:00:05.847' became 05.846). Split "HH:MM:SS.fff" into the time
** without its fraction, which every version reads exactly, and the fraction
** in milliseconds (rounded, as current versions do). *pzRest is NULL when
** the text has no fraction of seconds.
*/
static int sdSplitFraction(const char *z, char **pzRest, i64 *pMs){
  int i, j;
  *pzRest = 0;
  *pMs = 0;
  for(i=0; z[i]; i++){
    if( i>=3 && z[i]=='.' && z[i-3]==':' && sdIsDigit(z[i-2]) && sdIsDigit(z[i-1])
     && sdIsDigit(z[i+1]) ){
      double r = 0.0, f = 0.1;
      for(j=i+1; sdIsDigit(z[j]); j++){
        if( j<i+10 ){ r += (z[j]-'0')*f; f /= 10.0; }
      }
      *pMs = (i64)(r*1000.0 + 0.5);
      *pzRest = sqlite3_mprintf("%.*s%s", i, z, &z[j]);
      return *pzRest ? SQLITE_OK : SQLITE_NOMEM;
    }
  }
  return SQLITE_OK;
}

/*
** Unix milliseconds for a time string, or for a modifier applied to now.
** SQLITE_OK with *pbOk 0 when SQLite's date functions cannot read it.
*/
static int sdParseTime(SdConn *pConn, const char *zTime, i64 *pMs, int *pbOk){
  sqlite3_stmt *pStmt = 0;
  int rc, bMod = zTime[0]=='+' || zTime[0]=='-';
  char *zRest = 0;
  i64 msFrac = 0;
  *pbOk = 0;
  if( !bMod ){
    rc = sdSplitFraction(zTime, &zRest, &msFrac);
    if( rc ) return rc;
  }
  /* Now goes in as a julian day number, which every version rounds to the
  ** millisecond (text would be truncated, as above). */
  rc = sqlite3_prepare_v2(pConn->db, bMod
      ? "SELECT CAST(round((julianday(?1, ?2) - 2440587.5) * 86400000.0) AS INTEGER)"
      : "SELECT CAST(round((julianday(?2) - 2440587.5) * 86400000.0) AS INTEGER)",
      -1, &pStmt, 0);
  if( rc ){ sqlite3_free(zRest); return rc; }
  if( bMod ){
    rc = sqlite3_bind_double(pStmt, 1, (double)sdNow(pConn)/86400000.0 + 2440587.5);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_bind_text(pStmt, 2, zRest ? zRest : zTime, -1, SQLITE_STATIC);
  }
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW
   && sqlite3_column_type(pStmt, 0)!=SQLITE_NULL ){
    *pMs = sqlite3_column_int64(pStmt, 0) + msFrac;
    *pbOk = 1;
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  sqlite3_free(zRest);
  return rc;
}

/*
** Purge the rows whose rowids pStmt lists, each with the deleted rows its
** own operation cascaded to (sdPurge); the caller holds the transaction.
** *pnChange grows by the rows removed from p's table.
*/
static int sdPurgeListed(SdVtab *p, sqlite3_stmt *pStmt, int bOneWrite,
                         i64 *pnChange, char **pzErr){
  SdIdSet ids;
  int k, rc = SQLITE_OK;
  memset(&ids, 0, sizeof(ids));
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    rc = sdIdSetAdd(&ids, sqlite3_column_int64(pStmt, 0));
  }
  if( rc==SQLITE_OK ) rc = sqlite3_reset(pStmt);
  if( rc && *pzErr==0 ) *pzErr = sdStmtError(p->db, rc, "cannot list the rows to purge");
  if( rc==SQLITE_OK && bOneWrite && ids.n+ids.bEmpty>1 ){
    /* Inside a statement that is itself writing no savepoint can be
    ** opened: several writes could not be taken back together. */
    *pzErr = sqlite3_mprintf("softdelete: purging %s removes %d rows, which "
        "cannot be done atomically inside a statement that is itself writing "
        "(such as INSERT ... VALUES); run it in a statement of its own",
        p->zName, ids.n+ids.bEmpty);
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  for(k=0; rc==SQLITE_OK && k<ids.nSlot; k++){
    i64 n = 0;
    if( ids.a[k]==SD_ID_EMPTY ) continue;
    rc = sdPurge(p, ids.a[k], 1, bOneWrite, &n, pzErr);
    *pnChange += n;
  }
  if( rc==SQLITE_OK && ids.bEmpty ){
    i64 n = 0;
    rc = sdPurge(p, SD_ID_EMPTY, 1, bOneWrite, &n, pzErr);
    *pnChange += n;
  }
  sdIdSetClear(&ids);
  return rc;
}

static void sdPurgeFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  SdConn *pConn = (SdConn*)sqlite3_user_data(ctx);
  SdVtab *p;
  sqlite3_stmt *pStmt = 0;
  int rc = SQLITE_OK, t = argc>1 ? sqlite3_value_type(argv[1]) : SQLITE_NULL;
  char *zErr = 0;
  i64 ms = 0, nChange = 0;
  if( (p = sdFuncTable(ctx, "sd_purge", argv[0]))==0 ) return;
  if( argc==2 ){
    if( t==SQLITE_NULL ){
      zErr = sqlite3_mprintf("softdelete: sd_purge() needs a time: rows deleted "
          "before it are removed for good; call sd_purge('%q') with one argument "
          "to remove every deleted row", p->zName);
    }else if( SD_FMT_IS_FLAG(p->eFormat) ){
      zErr = sqlite3_mprintf("softdelete: %s uses format=%s, which records "
          "no deletion time; call sd_purge('%q') to remove every deleted row",
          p->zName, sdFormatName(p->eFormat), p->zName);
    }else if( t==SQLITE_TEXT ){
      const char *z = (const char*)sqlite3_value_text(argv[1]);
      int bOk = 0;
      rc = z ? sdParseTime(pConn, z, &ms, &bOk) : SQLITE_NOMEM;
      if( rc ){
        zErr = sdStmtError(p->db, rc, "sd_purge() cannot read its time");
      }else if( !bOk ){
        zErr = sqlite3_mprintf("softdelete: sd_purge() cannot understand the time "
            "'%q': give a date and time such as '2024-01-31 12:00:00' or a "
            "modifier such as '-30 days'", z);
      }
    }else if( p->eFormat==SD_FMT_DATETIME || t==SQLITE_BLOB ){
      zErr = sqlite3_mprintf("softdelete: sd_purge() on %s (format=%s) expects "
          "a date and time such as '2024-01-31 12:00:00' or a modifier such as "
          "'-30 days'", p->zName, sdFormatName(p->eFormat));
    }
    if( zErr || rc ){
      sdResultErr(ctx, rc ? rc : SQLITE_ERROR, zErr);
      sdFuncRelease(p);
      return;
    }
  }
  /* The rows to purge are listed first, then each goes with the deleted
  ** rows its own operation cascaded to (sdPurge), all in one transaction
  ** (or savepoint) of the call's own. */
  if( argc==1 ){
    rc = sdPrepare(p->db, &pStmt, 0, "SELECT %s FROM \"%w\".\"%w\" WHERE "
                   "\"%w\" IS NOT %s", p->zRowid, p->zDb, p->zBase, p->zMarker,
                   p->zLiveSql);
  }else{
    /* A live row never matches, whatever its live value (live=0 sorts
    ** before every time). */
    rc = sdPrepare(p->db, &pStmt, 0, "SELECT %s FROM \"%w\".\"%w\" WHERE "
                   "\"%w\" IS NOT %s AND \"%w\" < ?1", p->zRowid, p->zDb,
                   p->zBase, p->zMarker, p->zLiveSql, p->zMarker);
    if( rc==SQLITE_OK ){
      rc = t==SQLITE_TEXT ? sdBindTime(pStmt, 1, p->eFormat, ms)
                          : sqlite3_bind_value(pStmt, 1, argv[1]);
    }
  }
  if( rc==SQLITE_OK ){
    SdTxn txn;
    rc = sdFuncBegin(p->pConn, "sd_purge", p->zDb, &txn, &zErr);
    if( rc==SQLITE_OK ){
      rc = sdPurgeListed(p, pStmt, txn.eTxn==SD_TXN_NONE, &nChange, &zErr);
      rc = sdFuncEnd(p->db, &txn, rc, &zErr);
    }
  }else{
    zErr = sdStmtError(p->db, rc, "cannot purge");
  }
  sqlite3_finalize(pStmt);
  if( rc ) sdResultErr(ctx, (rc & 0xff)==SQLITE_CONSTRAINT ? SQLITE_ERROR : rc, zErr);
  else sqlite3_result_int64(ctx, nChange);
  sdFuncRelease(p);
}

/* sdForEachLiveTable: list "schema.name" of the tables with retain=. */
typedef struct SdNameList SdNameList;
struct SdNameList { char **az; int n; };
static int sdAddRetained(void *pArg, const char *zDb, const char *zName,
                         const SdTableOptions *pOpt){
  SdNameList *pL = (SdNameList*)pArg;
  char **azNew;
  if( pOpt->zRetain==0 ) return SQLITE_OK;
  azNew = sqlite3_realloc64(pL->az, sizeof(char*)*(pL->n+1));
  if( azNew==0 ) return SQLITE_NOMEM;
  pL->az = azNew;
  pL->az[pL->n] = sqlite3_mprintf("%s.%s", zDb, zName);
  return pL->az[pL->n++] ? SQLITE_OK : SQLITE_NOMEM;
}

/*
** sd_purge_expired() purges, in every show=live softdelete table of every
** schema that has retain=, the rows deleted longer ago than the retention
** (by the clock, sd_clock); sd_purge_expired(tbl) in that table alone. One
** transaction (or savepoint) for the call. Returns the rows removed from
** those tables.
*/
static void sdPurgeExpiredFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  SdConn *pConn = (SdConn*)sqlite3_user_data(ctx);
  sqlite3 *db = pConn->db;
  char **azTab = 0, *zErr = 0;
  int nTab = 0, i, rc = SQLITE_OK;
  i64 nChange = 0;
  SdTxn txn;

  if( argc==1 ){
    SdVtab *p = sdFuncTable(ctx, "sd_purge_expired", argv[0]);
    if( p==0 ) return;
    if( p->zRetain==0 ){
      sdResultErr(ctx, SQLITE_ERROR, sqlite3_mprintf("softdelete: %s has no "
          "retain= option: nothing expires there (sd_purge() purges by a time "
          "you give)", p->zName));
      sdFuncRelease(p);
      return;
    }
    azTab = sqlite3_malloc64(sizeof(char*));
    if( azTab ) azTab[0] = sqlite3_mprintf("%s.%s", p->zDb, p->zName);
    sdFuncRelease(p);
    if( azTab==0 || azTab[0]==0 ){
      sqlite3_free(azTab);
      sqlite3_result_error_nomem(ctx);
      return;
    }
    nTab = 1;
  }else{
    /* Every live softdelete table with retain=, from the schemas' texts. */
    SdNameList l;
    pConn->iGen++;
    if( !sdSchemaAllows(ctx, pConn, "sd_purge_expired") ) return;
    memset(&l, 0, sizeof(l));
    rc = sdForEachLiveTable(db, sdAddRetained, &l);
    azTab = l.az;
    nTab = l.n;
  }
  /* No table to purge: no write, nothing to refuse on dqlite. The tables
  ** may be in any schema: sdFuncBegin asks every schema's VFS (zDb NULL). */
  if( rc==SQLITE_OK && nTab>0 ){
    rc = sdFuncBegin(pConn, "sd_purge_expired", 0, &txn, &zErr);
  }
  if( rc==SQLITE_OK && nTab>0 ){
    for(i=0; rc==SQLITE_OK && i<nTab; i++){
      SdVtab *p = 0;
      sqlite3_stmt *pStmt = 0;
      rc = sdFindVtab(db, pConn, azTab[i], 0, &p, &zErr);
      if( rc==SQLITE_OK && p->zRetain ){
        /* The cutoff: now (the clock), minus the retention. */
        char *zMod = sqlite3_mprintf("-%s", p->zRetain);
        i64 ms = 0;
        int bOk = 0;
        rc = zMod ? sdParseTime(pConn, zMod, &ms, &bOk) : SQLITE_NOMEM;
        sqlite3_free(zMod);
        if( rc==SQLITE_OK && !bOk ){
          zErr = sqlite3_mprintf("softdelete: %s: retain=%s cannot be read as "
                                 "a duration", p->zName, p->zRetain);
          rc = SQLITE_ERROR;
        }
        if( rc==SQLITE_OK ){
          rc = sdPrepare(db, &pStmt, 0, "SELECT %s FROM \"%w\".\"%w\" WHERE "
                         "\"%w\" IS NOT %s AND \"%w\" < ?1", p->zRowid, p->zDb,
                         p->zBase, p->zMarker, p->zLiveSql, p->zMarker);
          if( rc==SQLITE_OK ) rc = sdBindTime(pStmt, 1, p->eFormat, ms);
          if( rc==SQLITE_OK ){
            rc = sdPurgeListed(p, pStmt, txn.eTxn==SD_TXN_NONE, &nChange, &zErr);
          }
          else if( zErr==0 ) zErr = sdStmtError(db, rc, "cannot purge");
        }
      }
      sqlite3_finalize(pStmt);
      sdFuncRelease(p);
    }
    rc = sdFuncEnd(db, &txn, rc, &zErr);
  }else if( rc && zErr==0 ){
    zErr = sdStmtError(db, rc, "sd_purge_expired() cannot list the tables");
  }
  for(i=0; i<nTab; i++) sqlite3_free(azTab[i]);
  sqlite3_free(azTab);
  if( rc ) sdResultErr(ctx, (rc & 0xff)==SQLITE_CONSTRAINT ? SQLITE_ERROR : rc, zErr);
  else sqlite3_result_int64(ctx, nChange);
}

/*
** Before sd_unique() creates its index: a full UNIQUE index within the
** columns aiCol[1..nCol] would still count deleted rows, and live rows
** must not already hold one key twice. SQLITE_OK with *pzErr set when the
** index cannot be made; other codes are errors of the reads.
*/
static int sdUniqueCheck(SdVtab *p, const int *aiCol, int nCol, const char *zCols,
                         const char *zNames, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  sqlite3_str *s;
  char *zSql;
  int i, k, rc = SQLITE_OK;
  for(i=1; i<nCol; i++){
    if( aiCol[i]==p->iPk ){
      *pzErr = sqlite3_mprintf("softdelete: %s is the INTEGER PRIMARY KEY of %s: "
          "it is unique over all rows, deleted ones included, so a unique "
          "index over live rows cannot change that", p->aCol[p->iPk].zName,
          p->zBase);
      return *pzErr ? SQLITE_OK : SQLITE_NOMEM;
    }
  }
  for(i=0; i<p->nIdx; i++){
    SdIndex *pIdx = &p->aIdx[i];
    int bInside = pIdx->bUnique && !pIdx->bPartial, bAuto;
    char *zIdxCols;
    for(k=0; bInside && k<pIdx->nCol; k++){
      int c = pIdx->aiCol[k], m;
      if( c<0 && p->iPk<0 ){ bInside = 0; break; }
      if( c<0 ) c = p->iPk;
      for(m=1; m<nCol && aiCol[m]!=c; m++){}
      if( m==nCol ) bInside = 0;
    }
    if( !bInside ) continue;
    bAuto = sqlite3_strnicmp(pIdx->zName, "sqlite_autoindex_", 17)==0;
    s = sqlite3_str_new(p->db);
    for(k=0; k<pIdx->nCol; k++){
      sqlite3_str_appendf(s, "%s%s", k ? ", " : "", sdIndexColName(p, pIdx->aiCol[k]));
    }
    zIdxCols = sdMprintfStr(s, &rc);
    if( rc ) return rc;
    *pzErr = sqlite3_mprintf("softdelete: %s already has a UNIQUE %s on (%s) "
        "that counts deleted rows too (index %s), so a deleted key would "
        "still block re-inserts; %s", p->zBase,
        bAuto ? "constraint" : "index", zIdxCols, pIdx->zName,
        bAuto ? "rebuild the table without that constraint first"
              : "drop that index first");
    sqlite3_free(zIdxCols);
    return *pzErr ? SQLITE_OK : SQLITE_NOMEM;
  }
  /* Live duplicates. */
  s = sqlite3_str_new(p->db);
  sqlite3_str_appendall(s, "SELECT ");
  for(i=1; i<nCol; i++){
    sqlite3_str_appendf(s, "%squote(\"%w\")", i>1 ? "||', '||" : "",
                        p->aCol[aiCol[i]].zName);
  }
  sqlite3_str_appendf(s, ", count(*) FROM \"%w\".\"%w\" WHERE \"%w\" IS %s",
                      p->zDb, p->zBase, p->zMarker, p->zLiveSql);
  for(i=1; i<nCol; i++){
    sqlite3_str_appendf(s, " AND \"%w\" IS NOT NULL", p->aCol[aiCol[i]].zName);
  }
  sqlite3_str_appendf(s, " GROUP BY %s HAVING count(*)>1 LIMIT 1", zCols);
  zSql = sdMprintfStr(s, &rc);
  if( rc ) return rc;
  rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if( rc ) return rc;
  rc = sqlite3_step(pStmt);
  if( rc==SQLITE_ROW ){
    const char *zKey;
    rc = SQLITE_OK;
    zKey = sdColumnText(pStmt, 0, &rc);
    if( rc==SQLITE_OK ){
      *pzErr = sqlite3_mprintf("softdelete: cannot make (%s) unique over the "
          "live rows of %s: (%s) is held by %lld live rows", zNames, p->zName,
          zKey, sqlite3_column_int64(pStmt, 1));
      if( *pzErr==0 ) rc = SQLITE_NOMEM;
    }
  }else if( rc==SQLITE_DONE ){
    rc = SQLITE_OK;
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  return rc;
}

/* Is there an index named zName in the schema of p? */
static int sdIndexExists(SdVtab *p, const char *zName, int *pbThere){
  sqlite3_stmt *pStmt = 0;
  int rc = sdPrepare(p->db, &pStmt, 0, "SELECT 1 FROM \"%w\".sqlite_master "
                     "WHERE type='index' AND name=?1", p->zDb);
  *pbThere = 0;
  if( rc ) return rc;
  sqlite3_bind_text(pStmt, 1, zName, -1, SQLITE_STATIC);
  *pbThere = sqlite3_step(pStmt)==SQLITE_ROW;
  return sqlite3_finalize(pStmt);
}

/* sd_unique() and sd_index(): bUnique tells which. */
static void sdIndexImpl(sqlite3_context *ctx, int argc, sqlite3_value **argv,
                        int bUnique){
  const char *zFunc = bUnique ? "sd_unique" : "sd_index";
  SdVtab *p;
  int *aiCol, i, j, rc = SQLITE_OK;
  sqlite3_str *sName, *sCols, *sNames;
  char *zName = 0, *zCols = 0, *zNames = 0, *zErr = 0;

  if( argc<2 ){
    zErr = sqlite3_mprintf("softdelete: %s() needs the table and at least one "
                           "column", zFunc);
    sdResultErr(ctx, SQLITE_ERROR, zErr);
    return;
  }
  if( (p = sdFuncTable(ctx, zFunc, argv[0]))==0 ) return;
  aiCol = sqlite3_malloc64(sizeof(int)*argc);
  if( aiCol==0 ){ sqlite3_result_error_nomem(ctx); sdFuncRelease(p); return; }
  sName = sqlite3_str_new(p->db);
  sCols = sqlite3_str_new(p->db);
  sNames = sqlite3_str_new(p->db);
  sqlite3_str_appendf(sName, "%s", p->zBase);
  for(i=1; i<argc && !zErr && !rc; i++){
    const char *zCol = (const char*)sqlite3_value_text(argv[i]);
    if( sqlite3_value_type(argv[i])!=SQLITE_TEXT ){
      zErr = sqlite3_mprintf("softdelete: %s() expects column names after the "
                             "table name", zFunc);
      break;
    }
    if( zCol==0 ){ rc = SQLITE_NOMEM; break; }
    for(j=0; j<p->nCol; j++){
      if( sdStrICmp(p->aCol[j].zName, zCol)==0 ) break;
    }
    if( j==p->nCol || p->aCol[j].eRole ){
      zErr = j==p->nCol
        ? sqlite3_mprintf("softdelete: %s has no column %s", p->zName, zCol)
        : sqlite3_mprintf("softdelete: %s() cannot index the marker column %s",
                          zFunc, zCol);
      break;
    }
    aiCol[i] = j;
    sqlite3_str_appendf(sName, "_%s", p->aCol[j].zName);
    sqlite3_str_appendf(sCols, "%s\"%w\"", i>1 ? ", " : "", p->aCol[j].zName);
    sqlite3_str_appendf(sNames, "%s%s", i>1 ? ", " : "", p->aCol[j].zName);
  }
  sqlite3_str_appendall(sName, bUnique ? "_live_unique" : "_live");
  if( zErr==0 && rc==SQLITE_OK ){
    zName = sdMprintfStr(sName, &rc);
    zCols = sdMprintfStr(sCols, &rc);
    zNames = sdMprintfStr(sNames, &rc);
  }else{
    /* Refused at a column: the names may be empty, which is no error. */
    sqlite3_free(sqlite3_str_finish(sName));
    sqlite3_free(sqlite3_str_finish(sCols));
    sqlite3_free(sqlite3_str_finish(sNames));
  }
  /* One write, the CREATE INDEX: atomic by itself, and it waits for the
  ** write lock like any statement. A duplicate that arrives after the
  ** check makes it fail as SQLite's own UNIQUE constraint error. */
  if( rc==SQLITE_OK && zErr==0 && sqlite3_get_autocommit(p->db)
   && !sdWriterBusy(p->db) ){
    /* On dqlite, refused where the write may go unreplicated; but an index
    ** that is there already needs no write (CREATE INDEX IF NOT EXISTS),
    ** so that a migration run again passes. */
    int bOn = 0, bThere = 0;
    rc = sdOnDqlite(p->db, p->zDb, &bOn);
    if( rc==SQLITE_OK && bOn ) rc = sdIndexExists(p, zName, &bThere);
    if( rc==SQLITE_OK && bOn && !bThere ){
      zErr = sdDqliteError(zFunc);
      if( zErr==0 ) rc = SQLITE_NOMEM;
    }
  }
  if( rc==SQLITE_OK && zErr==0 && bUnique ){
    rc = sdUniqueCheck(p, aiCol, argc, zCols, zNames, &zErr);
  }
  if( rc==SQLITE_OK && zErr==0 ){
    rc = sdExec(p->db, &zErr, "CREATE %sINDEX IF NOT EXISTS \"%w\".\"%w\" ON "
                "\"%w\"(%s) WHERE \"%w\" IS %s", bUnique ? "UNIQUE " : "",
                p->zDb, zName, p->zBase, zCols, p->zMarker, p->zLiveSql);
  }
  if( rc || zErr ){
    if( rc==SQLITE_NOMEM && zErr==0 ) zErr = sqlite3_mprintf("out of memory");
    sdResultErr(ctx, rc ? rc : SQLITE_ERROR, zErr);
    sqlite3_free(zName);
  }else{
    /* Given to the result as it is: nothing left to fail after the write. */
    sqlite3_result_text(ctx, zName, -1, sqlite3_free);
  }
  sqlite3_free(zCols);
  sqlite3_free(zNames);
  sqlite3_free(aiCol);
  sdFuncRelease(p);
}

static void sdUniqueFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sdIndexImpl(ctx, argc, argv, 1);
}
static void sdIndexFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sdIndexImpl(ctx, argc, argv, 0);
}

static void sdClockFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  SdConn *pConn = (SdConn*)sqlite3_user_data(ctx);
  int bPinned = pConn->bPinned;
  i64 iPinned = pConn->iPinned;
  char zBuf[32], *zOut;
  if( argc==1 ){
    int t = sqlite3_value_type(argv[0]);
    if( !sdSchemaAllows(ctx, pConn, "sd_clock") ) return;
    if( t==SQLITE_NULL ){
      bPinned = 0;
    }else if( t==SQLITE_INTEGER || t==SQLITE_FLOAT ){
      /* Unix seconds, within the years 0000 to 9999 that datetime covers. */
      double r = sqlite3_value_double(argv[0]);
      if( !(r>=-62167219200.0 && r<253402300800.0) ){
        sdResultErr(ctx, SQLITE_ERROR, sqlite3_mprintf("softdelete: sd_clock() "
            "time %!.15g is out of range: give Unix seconds between "
            "-62167219200 and 253402300799 (years 0000 to 9999)", r));
        return;
      }
      iPinned = (i64)(r*1000.0);
      bPinned = 1;
    }else{
      const char *z = (const char*)sqlite3_value_text(argv[0]);
      int bOk = 0, rc = SQLITE_OK;
      if( z==0 ){ sqlite3_result_error_nomem(ctx); return; }
      if( t==SQLITE_TEXT && z[0]!='+' && z[0]!='-' ){
        rc = sdParseTime(pConn, z, &iPinned, &bOk);
      }
      if( rc ){
        sdResultErr(ctx, rc, sdStmtError(pConn->db, rc, "sd_clock() cannot read "
                                         "its time"));
        return;
      }
      if( !bOk ){
        char *zErr = t==SQLITE_TEXT
          ? sqlite3_mprintf("softdelete: sd_clock() cannot understand the time "
              "'%q': give a date and time such as '2024-01-31 12:00:00', a Unix "
              "time in seconds, or NULL to unpin the clock", z)
          : sqlite3_mprintf("softdelete: sd_clock() cannot understand a blob: "
              "give a date and time such as '2024-01-31 12:00:00', a Unix time "
              "in seconds, or NULL to unpin the clock");
        sdResultErr(ctx, SQLITE_ERROR, zErr);
        return;
      }
      bPinned = 1;
    }
  }
  if( !bPinned ){
    zOut = 0;                       /* NULL: the clock runs */
  }else{
    sdFormatDatetime(iPinned, zBuf);
    zOut = sqlite3_mprintf("%s", zBuf);
    if( zOut==0 ){ sqlite3_result_error_nomem(ctx); return; }
  }
  if( argc==1 ){
    pConn->bPinned = bPinned;
    pConn->iPinned = iPinned;
    pConn->bOp = 0;   /* the next soft delete is a new operation at the new time */
  }
  /* With sqlite3_free as destructor the result takes the string as it is:
  ** nothing left to fail once the setting has changed. */
  if( zOut ) sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
}

/*
** sd_actor() returns this connection's actor, the value every soft delete
** through a table with actor= records; sd_actor(X) sets it (a text or an
** integer; NULL clears it) and returns it.
*/
static void sdActorFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  SdConn *pConn = (SdConn*)sqlite3_user_data(ctx);
  if( argc==1 ){
    int t = sqlite3_value_type(argv[0]);
    sqlite3_value *pNew = 0;
    if( !sdSchemaAllows(ctx, pConn, "sd_actor") ) return;
    if( t==SQLITE_FLOAT || t==SQLITE_BLOB ){
      sdResultErr(ctx, SQLITE_ERROR, sqlite3_mprintf("softdelete: sd_actor() "
          "takes a text or an integer that names who deletes, or NULL to "
          "clear it; got a %s", t==SQLITE_FLOAT ? "real" : "blob"));
      return;
    }
    if( t!=SQLITE_NULL && (pNew = sqlite3_value_dup(argv[0]))==0 ){
      sqlite3_result_error_nomem(ctx);
      return;
    }
    sqlite3_value_free(pConn->pActor);
    pConn->pActor = pNew;
  }
  if( pConn->pActor ) sqlite3_result_value(ctx, pConn->pActor);
  else sqlite3_result_null(ctx);
}

static void sdVersionFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_result_text(ctx, SD_VERSION, -1, SQLITE_STATIC);
}

/*
** sd_statement_memory() returns the budget, in bytes, of the memory this
** connection keeps in idle read statements (see sdKeep); with an argument
** it sets the budget, finalizes idle statements down to it at once, and
** returns the previous one. 0 keeps none.
*/
static void sdStatementMemoryFunc(sqlite3_context *ctx, int argc,
                                  sqlite3_value **argv){
  SdConn *pConn = (SdConn*)sqlite3_user_data(ctx);
  i64 iOld = pConn->nKeptMax;
  if( argc==1 ){
    sqlite3_value *v = argv[0];
    int t = sqlite3_value_type(v);
    if( !sdSchemaAllows(ctx, pConn, "sd_statement_memory") ) return;
    int tn = t==SQLITE_BLOB ? t : sqlite3_value_numeric_type(v);
    double r = tn==SQLITE_FLOAT ? sqlite3_value_double(v) : 0.0;
    if( tn==SQLITE_FLOAT && r>=0.0 && r<9.2e18 && r==(double)(i64)r ){
      tn = SQLITE_INTEGER;    /* 3.0: a whole number */
    }
    if( tn!=SQLITE_INTEGER || sqlite3_value_int64(v)<0 ){
      const char *z = t==SQLITE_BLOB ? "a blob" : (const char*)sqlite3_value_text(v);
      if( z==0 && t!=SQLITE_NULL ){
        sqlite3_result_error_nomem(ctx);
        return;
      }
      sdResultErr(ctx, SQLITE_ERROR, sqlite3_mprintf("softdelete: "
          "sd_statement_memory() takes a whole number of bytes, 0 or more; "
          "got %s", z ? z : "NULL"));
      return;
    }
    pConn->nKeptMax = sqlite3_value_int64(v);
    sdKeptTrim(pConn);
  }
  sqlite3_result_int64(ctx, iOld);
}

/*
** sd_guard(): 1 while softdelete itself writes base tables on this
** connection (a soft delete, restore, purge or hard delete, and the
** foreign-key actions they set off), else 0. The triggers of guard=on call
** it to let those writes by and refuse every other (sd_table.c). It changes
** nothing and reveals no data: SQLITE_INNOCUOUS, so that the triggers run
** under PRAGMA trusted_schema=OFF too.
*/
static void sdGuardFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  SdConn *pConn = (SdConn*)sqlite3_user_data(ctx);
  (void)argc;
  (void)argv;
  sqlite3_result_int(ctx, pConn->nGuard>0);
}

int sdRegisterFunctions(sqlite3 *db, SdConn *pConn){
  /* Functions that change data, schema or the clock must not be reachable
  ** from a view or trigger in a database file: SQLITE_DIRECTONLY. */
  static const struct {
    const char *zName; int nArg; void (*x)(sqlite3_context*,int,sqlite3_value**);
  } aFunc[] = {
    { "sd_restore",     2, sdRestoreFunc    },
    { "sd_restore",     3, sdRestoreFunc    },
    { "sd_hard_delete", 2, sdHardDeleteFunc },
    { "sd_purge",       1, sdPurgeFunc      },
    { "sd_purge",       2, sdPurgeFunc      },
    { "sd_purge_expired", 0, sdPurgeExpiredFunc },
    { "sd_purge_expired", 1, sdPurgeExpiredFunc },
    { "sd_unique",     -1, sdUniqueFunc     },
    { "sd_index",      -1, sdIndexFunc      },
    { "sd_clock",       0, sdClockFunc      },
    { "sd_clock",       1, sdClockFunc      },
    { "sd_statement_memory", 0, sdStatementMemoryFunc },
    { "sd_statement_memory", 1, sdStatementMemoryFunc },
    { "sd_actor",       0, sdActorFunc      },
    { "sd_actor",       1, sdActorFunc      },
  };
  int i, rc;
  for(i=0; i<(int)(sizeof(aFunc)/sizeof(aFunc[0])); i++){
    rc = sqlite3_create_function(db, aFunc[i].zName, aFunc[i].nArg,
        SQLITE_UTF8 | SQLITE_DIRECTONLY, pConn, aFunc[i].x, 0, 0);
    if( rc ) return rc;
  }
  rc = sqlite3_create_function(db, "sd_guard", 0, SQLITE_UTF8 | SQLITE_INNOCUOUS,
                               pConn, sdGuardFunc, 0, 0);
  if( rc ) return rc;
  /* sd_version() has no side effect and one answer. */
  return sqlite3_create_function(db, "sd_version", 0,
      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, 0, sdVersionFunc, 0, 0);
}
