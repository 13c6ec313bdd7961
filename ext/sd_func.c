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
** sd_index each make one nested statement; sd_restore, which may write many
** rows of several tables, runs inside a savepoint when SQLite allows one
** there (not inside a statement that is itself writing) and undoes a failed
** call with the journal (sd_cascade.c) in any case.
*/
#include "softdelete.h"

/* Check the table argument and build its SdVtab. */
static SdVtab *sdFuncTable(sqlite3_context *ctx, const char *zFunc, sqlite3_value *v){
  SdConn *pConn = (SdConn*)sqlite3_user_data(ctx);
  SdVtab *p = 0;
  char *zErr = 0;
  int rc;
  pConn->iGen++;
  if( sqlite3_value_type(v)!=SQLITE_TEXT ){
    char *z = sqlite3_mprintf("softdelete: %s() expects the name of a softdelete "
                              "table as its first argument", zFunc);
    sqlite3_result_error(ctx, z ? z : "out of memory", -1);
    sqlite3_free(z);
    return 0;
  }
  rc = sdFindVtab(pConn->db, pConn, (const char*)sqlite3_value_text(v), &p, &zErr);
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

/* Savepoints around a function's writes, when SQLite allows one here. */
static int sdBegin(sqlite3 *db){
  return sqlite3_exec(db, "SAVEPOINT softdelete_fn", 0, 0, 0)==SQLITE_OK;
}
static void sdEnd(sqlite3 *db, int bSavepoint, int bOk){
  if( !bSavepoint ) return;
  if( !bOk ) sqlite3_exec(db, "ROLLBACK TO softdelete_fn", 0, 0, 0);
  sqlite3_exec(db, "RELEASE softdelete_fn", 0, 0, 0);
}

static void sdResultErr(sqlite3_context *ctx, int rc, char *zErr){
  sqlite3_result_error(ctx, zErr ? zErr : sqlite3_errstr(rc), -1);
  if( rc!=SQLITE_ERROR ) sqlite3_result_error_code(ctx, rc);
  sqlite3_free(zErr);
}

static void sdRestoreFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  SdVtab *p;
  i64 iRowid;
  int n = 0, rc, bSp;
  char *zErr = 0;
  SdJournal j;
  (void)argc;
  if( (p = sdFuncTable(ctx, "sd_restore", argv[0]))==0 ) return;
  if( !sdFuncRowid(ctx, "sd_restore", argv[1], &iRowid) ){ sdVtabRelease(p); return; }
  sdJournalInit(&j);
  bSp = sdBegin(p->db);
  rc = sdRestore(p, iRowid, &j, &n, &zErr);
  sdEnd(p->db, bSp, rc==SQLITE_OK);
  sdJournalClear(&j);
  if( rc ) sdResultErr(ctx, rc, zErr);
  else sqlite3_result_int(ctx, n);
  sdVtabRelease(p);
}

static void sdHardDeleteFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  SdVtab *p;
  sqlite3_stmt *pStmt = 0;
  i64 iRowid;
  int rc;
  (void)argc;
  if( (p = sdFuncTable(ctx, "sd_hard_delete", argv[0]))==0 ) return;
  if( !sdFuncRowid(ctx, "sd_hard_delete", argv[1], &iRowid) ){ sdVtabRelease(p); return; }
  rc = sdPrepare(p->db, &pStmt, 0, "DELETE FROM \"%w\".\"%w\" WHERE %s=?1",
                 p->zDb, p->zBase, p->zRowid);
  if( rc==SQLITE_OK ){
    sqlite3_bind_int64(pStmt, 1, iRowid);
    sqlite3_step(pStmt);
    rc = sqlite3_finalize(pStmt);
  }
  if( rc ){
    sdResultErr(ctx, rc, sqlite3_mprintf("softdelete: cannot delete row %lld of "
                "%s: %s", iRowid, p->zName, sqlite3_errmsg(p->db)));
  }else if( sqlite3_changes(p->db)==0 ){
    sdResultErr(ctx, SQLITE_ERROR, sqlite3_mprintf("softdelete: %s has no row "
                "%lld", p->zName, iRowid));
  }else{
    sqlite3_result_int(ctx, 1);
  }
  sdVtabRelease(p);
}

/* Unix milliseconds for a time string, or for a modifier applied to now. */
static int sdParseTime(SdConn *pConn, const char *zTime, i64 *pMs){
  sqlite3_stmt *pStmt = 0;
  int rc, bOk = 0;
  if( zTime[0]=='+' || zTime[0]=='-' ){
    rc = sqlite3_prepare_v2(pConn->db, "SELECT CAST(round((julianday(?1, ?2)"
        " - 2440587.5) * 86400000.0) AS INTEGER)", -1, &pStmt, 0);
    if( rc==SQLITE_OK ){
      char zNow[32];
      sdFormatDatetime(sdNow(pConn), zNow);
      sqlite3_bind_text(pStmt, 1, zNow, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(pStmt, 2, zTime, -1, SQLITE_STATIC);
    }
  }else{
    rc = sqlite3_prepare_v2(pConn->db, "SELECT CAST(round((julianday(?1)"
        " - 2440587.5) * 86400000.0) AS INTEGER)", -1, &pStmt, 0);
    if( rc==SQLITE_OK ) sqlite3_bind_text(pStmt, 1, zTime, -1, SQLITE_STATIC);
  }
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW
   && sqlite3_column_type(pStmt, 0)!=SQLITE_NULL ){
    *pMs = sqlite3_column_int64(pStmt, 0);
    bOk = 1;
  }
  sqlite3_finalize(pStmt);
  return bOk;
}

static void sdPurgeFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  SdConn *pConn = (SdConn*)sqlite3_user_data(ctx);
  SdVtab *p;
  sqlite3_stmt *pStmt = 0;
  int rc;
  if( (p = sdFuncTable(ctx, "sd_purge", argv[0]))==0 ) return;
  if( argc==1 ){
    rc = sdPrepare(p->db, &pStmt, 0, "DELETE FROM \"%w\".\"%w\" WHERE \"%w\" IS NOT NULL",
                   p->zDb, p->zBase, p->zMarker);
  }else{
    int t = sqlite3_value_type(argv[1]);
    char *zErr = 0;
    i64 ms = 0;
    if( t==SQLITE_NULL ){
      zErr = sqlite3_mprintf("softdelete: sd_purge() needs a time: rows deleted "
          "before it are removed for good; call sd_purge('%q') with one argument "
          "to remove every deleted row", p->zName);
    }else if( p->eFormat==SD_FMT_BOOLEAN ){
      zErr = sqlite3_mprintf("softdelete: %s uses format=boolean, which records "
          "no deletion time; call sd_purge('%q') to remove every deleted row",
          p->zName, p->zName);
    }else if( t==SQLITE_TEXT ){
      const char *z = (const char*)sqlite3_value_text(argv[1]);
      if( !sdParseTime(pConn, z, &ms) ){
        zErr = sqlite3_mprintf("softdelete: sd_purge() cannot understand the time "
            "'%q': give a date and time such as '2024-01-31 12:00:00' or a "
            "modifier such as '-30 days'", z);
      }
    }else if( p->eFormat==SD_FMT_DATETIME || t==SQLITE_BLOB ){
      zErr = sqlite3_mprintf("softdelete: sd_purge() on %s (format=%s) expects "
          "a date and time such as '2024-01-31 12:00:00' or a modifier such as "
          "'-30 days'", p->zName, sdFormatName(p->eFormat));
    }
    if( zErr ){
      sdResultErr(ctx, SQLITE_ERROR, zErr);
      sdVtabRelease(p);
      return;
    }
    rc = sdPrepare(p->db, &pStmt, 0, "DELETE FROM \"%w\".\"%w\" WHERE \"%w\" IS NOT "
                   "NULL AND \"%w\" < ?1", p->zDb, p->zBase, p->zMarker, p->zMarker);
    if( rc==SQLITE_OK ){
      if( t==SQLITE_TEXT ) sdBindTime(pStmt, 1, p->eFormat, ms);
      else sqlite3_bind_value(pStmt, 1, argv[1]);
    }
  }
  if( rc==SQLITE_OK ){
    sqlite3_step(pStmt);
    rc = sqlite3_finalize(pStmt);
  }
  if( rc ){
    sdResultErr(ctx, rc, sqlite3_mprintf("softdelete: cannot purge %s: %s",
                p->zName, sqlite3_errmsg(p->db)));
  }else{
    sqlite3_result_int64(ctx, sqlite3_changes(p->db));
  }
  sdVtabRelease(p);
}

/* sd_unique() and sd_index(): bUnique tells which. */
static void sdIndexImpl(sqlite3_context *ctx, int argc, sqlite3_value **argv,
                        int bUnique){
  const char *zFunc = bUnique ? "sd_unique" : "sd_index";
  SdVtab *p;
  int *aiCol, i, j, rc = SQLITE_OK;
  sqlite3_str *sName, *sCols;
  char *zName = 0, *zCols = 0, *zNames = 0, *zErr = 0;
  sqlite3_str *sNames;

  if( argc<2 ){
    zErr = sqlite3_mprintf("softdelete: %s() needs the table and at least one "
                           "column", zFunc);
    sdResultErr(ctx, SQLITE_ERROR, zErr);
    return;
  }
  if( (p = sdFuncTable(ctx, zFunc, argv[0]))==0 ) return;
  aiCol = sqlite3_malloc64(sizeof(int)*argc);
  if( aiCol==0 ){ sqlite3_result_error_nomem(ctx); sdVtabRelease(p); return; }
  sName = sqlite3_str_new(p->db);
  sCols = sqlite3_str_new(p->db);
  sNames = sqlite3_str_new(p->db);
  sqlite3_str_appendf(sName, "%s", p->zBase);
  for(i=1; i<argc && !zErr; i++){
    const char *zCol = (const char*)sqlite3_value_text(argv[i]);
    if( sqlite3_value_type(argv[i])!=SQLITE_TEXT ){
      zErr = sqlite3_mprintf("softdelete: %s() expects column names after the "
                             "table name", zFunc);
      break;
    }
    for(j=0; j<p->nCol; j++){
      if( sdStrICmp(p->aCol[j].zName, zCol)==0 ) break;
    }
    if( j==p->nCol || p->aCol[j].bMarker ){
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
  zName = sdMprintfStr(sName, &rc);
  zCols = sdMprintfStr(sCols, &rc);
  zNames = sdMprintfStr(sNames, &rc);
  if( zErr==0 && rc ) zErr = sqlite3_mprintf("out of memory");

  if( zErr==0 && bUnique ){
    for(i=1; i<argc && !zErr; i++){
      if( aiCol[i]==p->iPk ){
        zErr = sqlite3_mprintf("softdelete: %s is the INTEGER PRIMARY KEY of %s: "
            "it is unique over all rows, deleted ones included, so a unique "
            "index over live rows cannot change that", p->aCol[p->iPk].zName,
            p->zBase);
      }
    }
  }
  if( zErr==0 && bUnique ){
    /* A full unique index inside these columns still counts deleted rows. */
    for(i=0; i<p->nIdx && !zErr; i++){
      SdIndex *pIdx = &p->aIdx[i];
      int k, bInside = pIdx->bUnique && !pIdx->bPartial;
      for(k=0; bInside && k<pIdx->nCol; k++){
        int c = pIdx->aiCol[k], m;
        if( c<0 && p->iPk<0 ){ bInside = 0; break; }
        if( c<0 ) c = p->iPk;
        for(m=1; m<argc && aiCol[m]!=c; m++){}
        if( m==argc ) bInside = 0;
      }
      if( bInside ){
        int bAuto = sqlite3_strnicmp(pIdx->zName, "sqlite_autoindex_", 17)==0;
        sqlite3_str *sI = sqlite3_str_new(p->db);
        char *zIdxCols;
        int rc2 = SQLITE_OK;
        for(k=0; k<pIdx->nCol; k++){
          sqlite3_str_appendf(sI, "%s%s", k ? ", " : "",
                              sdIndexColName(p, pIdx->aiCol[k]));
        }
        zIdxCols = sdMprintfStr(sI, &rc2);
        zErr = sqlite3_mprintf("softdelete: %s already has a UNIQUE %s on (%s) "
            "that counts deleted rows too (index %s), so a deleted key would "
            "still block re-inserts; %s", p->zBase,
            bAuto ? "constraint" : "index", zIdxCols ? zIdxCols : "?", pIdx->zName,
            bAuto ? "rebuild the table without that constraint first"
                  : "drop that index first");
        sqlite3_free(zIdxCols);
      }
    }
    /* Live duplicates. */
    if( zErr==0 ){
      sqlite3_str *s = sqlite3_str_new(p->db);
      sqlite3_stmt *pStmt = 0;
      char *zSql;
      sqlite3_str_appendall(s, "SELECT ");
      for(i=1; i<argc; i++){
        sqlite3_str_appendf(s, "%squote(\"%w\")", i>1 ? "||', '||" : "",
                            p->aCol[aiCol[i]].zName);
      }
      sqlite3_str_appendf(s, ", count(*) FROM \"%w\".\"%w\" WHERE \"%w\" IS NULL",
                          p->zDb, p->zBase, p->zMarker);
      for(i=1; i<argc; i++){
        sqlite3_str_appendf(s, " AND \"%w\" IS NOT NULL", p->aCol[aiCol[i]].zName);
      }
      sqlite3_str_appendf(s, " GROUP BY %s HAVING count(*)>1 LIMIT 1", zCols);
      zSql = sdMprintfStr(s, &rc);
      if( rc==SQLITE_OK ) rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
      sqlite3_free(zSql);
      if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
        zErr = sqlite3_mprintf("softdelete: cannot make (%s) unique over the live "
            "rows of %s: (%s) is held by %lld live rows", zNames, p->zName,
            sqlite3_column_text(pStmt, 0), sqlite3_column_int64(pStmt, 1));
      }else if( rc ){
        zErr = sqlite3_mprintf("softdelete: %s", sqlite3_errmsg(p->db));
      }
      sqlite3_finalize(pStmt);
    }
  }
  if( zErr==0 ){
    rc = sdExec(p->db, &zErr, "CREATE %s INDEX IF NOT EXISTS \"%w\".\"%w\" ON "
                "\"%w\"(%s) WHERE \"%w\" IS NULL", bUnique ? "UNIQUE" : "",
                p->zDb, zName, p->zBase, zCols, p->zMarker);
  }
  if( zErr ) sdResultErr(ctx, SQLITE_ERROR, zErr);
  else sqlite3_result_text(ctx, zName, -1, SQLITE_TRANSIENT);
  sqlite3_free(zName);
  sqlite3_free(zCols);
  sqlite3_free(zNames);
  sqlite3_free(aiCol);
  sdVtabRelease(p);
}

static void sdUniqueFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sdIndexImpl(ctx, argc, argv, 1);
}
static void sdIndexFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sdIndexImpl(ctx, argc, argv, 0);
}

static void sdClockFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  SdConn *pConn = (SdConn*)sqlite3_user_data(ctx);
  char zBuf[32];
  if( argc==1 ){
    int t = sqlite3_value_type(argv[0]);
    if( t==SQLITE_NULL ){
      pConn->bPinned = 0;
    }else if( t==SQLITE_INTEGER || t==SQLITE_FLOAT ){
      /* Unix seconds, within the years 0000 to 9999 that datetime covers. */
      double r = sqlite3_value_double(argv[0]);
      if( !(r>=-62167219200.0 && r<253402300800.0) ){
        sdResultErr(ctx, SQLITE_ERROR, sqlite3_mprintf("softdelete: sd_clock() "
            "time %!.15g is out of range: give Unix seconds between "
            "-62167219200 and 253402300799 (years 0000 to 9999)", r));
        return;
      }
      pConn->iPinned = (i64)(r*1000.0);
      pConn->bPinned = 1;
    }else{
      i64 ms;
      const char *z = (const char*)sqlite3_value_text(argv[0]);
      if( t!=SQLITE_TEXT || !sdParseTime(pConn, z, &ms) || (z[0]=='+' || z[0]=='-') ){
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
      pConn->iPinned = ms;
      pConn->bPinned = 1;
    }
    pConn->bOp = 0;   /* the next soft delete is a new operation at the new time */
  }
  if( !pConn->bPinned ) return;    /* NULL: the clock runs */
  sdFormatDatetime(pConn->iPinned, zBuf);
  sqlite3_result_text(ctx, zBuf, -1, SQLITE_TRANSIENT);
}

static void sdVersionFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_result_text(ctx, SD_VERSION, -1, SQLITE_STATIC);
}

int sdRegisterFunctions(sqlite3 *db, SdConn *pConn){
  /* Functions that change data, schema or the clock must not be reachable
  ** from a view or trigger in a database file: SQLITE_DIRECTONLY. */
  static const struct {
    const char *zName; int nArg; void (*x)(sqlite3_context*,int,sqlite3_value**);
  } aFunc[] = {
    { "sd_restore",     2, sdRestoreFunc    },
    { "sd_hard_delete", 2, sdHardDeleteFunc },
    { "sd_purge",       1, sdPurgeFunc      },
    { "sd_purge",       2, sdPurgeFunc      },
    { "sd_unique",     -1, sdUniqueFunc     },
    { "sd_index",      -1, sdIndexFunc      },
    { "sd_clock",       0, sdClockFunc      },
    { "sd_clock",       1, sdClockFunc      },
  };
  int i, rc;
  for(i=0; i<(int)(sizeof(aFunc)/sizeof(aFunc[0])); i++){
    rc = sqlite3_create_function(db, aFunc[i].zName, aFunc[i].nArg,
        SQLITE_UTF8 | SQLITE_DIRECTONLY, pConn, aFunc[i].x, 0, 0);
    if( rc ) return rc;
  }
  /* sd_version() has no side effect and one answer. */
  return sqlite3_create_function(db, "sd_version", 0,
      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, 0, sdVersionFunc, 0, 0);
}
