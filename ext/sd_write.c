/*
** sd_write.c: the write path, xUpdate.
**
**   INSERT   one nested INSERT into the base (cached statement).
**   UPDATE   one nested UPDATE of the changed columns only; unchanged
**            columns arrive as sqlite3_value_nochange() (see sdColumn), and
**            one statement is cached per set of changed columns.
**   DELETE   a soft delete: sdSoftDelete() in sd_cascade.c.
**
** Conflicts: the module declares SQLITE_VTAB_CONSTRAINT_SUPPORT, so returning
** SQLITE_CONSTRAINT lets SQLite apply ABORT, FAIL, IGNORE and ROLLBACK
** exactly as on a plain table. OR REPLACE is done here and never removes a
** row: a live row holding the same unique key is soft-deleted first, and a
** row holding the same rowid has its values replaced in place and is live
** afterwards. If the write still fails, those soft deletes are undone, so the
** statement leaves no trace. A conflict with a deleted row is reported as
** such, with how to restore or purge it.
*/
#include "softdelete.h"

#define SD_NO_ROW ((i64)0x8000000000000000LL)   /* iSelf: an INSERT */

void sdWriteClear(SdVtab *p){
  int i;
  for(i=0; i<SD_NUPDATE; i++){
    sqlite3_finalize(p->aUpd[i].pStmt);
    sqlite3_free(p->aUpd[i].aMask);
    p->aUpd[i].pStmt = 0;
    p->aUpd[i].aMask = 0;
  }
  for(i=0; i<SD_NINSERT; i++){
    sqlite3_finalize(p->aIns[i].pStmt);
    sqlite3_free(p->aIns[i].aMask);
    p->aIns[i].pStmt = 0;
    p->aIns[i].aMask = 0;
  }
}

/*
** Find the row that blocks a write of the values aVal[] (one per vtab
** column; aVal[iMarker] unused) under unique index pIdx, or under the rowid
** when pIdx is NULL (iKey then holds the new rowid). Rows with rowid iSelf
** are not conflicts. On a hit *piRowid is the row, *pbLive its state and
** *pzKey a description of the key. Returns SQLITE_DONE when there is none.
*/
static int sdFindConflict(SdVtab *p, SdIndex *pIdx, sqlite3_value **aVal,
                          sqlite3_value *pKey, i64 iSelf, i64 *piRowid,
                          int *pbLive, char **pzKey){
  sqlite3_str *s = sqlite3_str_new(p->db);
  sqlite3_str *k = sqlite3_str_new(p->db);
  sqlite3_stmt *pStmt = 0;
  char *zSql, *zKey;
  int rc = SQLITE_OK, i, nBind = 0;
  sqlite3_value *apBind[64];

  sqlite3_str_appendf(s, "SELECT \"sd\".%s, \"sd\".\"%w\" IS %s FROM \"%w\".\"%w\" "
                      "AS \"sd\" WHERE \"sd\".%s IS NOT ?1",
                      p->zRowid, p->zMarker, p->zLiveSql, p->zDb, p->zBase, p->zRowid);
  /* ?1 is the row being written (UPDATE), or NULL (INSERT: no row is
  ** excluded, not even rowid 0). */
  if( pIdx==0 ){
    if( pKey==0 || sqlite3_value_type(pKey)==SQLITE_NULL ){ rc = SQLITE_DONE; goto out; }
    sqlite3_str_appendf(s, " AND \"sd\".%s = ?2", p->zRowid);
    apBind[nBind++] = pKey;
    zKey = sdQuoteValue(pKey);
    sqlite3_str_appendf(k, "%s=%s", p->iPk>=0 ? p->aCol[p->iPk].zName : "rowid",
                        zKey ? zKey : "?");
    sqlite3_free(zKey);
  }else{
    if( pIdx->nCol>62 ){ rc = SQLITE_DONE; goto out; }
    for(i=0; i<pIdx->nCol; i++){
      int iCol = pIdx->aiCol[i];
      sqlite3_value *v;
      if( iCol<-1 ){ rc = SQLITE_DONE; goto out; }     /* expression index */
      /* The row written is live: its marker holds the live value. */
      v = (iCol<0 || iCol==p->iPk) ? pKey
        : iCol==p->iMarker ? p->pLiveVal : aVal[iCol];
      if( v==0 || sqlite3_value_type(v)==SQLITE_NULL ){ rc = SQLITE_DONE; goto out; }
      apBind[nBind++] = v;
      if( iCol<0 ){
        sqlite3_str_appendf(s, " AND \"sd\".%s = ?%d", p->zRowid, nBind+1);
      }else{
        sqlite3_str_appendf(s, " AND \"sd\".\"%w\" = ?%d COLLATE \"%w\"",
                            p->aCol[iCol].zName, nBind+1, pIdx->azColl[i]);
      }
      zKey = sdQuoteValue(v);
      sqlite3_str_appendf(k, "%s%s=%s", i ? ", " : "",
                          sdIndexColName(p, iCol), zKey ? zKey : "?");
      sqlite3_free(zKey);
    }
    /* Only indexes over every row or over the live rows are searched: the
    ** WHERE text of another partial index comes from the database file and
    ** is never pasted into SQL that the extension prepares itself. */
    if( pIdx->bPartial && !pIdx->bLive ){ rc = SQLITE_DONE; goto out; }
    if( pIdx->bLive ){
      sqlite3_str_appendf(s, " AND \"sd\".\"%w\" IS %s", p->zMarker, p->zLiveSql);
    }
  }
  sqlite3_str_appendall(s, " LIMIT 1");
  zSql = sdMprintfStr(s, &rc);
  s = 0;
  if( rc ) goto out;
  rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if( rc ) goto out;
  if( iSelf!=SD_NO_ROW ) sqlite3_bind_int64(pStmt, 1, iSelf);
  for(i=0; i<nBind; i++) sqlite3_bind_value(pStmt, i+2, apBind[i]);
  rc = sqlite3_step(pStmt);
  if( rc==SQLITE_ROW ){
    *piRowid = sqlite3_column_int64(pStmt, 0);
    *pbLive = sqlite3_column_int(pStmt, 1);
    *pzKey = sdMprintfStr(k, &rc);
    k = 0;
    if( rc==SQLITE_OK ) rc = SQLITE_ROW;
  }else if( rc==SQLITE_DONE ){
    rc = SQLITE_DONE;
  }
out:
  if( s ) sqlite3_free(sqlite3_str_finish(s));
  if( k ) sqlite3_free(sqlite3_str_finish(k));
  sqlite3_finalize(pStmt);
  return rc;
}

/*
** Bind argument v of xUpdate. Text and blobs are not copied: the nested
** statement runs, and is reset, before xUpdate returns, while v lives; every
** parameter is bound again before each run.
*/
static int sdBind(sqlite3_stmt *pStmt, int i, sqlite3_value *v){
  switch( sqlite3_value_type(v) ){
    case SQLITE_INTEGER: return sqlite3_bind_int64(pStmt, i, sqlite3_value_int64(v));
    case SQLITE_FLOAT:   return sqlite3_bind_double(pStmt, i, sqlite3_value_double(v));
    case SQLITE_TEXT: {
      const char *z = (const char*)sqlite3_value_text(v);
      return sqlite3_bind_text(pStmt, i, z, sqlite3_value_bytes(v), SQLITE_STATIC);
    }
    case SQLITE_BLOB: {
      const void *z = sqlite3_value_blob(v);
      int n = sqlite3_value_bytes(v);
      if( n==0 ) return sqlite3_bind_zeroblob(pStmt, i, 0);
      return sqlite3_bind_blob(pStmt, i, z, n, SQLITE_STATIC);
    }
  }
  return sqlite3_bind_null(pStmt, i);
}

/* Run a prepared nested write; on failure copy its error into the vtab. */
static int sdStepWrite(SdVtab *p, sqlite3_stmt *pStmt){
  int rc = sqlite3_step(pStmt);
  if( rc==SQLITE_DONE ){
    rc = sqlite3_reset(pStmt);
  }else{
    sqlite3_reset(pStmt);
    rc = sqlite3_extended_errcode(p->db);
    if( rc==SQLITE_OK ) rc = SQLITE_ERROR;
    sdVtabError(p, "%s", sqlite3_errmsg(p->db));
  }
  return rc;
}

/*
** The INSERT statement for values aVal: the rowid, then every writable
** column, except those with a DEFAULT whose value is NULL: a virtual table
** cannot tell an omitted column from NULL, so NULL lets the base apply its
** own DEFAULT (in its own context: the expression is never copied here).
** One statement is cached per set of columns left out.
*/
static int sdInsertStmt(SdVtab *p, sqlite3_value **aVal, sqlite3_stmt **ppStmt){
  sqlite3_str *s, *v;
  char *zCols, *zVals;
  int i, rc = SQLITE_OK;
  u8 aBuf[64];
  u8 *aMask = p->nCol<=64 ? aBuf : sqlite3_malloc64(p->nCol);
  struct SdUpdCache *pSlot = 0;
  if( aMask==0 ) return SQLITE_NOMEM;
  for(i=0; i<p->nCol; i++){
    SdCol *pCol = &p->aCol[i];
    aMask[i] = !(pCol->eRole || pCol->bGenerated || i==p->iPk
                 || (pCol->zDflt && sqlite3_value_type(aVal[i])==SQLITE_NULL));
  }
  for(i=0; i<SD_NINSERT; i++){
    if( p->aIns[i].aMask && memcmp(p->aIns[i].aMask, aMask, p->nCol)==0 ){
      *ppStmt = p->aIns[i].pStmt;
      goto out;
    }
  }
  s = sqlite3_str_new(p->db);
  v = sqlite3_str_new(p->db);
  sqlite3_str_appendf(s, "%s", p->zRowid);
  sqlite3_str_appendall(v, "?1");
  for(i=0; i<p->nCol; i++){
    if( !aMask[i] ) continue;
    sqlite3_str_appendf(s, ", \"%w\"", p->aCol[i].zName);
    sqlite3_str_appendf(v, ", ?%d", i+2);
  }
  /* A new row is live: it holds the live value, whatever the DEFAULT. */
  sqlite3_str_appendf(s, ", \"%w\"", p->zMarker);
  sqlite3_str_appendf(v, ", %s", p->zLiveSql);
  zCols = sdMprintfStr(s, &rc);
  zVals = sdMprintfStr(v, &rc);
  if( rc==SQLITE_OK ){
    pSlot = &p->aIns[p->iInsNext];
    p->iInsNext = (p->iInsNext+1) % SD_NINSERT;
    sqlite3_finalize(pSlot->pStmt);
    pSlot->pStmt = 0;
    sqlite3_free(pSlot->aMask);
    pSlot->aMask = 0;
    rc = sdPrepare(p->db, &pSlot->pStmt, 1, "INSERT INTO \"%w\".\"%w\"(%s) VALUES(%s)",
                   p->zDb, p->zBase, zCols, zVals);
    if( rc ){
      sdBaseError(p, "write", rc);
    }else{
      pSlot->aMask = sqlite3_malloc64(p->nCol+1);
      if( pSlot->aMask==0 ){
        rc = SQLITE_NOMEM;
      }else{
        memcpy(pSlot->aMask, aMask, p->nCol);
        *ppStmt = pSlot->pStmt;
      }
    }
  }
  sqlite3_free(zCols);
  sqlite3_free(zVals);
out:
  if( aMask!=aBuf ) sqlite3_free(aMask);
  return rc;
}

/* The UPDATE statement for the columns set in aMask (aMask[nCol]: rowid). */
static int sdUpdateStmt(SdVtab *p, const u8 *aMask, int bLive, sqlite3_stmt **ppStmt){
  int i, rc = SQLITE_OK, n = 0;
  sqlite3_str *s;
  char *zSql;
  struct SdUpdCache *pSlot;
  for(i=0; i<SD_NUPDATE; i++){
    if( p->aUpd[i].aMask && memcmp(p->aUpd[i].aMask, aMask, p->nCol+2)==0 ){
      *ppStmt = p->aUpd[i].pStmt;
      return SQLITE_OK;
    }
  }
  s = sqlite3_str_new(p->db);
  sqlite3_str_appendf(s, "UPDATE \"%w\".\"%w\" SET ", p->zDb, p->zBase);
  for(i=0; i<p->nCol; i++){
    if( !aMask[i] ) continue;
    sqlite3_str_appendf(s, "%s\"%w\"=?%d", n++ ? ", " : "", p->aCol[i].zName, i+1);
  }
  if( aMask[p->nCol] ){
    sqlite3_str_appendf(s, "%s%s=?%d", n++ ? ", " : "", p->zRowid, p->nCol+1);
  }
  if( bLive ){
    /* OR REPLACE onto the rowid of a deleted row: the row comes back live. */
    sqlite3_str_appendf(s, "%s\"%w\"=%s, \"%w\"=NULL", n++ ? ", " : "",
                        p->zMarker, p->zLiveSql, p->zOpCol);
  }
  sqlite3_str_appendf(s, " WHERE %s=?%d", p->zRowid, p->nCol+2);
  zSql = sdMprintfStr(s, &rc);
  if( rc ) return rc;
  pSlot = &p->aUpd[p->iUpdNext];
  p->iUpdNext = (p->iUpdNext+1) % SD_NUPDATE;
  sqlite3_finalize(pSlot->pStmt);
  pSlot->pStmt = 0;
  if( pSlot->aMask==0 ) pSlot->aMask = sqlite3_malloc64(p->nCol+2);
  if( pSlot->aMask==0 ){ sqlite3_free(zSql); return SQLITE_NOMEM; }
  rc = sqlite3_prepare_v3(p->db, zSql, -1, SQLITE_PREPARE_PERSISTENT, &pSlot->pStmt, 0);
  sqlite3_free(zSql);
  if( rc ){
    sdVtabError(p, "softdelete: cannot write base table %s: %s", p->zBase,
                sqlite3_errmsg(p->db));
    memset(pSlot->aMask, 0xff, p->nCol+2);
    return rc;
  }
  memcpy(pSlot->aMask, aMask, p->nCol+2);
  *ppStmt = pSlot->pStmt;
  return SQLITE_OK;
}

/* The error for a key held by the deleted row iOther. */
static void sdConflictError(SdVtab *p, const char *zVerb, const char *zKey,
                            i64 iOther){
  sdVtabError(p, "softdelete: cannot %s %s: %s is taken by deleted row %lld; "
      "restore it with sd_restore('%q', %lld) or remove it for good with "
      "sd_hard_delete('%q', %lld) or sd_purge()", zVerb, p->zName, zKey,
      iOther, p->zName, iOther, p->zName, iOther);
}

/*
** Handle a failed nested write that violated a UNIQUE or PRIMARY KEY
** constraint when the conflict mode is not REPLACE: say so when the row in
** the way is deleted. Returns the code xUpdate returns.
*/
static int sdExplainConflict(SdVtab *p, const char *zVerb, sqlite3_value **aVal,
                             sqlite3_value *pKey, i64 iSelf){
  int i, rc;
  i64 iOther;
  int bLive;
  char *zKey = 0;
  rc = sdRefreshIndexes(p);
  for(i=-1; rc==SQLITE_OK && i<p->nIdx; i++){
    SdIndex *pIdx = i<0 ? 0 : &p->aIdx[i];
    if( pIdx && !pIdx->bUnique ) continue;
    rc = sdFindConflict(p, pIdx, aVal, pKey, iSelf, &iOther, &bLive, &zKey);
    if( rc==SQLITE_ROW && !bLive ){
      sdConflictError(p, zVerb, zKey, iOther);
      sqlite3_free(zKey);
      return SQLITE_CONSTRAINT;
    }
    sqlite3_free(zKey);
    zKey = 0;
    if( rc==SQLITE_ROW || rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  if( rc ){
    /* Not a conflict to resolve: the search itself failed. */
    sdBaseError(p, "read", rc);
    return rc;
  }
  return SQLITE_CONSTRAINT;
}

/*
** Does unique index pIdx hold the marker among its key columns (as GORM's
** UNIQUE(email, deleted_at) does)? Then a soft delete frees the key, as
** with an index over live rows.
*/
static int sdIndexHasMarker(const SdVtab *p, const SdIndex *pIdx){
  int i;
  for(i=0; i<pIdx->nCol; i++){
    if( pIdx->aiCol[i]==p->iMarker ) return 1;
  }
  return 0;
}

/*
** OR REPLACE: soft-delete the live rows that hold a unique key of the new
** values (never the row with rowid iSelf, nor pKey's row, which the caller
** overwrites). Deleted rows in the way cannot be replaced. The rows changed
** are recorded in pJ so the caller can undo them.
*/
static int sdReplaceConflicts(SdVtab *p, const char *zVerb, sqlite3_value **aVal,
                              sqlite3_value *pKey, i64 iSelf, SdJournal *pJ){
  int i, rc = SQLITE_OK, nFound = 0;
  i64 iOp = 0, iTime = 0;
  rc = sdRefreshIndexes(p);
  if( rc ) sdBaseError(p, "read", rc);
  for(i=0; i<p->nIdx && rc==SQLITE_OK; i++){
    SdIndex *pIdx = &p->aIdx[i];
    i64 iOther;
    int bLive;
    char *zKey = 0;
    if( !pIdx->bUnique ) continue;
    rc = sdFindConflict(p, pIdx, aVal, pKey, iSelf, &iOther, &bLive, &zKey);
    if( rc==SQLITE_DONE ){ rc = SQLITE_OK; continue; }
    if( rc!=SQLITE_ROW ){
      sdBaseError(p, "read", rc);
      break;
    }
    rc = SQLITE_OK;
    if( pKey && sqlite3_value_type(pKey)!=SQLITE_NULL
     && sqlite3_value_int64(pKey)==iOther ){
      sqlite3_free(zKey);
      continue;       /* the row being overwritten in place */
    }
    if( !bLive ){
      sdConflictError(p, zVerb, zKey, iOther);
      sqlite3_free(zKey);
      return SQLITE_CONSTRAINT;
    }
    if( !pIdx->bLive && !sdIndexHasMarker(p, pIdx) ){
      /* A full UNIQUE index: the key stays taken after a soft delete. */
      sdVtabError(p, "softdelete: cannot %s %s: %s is taken by live row %lld, "
          "which OR REPLACE does not remove: index %s counts deleted rows too "
          "(sd_unique() makes a key unique over live rows only)", zVerb,
          p->zName, zKey, iOther, pIdx->zName);
      sqlite3_free(zKey);
      return SQLITE_CONSTRAINT;
    }
    sqlite3_free(zKey);
    /* The rows a statement displaces are its operation. */
    if( nFound==0 ) sdWriterOp(p->pConn, &iOp, &iTime);
    rc = sdSoftDelete(p, iOther, iOp, iTime, pJ, &p->base.zErrMsg);
    nFound++;
    i = -1;         /* Look again: another index may still be in the way */
    if( nFound>p->nIdx+1 ) break;
  }
  return rc;
}

static int sdIsUniqueViolation(int rc){
  return rc==SQLITE_CONSTRAINT_UNIQUE || rc==SQLITE_CONSTRAINT_PRIMARYKEY
      || rc==SQLITE_CONSTRAINT_ROWID;
}

/*
** Map a failed nested write onto xUpdate's result. SQLite applies the
** conflict mode to any SQLITE_CONSTRAINT_* code; a foreign key is not
** subject to conflict resolution, so it comes back as a plain error
** (with SQLite's message) and always aborts the statement.
*/
static int sdWriteFailed(int rc){
  if( (rc & 0xff)!=SQLITE_CONSTRAINT ) return rc;
  if( rc==SQLITE_CONSTRAINT_FOREIGNKEY ) return SQLITE_ERROR;
  return SQLITE_CONSTRAINT;
}

/*
** End of an OR REPLACE: on failure undo the rows it soft-deleted, keeping
** the error message of the failure (the undo runs statements of its own).
*/
static int sdReplaceEnd(SdVtab *p, SdJournal *pJ, int rc){
  if( rc ){
    char *zErr = p->base.zErrMsg ? sqlite3_mprintf("%s", p->base.zErrMsg) : 0;
    sdJournalUndo(p->db, pJ);
    if( zErr ){ sqlite3_free(p->base.zErrMsg); p->base.zErrMsg = zErr; }
    rc = sdWriteFailed(rc);
  }
  sdJournalClear(pJ);
  return rc;
}

static int sdInsert(SdVtab *p, sqlite3_value **argv, sqlite_int64 *pRowid){
  sqlite3_stmt *pIns = 0;
  sqlite3_value **aVal = &argv[2];
  sqlite3_value *pKey = argv[1];
  int i, rc, eConflict = sqlite3_vtab_on_conflict(p->db);
  SdJournal j;

  if( sqlite3_value_type(aVal[p->iMarker])!=SQLITE_NULL
   && !sdIsLiveValue(p, aVal[p->iMarker]) ){
    sdVtabError(p, "softdelete: cannot insert a value into %s.%s: the marker is "
        "managed by softdelete%s%s%s; use DELETE to delete rows and "
        "sd_restore() to restore them", p->zName, p->zMarker,
        p->pLiveVal ? " (a new row holds " : "", p->pLiveVal ? p->zLiveSql : "",
        p->pLiveVal ? ")" : "");
    return SQLITE_ERROR;
  }
  if( p->iActor>=0 && sqlite3_value_type(aVal[p->iActor])!=SQLITE_NULL ){
    sdVtabError(p, "softdelete: cannot insert a value into %s.%s: the actor is "
        "recorded by softdelete at each DELETE; set who deletes with "
        "sd_actor()", p->zName, p->zActor);
    return SQLITE_ERROR;
  }
  for(i=0; i<p->nCol; i++){
    if( p->aCol[i].bGenerated && sqlite3_value_type(aVal[i])!=SQLITE_NULL ){
      sdVtabError(p, "softdelete: cannot INSERT into generated column \"%s\"",
                  p->aCol[i].zName);
      return SQLITE_ERROR;
    }
  }
  if( p->iPk>=0 && sqlite3_value_type(aVal[p->iPk])!=SQLITE_NULL ){
    pKey = aVal[p->iPk];
  }
  /* A live row never references a deleted parent (foreign keys on). */
  rc = sdCheckParents(p, aVal, pKey, 0, 0, "insert into", &p->base.zErrMsg);
  if( rc ) return (rc & 0xff)==SQLITE_CONSTRAINT ? SQLITE_ERROR : rc;
  rc = sdInsertStmt(p, aVal, &pIns);
  if( rc ) return rc;
  /* Every parameter the statement uses is bound below (see sdBind). */
  sdBind(pIns, 1, pKey);
  for(i=0; i<p->nCol; i++){
    if( p->aCol[i].eRole || p->aCol[i].bGenerated || i==p->iPk ) continue;
    sdBind(pIns, i+2, aVal[i]);
  }
  rc = sdStepWrite(p, pIns);
  if( rc==SQLITE_OK ){
    *pRowid = sqlite3_last_insert_rowid(p->db);
    return SQLITE_OK;
  }
  if( !sdIsUniqueViolation(rc) ) return sdWriteFailed(rc);
  if( eConflict==SQLITE_IGNORE ) return SQLITE_CONSTRAINT;
  if( eConflict!=SQLITE_REPLACE ) return sdExplainConflict(p, "insert into", aVal, pKey, SD_NO_ROW);

  /* OR REPLACE. */
  sdJournalInit(&j);
  rc = sdReplaceConflicts(p, "insert into", aVal, pKey, SD_NO_ROW, &j);
  if( rc==SQLITE_OK ){
    /* The rows it soft-deleted may include the parent the row references. */
    rc = sdCheckParents(p, aVal, pKey, 0, 0, "insert into", &p->base.zErrMsg);
  }
  if( rc==SQLITE_OK ){
    i64 iOther = 0;
    int bLive = 0;
    char *zKey = 0;
    int rc2 = sdFindConflict(p, 0, aVal, pKey, SD_NO_ROW, &iOther, &bLive, &zKey);
    sqlite3_free(zKey);
    if( rc2==SQLITE_ROW ){
      /* Same rowid: replace that row's values in place; it is live after. */
      sqlite3_stmt *pUpd = 0;
      u8 *aMask = sqlite3_malloc64(p->nCol+2);
      if( aMask==0 ){ rc = SQLITE_NOMEM; goto replace_done; }
      for(i=0; i<p->nCol; i++){
        aMask[i] = !(p->aCol[i].eRole || p->aCol[i].bGenerated || i==p->iPk);
      }
      aMask[p->nCol] = 0;
      aMask[p->nCol+1] = 1;
      rc = sdUpdateStmt(p, aMask, 1, &pUpd);
      sqlite3_free(aMask);
      if( rc==SQLITE_OK ){
        for(i=0; i<p->nCol; i++){
          if( !(p->aCol[i].eRole || p->aCol[i].bGenerated || i==p->iPk) ){
            sdBind(pUpd, i+1, aVal[i]);
          }
        }
        sqlite3_bind_int64(pUpd, p->nCol+2, iOther);
        rc = sdStepWrite(p, pUpd);
        if( rc==SQLITE_OK ) *pRowid = iOther;
      }
    }else if( rc2==SQLITE_DONE ){
      rc = sdStepWrite(p, pIns);
      if( rc==SQLITE_OK ) *pRowid = sqlite3_last_insert_rowid(p->db);
    }else{
      rc = rc2;
    }
  }
replace_done:
  sqlite3_reset(pIns);
  rc = sdReplaceEnd(p, &j, rc);
  return rc;
}

/* Current values of row iRowid, for the columns an UPDATE leaves alone. */
static int sdReadRow(SdVtab *p, i64 iRowid, sqlite3_stmt **ppStmt){
  sqlite3_str *s = sqlite3_str_new(p->db);
  char *zSql;
  int i, rc = SQLITE_OK;
  sqlite3_str_appendf(s, "SELECT %s", p->zRowid);
  for(i=0; i<p->nCol; i++) sqlite3_str_appendf(s, ", \"%w\"", p->aCol[i].zName);
  sqlite3_str_appendf(s, " FROM \"%w\".\"%w\" WHERE %s=?1", p->zDb, p->zBase, p->zRowid);
  zSql = sdMprintfStr(s, &rc);
  if( rc ) return rc;
  rc = sqlite3_prepare_v2(p->db, zSql, -1, ppStmt, 0);
  sqlite3_free(zSql);
  if( rc ) return rc;
  sqlite3_bind_int64(*ppStmt, 1, iRowid);
  rc = sqlite3_step(*ppStmt);
  return rc==SQLITE_ROW ? SQLITE_OK : (rc==SQLITE_DONE ? SQLITE_NOTFOUND : rc);
}

static int sdUpdateRow(SdVtab *p, sqlite3_value **argv){
  i64 iOld = sqlite3_value_int64(argv[0]);
  sqlite3_value **aVal = &argv[2];
  sqlite3_value *pNewKey = 0;
  u8 aMaskBuf[64];
  u8 *aMask = p->nCol+2<=64 ? aMaskBuf : sqlite3_malloc64(p->nCol+2);
  sqlite3_stmt *pUpd = 0, *pCur = 0;
  int i, rc = SQLITE_OK, nSet = 0, eConflict = sqlite3_vtab_on_conflict(p->db);

  if( aMask==0 ) return SQLITE_NOMEM;
  if( !sqlite3_value_nochange(aVal[p->iMarker])
   && sqlite3_value_type(aVal[p->iMarker])!=SQLITE_NULL
   && !sdIsLiveValue(p, aVal[p->iMarker]) ){
    sdVtabError(p, "softdelete: cannot UPDATE %s.%s: the marker is managed by "
        "softdelete%s%s%s; use DELETE to delete rows and sd_restore() to "
        "restore them", p->zName, p->zMarker,
        p->pLiveVal ? " (a live row holds " : "", p->pLiveVal ? p->zLiveSql : "",
        p->pLiveVal ? ")" : "");
    rc = SQLITE_ERROR;
    goto out;
  }
  if( p->iActor>=0 && !sqlite3_value_nochange(aVal[p->iActor])
   && sqlite3_value_type(aVal[p->iActor])!=SQLITE_NULL ){
    sdVtabError(p, "softdelete: cannot UPDATE %s.%s: the actor is recorded by "
        "softdelete at each DELETE; set who deletes with sd_actor()",
        p->zName, p->zActor);
    rc = SQLITE_ERROR;
    goto out;
  }
  for(i=0; i<p->nCol; i++){
    if( !p->aCol[i].eRole && sqlite3_value_nochange(aVal[i]) ) break;
  }
  if( i==p->nCol ){
    /* No column arrived as "unchanged": SQLite does not say which columns
    ** an UPDATE ... FROM assigns. Compare with the row as it is, so that
    ** only real changes are written (and UPDATE OF triggers stay quiet). */
    rc = sdReadRow(p, iOld, &pCur);
    if( rc!=SQLITE_OK && rc!=SQLITE_NOTFOUND ) goto out;
    rc = SQLITE_OK;
  }
  for(i=0; i<p->nCol; i++){
    SdCol *pCol = &p->aCol[i];
    aMask[i] = 0;
    if( pCol->eRole || sqlite3_value_nochange(aVal[i]) ) continue;
    if( pCur && sdSameValue(aVal[i], sqlite3_column_value(pCur, i+1)) ) continue;
    if( pCol->bGenerated ){
      if( sqlite3_value_type(aVal[i])==SQLITE_NULL ) continue;
      sdVtabError(p, "softdelete: cannot UPDATE generated column \"%s\"", pCol->zName);
      rc = SQLITE_ERROR;
      goto out;
    }
    aMask[i] = 1;
    nSet++;
    if( i==p->iPk ) pNewKey = aVal[i];
  }
  aMask[p->nCol] = 0;
  aMask[p->nCol+1] = 0;
  if( pNewKey==0 && sqlite3_value_int64(argv[1])!=iOld ){
    aMask[p->nCol] = 1;                 /* SET rowid = ... */
    pNewKey = argv[1];
    nSet++;
  }
  if( nSet==0 ) goto out;
  /* A live row never comes to reference a deleted parent (foreign keys
  ** on): the keys the UPDATE writes are checked. */
  rc = sdCheckParents(p, aVal, argv[1], 1, iOld, "update", &p->base.zErrMsg);
  if( rc ){
    if( (rc & 0xff)==SQLITE_CONSTRAINT ) rc = SQLITE_ERROR;
    goto out;
  }
  rc = sdUpdateStmt(p, aMask, 0, &pUpd);
  if( rc ) goto out;
  for(i=0; i<p->nCol; i++){
    if( aMask[i] ) sdBind(pUpd, i+1, aVal[i]);
  }
  if( aMask[p->nCol] ) sdBind(pUpd, p->nCol+1, argv[1]);
  sqlite3_bind_int64(pUpd, p->nCol+2, iOld);
  rc = sdStepWrite(p, pUpd);
  if( rc==SQLITE_OK || !sdIsUniqueViolation(rc) ){
    if( rc ) rc = sdWriteFailed(rc);
    goto out;
  }
  if( eConflict==SQLITE_IGNORE ){ rc = SQLITE_CONSTRAINT; goto out; }
  {
    /* Work out the complete new row to find who is in the way. */
    sqlite3_stmt *pRow = 0;
    sqlite3_value *aNew[64];
    sqlite3_value **apNew = p->nCol<=64 ? aNew : sqlite3_malloc64(sizeof(void*)*p->nCol);
    char zVerb[64];
    SdJournal j;
    if( apNew==0 ){ rc = SQLITE_NOMEM; goto out; }
    sqlite3_snprintf(sizeof(zVerb), zVerb, "update row %lld of", iOld);
    rc = sdReadRow(p, iOld, &pRow);
    if( rc==SQLITE_OK ){
      sqlite3_value *pKey = pNewKey ? pNewKey : sqlite3_column_value(pRow, 0);
      for(i=0; i<p->nCol; i++){
        apNew[i] = aMask[i] ? aVal[i] : sqlite3_column_value(pRow, i+1);
      }
      if( eConflict!=SQLITE_REPLACE ){
        rc = sdExplainConflict(p, zVerb, apNew, pKey, iOld);
      }else{
        sdJournalInit(&j);
        rc = sdReplaceConflicts(p, zVerb, apNew, pKey, iOld, &j);
        if( rc==SQLITE_OK ){
          i64 iOther;
          int bLive;
          char *zKey = 0;
          /* A rowid taken by another row: REPLACE cannot remove that row. */
          if( pNewKey && sdFindConflict(p, 0, apNew, pKey, iOld, &iOther,
                                        &bLive, &zKey)==SQLITE_ROW ){
            sdVtabError(p, "softdelete: cannot %s %s: %s is taken by %s row %lld, "
                "which OR REPLACE does not remove", zVerb, p->zName, zKey,
                bLive ? "live" : "deleted", iOther);
            rc = SQLITE_CONSTRAINT;
          }
          sqlite3_free(zKey);
        }
        if( rc==SQLITE_OK ){
          for(i=0; i<p->nCol; i++){
            if( aMask[i] ) sdBind(pUpd, i+1, aVal[i]);
          }
          if( aMask[p->nCol] ) sdBind(pUpd, p->nCol+1, argv[1]);
          sqlite3_bind_int64(pUpd, p->nCol+2, iOld);
          rc = sdStepWrite(p, pUpd);
        }
        rc = sdReplaceEnd(p, &j, rc);
      }
    }else if( rc==SQLITE_NOTFOUND ){
      rc = SQLITE_CONSTRAINT;
    }
    sqlite3_finalize(pRow);
    if( apNew!=aNew ) sqlite3_free(apNew);
  }
out:
  sqlite3_finalize(pCur);
  if( aMask!=aMaskBuf ) sqlite3_free(aMask);
  return rc;
}

/* ---- show=all and show=deleted ----------------------------------------- */

/* show=all is read-only: name the tables that take the write. */
static SD_NOINLINE int sdAllRefuse(SdVtab *p){
  char *zTrash = 0;
  int rc = sdWrapperOf(p->db, p->zDb, p->zBase, SD_SHOW_DELETED, p->zName, &zTrash);
  if( rc ) return rc;
  if( zTrash ){
    sdVtabError(p, "softdelete: %s shows live and deleted rows together and is "
        "read-only: write live rows through %s; restore or purge deleted rows "
        "through %s", p->zName, p->zLive, zTrash);
  }else{
    sdVtabError(p, "softdelete: %s shows live and deleted rows together and is "
        "read-only: write live rows through %s; restore or purge deleted rows "
        "through a trash table, CREATE VIRTUAL TABLE name USING softdelete(%s, "
        "show=deleted)", p->zName, p->zLive, p->zBase);
  }
  sqlite3_free(zTrash);
  return SQLITE_ERROR;
}

/*
** DELETE on the trash: the row is removed for good, with the deleted rows
** its own operation cascaded to (sdPurge). The trash never declares a
** one-pass plan (sdBestIndex), so the statement has a statement journal
** and a purge that fails part-way leaves nothing behind.
*/
static int sdTrashDelete(SdVtab *p, i64 iRowid){
  i64 n = 0;
  int rc = sdPurge(p, iRowid, 1, 0, &n, &p->base.zErrMsg);
  if( rc==SQLITE_CONSTRAINT_FOREIGNKEY ) rc = SQLITE_ERROR;
  if( (rc & 0xff)==SQLITE_CONSTRAINT ) rc = SQLITE_ERROR;
  return rc;
}

/*
** UPDATE on the trash: SET <marker> = NULL restores the row, with the rows
** its deletion cascaded to, as sd_restore() does. A row this statement has
** already restored (through the cascade of another) counts as matched.
** Any other change is refused: deleted rows are read-only until restored.
*/
static int sdTrashUpdate(SdVtab *p, sqlite3_value **argv){
  i64 iRowid = sqlite3_value_int64(argv[0]);
  sqlite3_value **aVal = &argv[2];
  sqlite3_value *pMarker = aVal[p->iMarker];
  sqlite3_stmt *pCur = 0;
  int i, rc = SQLITE_OK, n = 0;
  const char *zCol = 0;
  SdJournal j;

  /* The row as it is: gone, or live again (restored by the cascade of a
  ** row this statement restored before) counts as matched, done. */
  rc = sdReadRow(p, iRowid, &pCur);
  if( rc==SQLITE_NOTFOUND ){ rc = SQLITE_OK; goto out; }
  if( rc ) goto out;
  if( sdIsLiveValue(p, sqlite3_column_value(pCur, p->iMarker+1)) ) goto out;

  if( sqlite3_value_int64(argv[1])!=iRowid ){
    zCol = p->iPk>=0 ? p->aCol[p->iPk].zName : "rowid";
  }
  for(i=0; zCol==0 && i<p->nCol; i++){
    sqlite3_value *v = aVal[i];
    if( i==p->iMarker || sqlite3_value_nochange(v) ) continue;
    /* The operation and the actor may be cleared with the marker. */
    if( (i==p->iOp || i==p->iActor) && sqlite3_value_type(v)==SQLITE_NULL ) continue;
    if( !sdSameValue(v, sqlite3_column_value(pCur, i+1)) ) zCol = p->aCol[i].zName;
  }
  if( zCol ){
    sdVtabError(p, "softdelete: cannot UPDATE %s.%s: deleted rows are read-only "
        "until restored; restore them with UPDATE %s SET %s = %s, then change "
        "them through %s", p->zName, zCol, p->zName, p->zMarker, p->zLiveSql,
        p->zLive);
    rc = SQLITE_ERROR;
    goto out;
  }
  if( sqlite3_value_nochange(pMarker)
   || sdSameValue(pMarker, sqlite3_column_value(pCur, p->iMarker+1)) ){
    sdVtabError(p, "softdelete: an UPDATE of %s restores rows, with SET %s = "
        "%s: deleted rows are read-only until restored (then change them "
        "through %s)", p->zName, p->zMarker, p->zLiveSql, p->zLive);
    rc = SQLITE_ERROR;
    goto out;
  }
  if( !sdIsLiveValue(p, pMarker) ){
    sdVtabError(p, "softdelete: cannot set %s.%s to a value: an UPDATE of %s "
        "restores rows with SET %s = %s (a soft delete is a DELETE through %s)",
        p->zName, p->zMarker, p->zName, p->zMarker, p->zLiveSql, p->zLive);
    rc = SQLITE_ERROR;
    goto out;
  }
  sqlite3_finalize(pCur);
  pCur = 0;
  /* Rows of this table that the statement matched come back with it, so
  ** a child may come before its parent (rowid order). */
  sdJournalInit(&j);
  rc = sdRestore(p, iRowid, 1, &p->matched, &j, &n, &p->base.zErrMsg);
  sdJournalClear(&j);
  if( rc ) rc = sdWriteFailed(rc);
out:
  sqlite3_finalize(pCur);
  return rc;
}

static int sdUpdateGuarded(SdVtab *p, int argc, sqlite3_value **argv,
                           sqlite_int64 *pRowid){
  int rc;
  if( p->zMissing ){
    sdVtabError(p, "%s", p->zMissing);
    return SQLITE_ERROR;
  }
  if( (rc = sdDeferredError(p))!=SQLITE_OK ) return rc;
  if( p->bPending && (rc = sdEnsureColumns(p))!=SQLITE_OK ) return rc;
  if( p->eShow!=SD_SHOW_LIVE ){
    if( p->eShow==SD_SHOW_ALL ) return sdAllRefuse(p);
    if( argc==1 ) return sdTrashDelete(p, sqlite3_value_int64(argv[0]));
    if( sqlite3_value_type(argv[0])==SQLITE_NULL ){
      sdVtabError(p, "softdelete: cannot insert into %s: it shows deleted rows, "
          "which are read-only until restored; insert into %s", p->zName, p->zLive);
      return SQLITE_ERROR;
    }
    return sdTrashUpdate(p, argv);
  }
  if( argc==1 ){
    i64 iOp, iTime;
    sdCurrentOp(p->pConn, &iOp, &iTime);
    return sdSoftDelete(p, sqlite3_value_int64(argv[0]), iOp, iTime, 0,
                        &p->base.zErrMsg);
  }
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ){
    return sdInsert(p, argv, pRowid);
  }
  return sdUpdateRow(p, argv);
}

/* xUpdate. The writes it makes are softdelete's own: guard=on lets them by
** (sd_guard()). */
int sdUpdate(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
             sqlite_int64 *pRowid){
  SdVtab *p = (SdVtab*)pVtab;
  int rc;
  p->pConn->nGuard++;
  rc = sdUpdateGuarded(p, argc, argv, pRowid);
  p->pConn->nGuard--;
  return rc;
}
