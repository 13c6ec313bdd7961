/*
** sd_cascade.c: operations, cascades along foreign keys, exact restore.
**
** Operations. A soft delete writes two columns of the base row: the marker
** (the deletion time in the table's format) and <marker>_op, the id of the
** operation: one random 63-bit number per DELETE statement or function call
** (sdCurrentOp). Every row the operation reaches by cascade gets the same id.
** Keeping the id in the row makes it as transactional as the row itself,
** visible to every connection and process, and gone with the row when it is
** purged; one UPDATE records it, so a soft delete stays one nested write.
**
** The graph. The foreign keys declared on base tables (PRAGMA
** foreign_key_list) between tables wrapped by softdelete, in one schema:
** one SdEdge per key, from the child table to the parent table. Tables that
** no softdelete table wraps are not in the graph and are never touched.
**
** Soft delete of row R, in three phases, so that nothing is written before
** everything that can refuse has been checked:
**   1. closure: R, then, breadth first, the live rows of each ON DELETE
**      CASCADE child that reference a row already in the set (cycles end
**      because a row enters the set once);
**   2. refusals: a live row outside the set that references a row in the
**      set through an ON DELETE RESTRICT key, or NO ACTION while PRAGMA
**      foreign_keys is on, refuses the whole delete, naming its table.
**      Both are checked as each row is deleted: a virtual table learns of
**      no statement end where it could still fail only that statement, so
**      NO ACTION is not deferred to the end of the statement as in SQLite;
**      a DELETE that removes parents and children together must reach the
**      children first (or the key be ON DELETE CASCADE);
**   3. writes: one UPDATE per row, each recorded in an SdJournal; if one
**      fails, the journal puts back the rows already changed.
**
** Restore of row R (deleted by operation O):
**   1. closure: R, then the deleted rows of each CASCADE child that
**      reference a row in the set and carry operation O. A row with
**      another such parent still deleted outside the set is left deleted,
**      so no live row ever references a deleted parent;
**   2. R's parents (CASCADE, RESTRICT, NO ACTION keys) must be live or in
**      the set (a row that is its own parent; a cycle);
**   3. no restored row may take a live-unique key (sd_unique) of a live row;
**   4. writes, journalled as above.
** Rows deleted by another operation, earlier or later, even at the same
** pinned time, have another id and stay deleted: no zombies.
*/
#include "softdelete.h"

/* ", \"<actor>\"<zSet>" for the three arguments "%s%w%s" of a format, or
** nothing when table pT records no actor. */
#define SD_ACTOR_SET(pT, zSet) \
  (pT)->zActor ? ", \"" : "", (pT)->zActor ? (pT)->zActor : "", \
  (pT)->zActor ? "\"" zSet : ""

/* The error for a softdelete table that a cascade or restore cannot use. */
#define SD_BROKEN_FMT "softdelete: softdelete table %s cannot be used, so " \
  "cascades and restores that reach it are refused: %s"

/* A foreign key from one wrapped table (child) onto another (parent). */
typedef struct SdEdge SdEdge;
struct SdEdge {
  int iChild;               /* Node of the child table */
  int iParent;              /* Node of the parent table */
  int nCol;                 /* Key columns */
  char **azFrom;            /* Child columns */
  char **azTo;              /* Parent columns */
  int eAction;              /* SD_FK_* */
  sqlite3_stmt *pParentKey; /* SELECT to-cols FROM parent WHERE rowid=?1 */
  sqlite3_stmt *pLiveKids;  /* Live children holding a key */
  sqlite3_stmt *pOpKids;    /* Deleted children of an operation holding a key */
  sqlite3_stmt *pChildKey;  /* SELECT from-cols FROM child WHERE rowid=?1 */
  sqlite3_stmt *pParentRow; /* SELECT rowid, live FROM parent WHERE to-cols */
  sqlite3_stmt *pGroupDel;  /* Soft-delete the live children of one parent row */
};

struct SdGraph {
  sqlite3 *db;              /* Connection */
  int iSchema;              /* Schema version it was read at */
  int nNode;                /* Wrapped tables in the schema */
  SdVtab **apNode;          /* Their descriptions */
  int nEdge;                /* Foreign keys among them */
  SdEdge *aEdge;            /* The keys */
  sqlite3_stmt **apSoft;    /* Per node: soft-delete UPDATE */
  sqlite3_stmt **apState;   /* Per node: SELECT marker, op WHERE rowid */
  sqlite3_stmt **apPurge;   /* Per node: DELETE WHERE rowid */
};

/* ---- The journal ------------------------------------------------------- */

void sdJournalInit(SdJournal *pJ){ memset(pJ, 0, sizeof(*pJ)); }

void sdJournalClear(SdJournal *pJ){
  int i;
  for(i=0; i<pJ->n; i++){
    sqlite3_value_free(pJ->a[i].pMarker);
    sqlite3_value_free(pJ->a[i].pOp);
    sqlite3_value_free(pJ->a[i].pActor);
  }
  sqlite3_free(pJ->a);
  sdJournalInit(pJ);
}

/* Record a change (SD_J_*) before it is made. */
static int sdJournalAdd(SdJournal *pJ, SdVtab *pTab, int eKind, i64 iRowid,
                        i64 iOp, sqlite3_value *pMarker, sqlite3_value *pOp,
                        sqlite3_value *pActor){
  struct SdJEntry *e;
  if( pJ->n>=pJ->nAlloc ){
    int nNew = pJ->nAlloc ? pJ->nAlloc*2 : 16;
    struct SdJEntry *aNew = sqlite3_realloc64(pJ->a, sizeof(*aNew)*nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    pJ->a = aNew;
    pJ->nAlloc = nNew;
  }
  e = &pJ->a[pJ->n];
  e->pTab = pTab;
  e->eKind = eKind;
  e->iRowid = iRowid;
  e->iOp = iOp;
  e->pMarker = sqlite3_value_dup(pMarker);
  e->pOp = sqlite3_value_dup(pOp);
  e->pActor = sqlite3_value_dup(pActor);
  if( (pMarker && !e->pMarker) || (pOp && !e->pOp) || (pActor && !e->pActor) ){
    sqlite3_value_free(e->pMarker);
    sqlite3_value_free(e->pOp);
    sqlite3_value_free(e->pActor);
    return SQLITE_NOMEM;
  }
  pJ->n++;
  return SQLITE_OK;
}

/*
** Put every journalled row back as it was, newest first. Each undo touches
** a row only while it still holds what the write left there (the operation
** id a delete wrote; a NULL marker after a restore): when SQLite has already
** rolled the transaction back (an I/O error, out of memory), nothing is
** written twice and no trigger fires for nothing.
*/
int sdJournalUndo(sqlite3 *db, SdJournal *pJ){
  int i, rc = SQLITE_OK;
  for(i=pJ->n-1; i>=0; i--){
    struct SdJEntry *e = &pJ->a[i];
    SdVtab *pT = e->pTab;
    sqlite3_stmt *pStmt = 0;
    int rc2;
    switch( e->eKind ){
      case SD_J_GROUP:
        rc2 = sdPrepare(db, &pStmt, 0,
            "UPDATE \"%w\".\"%w\" SET \"%w\"=%s, \"%w\"=NULL%s%w%s WHERE \"%w\"=?1",
            pT->zDb, pT->zBase, pT->zMarker, pT->zLiveSql, pT->zOpCol,
            SD_ACTOR_SET(pT, "=NULL"), pT->zOpCol);
        if( rc2==SQLITE_OK ) rc2 = sqlite3_bind_int64(pStmt, 1, e->iOp);
        break;
      case SD_J_DELETE:
        rc2 = sdPrepare(db, &pStmt, 0,
            "UPDATE \"%w\".\"%w\" SET \"%w\"=%s, \"%w\"=NULL%s%w%s "
            "WHERE %s=?1 AND \"%w\"=?2",
            pT->zDb, pT->zBase, pT->zMarker, pT->zLiveSql, pT->zOpCol,
            SD_ACTOR_SET(pT, "=NULL"), pT->zRowid, pT->zOpCol);
        if( rc2==SQLITE_OK ) rc2 = sqlite3_bind_int64(pStmt, 1, e->iRowid);
        if( rc2==SQLITE_OK ) rc2 = sqlite3_bind_int64(pStmt, 2, e->iOp);
        break;
      default:  /* SD_J_RESTORE */
        rc2 = sdPrepare(db, &pStmt, 0,
            "UPDATE \"%w\".\"%w\" SET \"%w\"=?1, \"%w\"=?2%s%w%s "
            "WHERE %s=?3 AND \"%w\" IS %s",
            pT->zDb, pT->zBase, pT->zMarker, pT->zOpCol, SD_ACTOR_SET(pT, "=?4"),
            pT->zRowid, pT->zMarker, pT->zLiveSql);
        if( rc2==SQLITE_OK && e->pMarker ) rc2 = sqlite3_bind_value(pStmt, 1, e->pMarker);
        if( rc2==SQLITE_OK && e->pOp ) rc2 = sqlite3_bind_value(pStmt, 2, e->pOp);
        if( rc2==SQLITE_OK && e->pActor ) rc2 = sqlite3_bind_value(pStmt, 4, e->pActor);
        if( rc2==SQLITE_OK ) rc2 = sqlite3_bind_int64(pStmt, 3, e->iRowid);
        break;
    }
    if( rc2==SQLITE_OK ){
      sqlite3_step(pStmt);
      rc2 = sqlite3_finalize(pStmt);
    }else{
      sqlite3_finalize(pStmt);
    }
    if( rc==SQLITE_OK ) rc = rc2;
  }
  return rc;
}

/* ---- The graph --------------------------------------------------------- */

void sdGraphFree(SdGraph *g){
  int i, j;
  if( g==0 ) return;
  for(i=0; i<g->nEdge; i++){
    SdEdge *e = &g->aEdge[i];
    for(j=0; j<e->nCol; j++){ sqlite3_free(e->azFrom[j]); sqlite3_free(e->azTo[j]); }
    sqlite3_free(e->azFrom);
    sqlite3_free(e->azTo);
    sqlite3_finalize(e->pParentKey);
    sqlite3_finalize(e->pLiveKids);
    sqlite3_finalize(e->pOpKids);
    sqlite3_finalize(e->pChildKey);
    sqlite3_finalize(e->pParentRow);
    sqlite3_finalize(e->pGroupDel);
  }
  for(i=0; i<g->nNode; i++){
    if( g->apSoft ) sqlite3_finalize(g->apSoft[i]);
    if( g->apState ) sqlite3_finalize(g->apState[i]);
    if( g->apPurge ) sqlite3_finalize(g->apPurge[i]);
    sdTableFree(g->apNode[i]);
  }
  sqlite3_free(g->apSoft);
  sqlite3_free(g->apPurge);
  sqlite3_free(g->apState);
  sqlite3_free(g->apNode);
  sqlite3_free(g->aEdge);
  sqlite3_free(g);
}

static int sdNodeOfBase(SdGraph *g, const char *zBase){
  int i;
  for(i=0; i<g->nNode; i++){
    if( sdStrICmp(g->apNode[i]->zBase, zBase)==0 ) return i;
  }
  return -1;
}

/* The primary-key columns of pT, in key order, as a new array. */
static int sdPkColumns(SdVtab *pT, char ***pazCol, int *pnCol){
  sqlite3_stmt *pStmt = 0;
  char **az = 0;
  int n = 0, rc;
  *pazCol = 0;
  *pnCol = 0;
  rc = sdPrepare(pT->db, &pStmt, 0, "SELECT name FROM pragma_table_info(?1, ?2) "
                 "WHERE pk>0 ORDER BY pk");
  if( rc ) return rc;
  sqlite3_bind_text(pStmt, 1, pT->zBase, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, pT->zDb, -1, SQLITE_STATIC);
  while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    char **azNew = sqlite3_realloc64(az, sizeof(char*)*(n+1));
    if( azNew==0 ){ rc = SQLITE_NOMEM; break; }
    az = azNew;
    az[n] = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
    if( az[n]==0 ){ rc = SQLITE_NOMEM; break; }
    n++;
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  *pazCol = az;
  *pnCol = n;
  return rc;
}

/*
** Load the graph of schema zDb: every softdelete table of the schema, and
** the foreign keys between them. A softdelete table that cannot be read (a
** base that lost its marker, a damaged definition) fails the load, naming
** it: leaving it out would skip its cascades without a word. Only a table
** whose base is gone is left out, since no row can reference into it.
*/
static int sdGraphLoad(sqlite3 *db, SdConn *pConn, const char *zDb,
                       SdGraph **ppG, char **pzErr){
  SdGraph *g;
  sqlite3_stmt *pStmt = 0, *pFk = 0;
  int rc, i;

  *ppG = 0;
  g = sqlite3_malloc64(sizeof(*g));
  if( g==0 ) return SQLITE_NOMEM;
  memset(g, 0, sizeof(*g));
  g->db = db;
  rc = sdPrepare(db, &pStmt, 0, "SELECT name, CAST(sql AS TEXT) FROM "
                 "\"%w\".sqlite_master WHERE type='table'", zDb);
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zName, *zSql;
    SdVtab *pT = 0;
    rc = SQLITE_OK;
    zName = sdColumnText(pStmt, 0, &rc);
    zSql = sdColumnText(pStmt, 1, &rc);
    if( rc || zName==0 ) break;
    rc = sdVtabFromSql(db, pConn, zDb, zName, zSql, 1, &pT, pzErr);
    if( rc==SQLITE_ERROR ){
      /* Not even its base is known: any cascade might need it. */
      char *zWhy = *pzErr;
      *pzErr = sqlite3_mprintf(SD_BROKEN_FMT, zName, zWhy ? zWhy : "");
      sqlite3_free(zWhy);
      if( *pzErr==0 ) rc = SQLITE_NOMEM;
    }
    if( rc ) break;
    /* A table whose base is gone holds no rows to cascade to. One that is
    ** unusable otherwise stays, with its foreign keys: sdReach() refuses
    ** whatever reaches it. */
    if( pT && pT->zMissing && pT->zBase==0 ){ sdTableFree(pT); pT = 0; }
    if( pT ){
      SdVtab **apNew = sqlite3_realloc64(g->apNode, sizeof(SdVtab*)*(g->nNode+1));
      if( apNew==0 ){ sdTableFree(pT); rc = SQLITE_NOMEM; break; }
      g->apNode = apNew;
      g->apNode[g->nNode++] = pT;
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  pStmt = 0;
  if( rc ) goto fail;
  g->apSoft = sqlite3_malloc64(sizeof(sqlite3_stmt*)*(g->nNode+1));
  if( g->apSoft ) memset(g->apSoft, 0, sizeof(sqlite3_stmt*)*(g->nNode+1));
  g->apState = sqlite3_malloc64(sizeof(sqlite3_stmt*)*(g->nNode+1));
  if( g->apState ) memset(g->apState, 0, sizeof(sqlite3_stmt*)*(g->nNode+1));
  g->apPurge = sqlite3_malloc64(sizeof(sqlite3_stmt*)*(g->nNode+1));
  if( g->apPurge ) memset(g->apPurge, 0, sizeof(sqlite3_stmt*)*(g->nNode+1));
  if( !g->apSoft || !g->apState || !g->apPurge ){ rc = SQLITE_NOMEM; goto fail; }

  rc = sdPrepare(db, &pFk, 0, "SELECT id, \"table\", \"from\", \"to\", on_delete "
                 "FROM pragma_foreign_key_list(?1, ?2) ORDER BY id, seq");
  if( rc ) goto fail;
  for(i=0; i<g->nNode && rc==SQLITE_OK; i++){
    SdVtab *pC = g->apNode[i];
    int iLast = -1;
    SdEdge *e = 0;
    sqlite3_bind_text(pFk, 1, pC->zBase, -1, SQLITE_STATIC);
    sqlite3_bind_text(pFk, 2, pC->zDb, -1, SQLITE_STATIC);
    while( (rc = sqlite3_step(pFk))==SQLITE_ROW ){
      int id = sqlite3_column_int(pFk, 0);
      const char *zParent, *zFrom, *zTo, *zAct;
      int iP;
      rc = SQLITE_OK;
      zParent = sdColumnText(pFk, 1, &rc);
      zFrom = sdColumnText(pFk, 2, &rc);
      zTo = sdColumnText(pFk, 3, &rc);
      zAct = sdColumnText(pFk, 4, &rc);
      if( rc ) break;
      iP = sdNodeOfBase(g, zParent);
      if( iP<0 ) continue;
      if( id!=iLast ){
        SdEdge *aNew = sqlite3_realloc64(g->aEdge, sizeof(SdEdge)*(g->nEdge+1));
        if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
        g->aEdge = aNew;
        e = &g->aEdge[g->nEdge++];
        memset(e, 0, sizeof(*e));
        e->iChild = i;
        e->iParent = iP;
        if( sdStrICmp(zAct, "CASCADE")==0 ) e->eAction = SD_FK_CASCADE;
        else if( sdStrICmp(zAct, "RESTRICT")==0 ) e->eAction = SD_FK_RESTRICT;
        else if( sdStrICmp(zAct, "NO ACTION")==0 ) e->eAction = SD_FK_NOACTION;
        else e->eAction = SD_FK_NONE;
        iLast = id;
      }
      {
        char **azF = sqlite3_realloc64(e->azFrom, sizeof(char*)*(e->nCol+1));
        char **azT;
        if( azF==0 ){ rc = SQLITE_NOMEM; break; }
        e->azFrom = azF;
        azT = sqlite3_realloc64(e->azTo, sizeof(char*)*(e->nCol+1));
        if( azT==0 ){ rc = SQLITE_NOMEM; break; }
        e->azTo = azT;
        e->azFrom[e->nCol] = sqlite3_mprintf("%s", zFrom);
        e->azTo[e->nCol] = zTo ? sqlite3_mprintf("%s", zTo) : 0;
        e->nCol++;
        if( e->azFrom[e->nCol-1]==0 || (zTo && e->azTo[e->nCol-1]==0) ){
          rc = SQLITE_NOMEM;
          break;
        }
      }
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    if( rc==SQLITE_OK ) rc = sqlite3_reset(pFk);
    else sqlite3_reset(pFk);
  }
  sqlite3_finalize(pFk);
  pFk = 0;
  /* Keys that name no parent columns point at the parent's PRIMARY KEY. */
  for(i=0; i<g->nEdge && rc==SQLITE_OK; i++){
    SdEdge *e = &g->aEdge[i];
    if( e->azTo[0]==0 ){
      char **azPk = 0;
      int nPk = 0, j;
      SdVtab *pP = g->apNode[e->iParent];
      rc = sdPkColumns(pP, &azPk, &nPk);
      for(j=0; rc==SQLITE_OK && j<e->nCol; j++){
        sqlite3_free(e->azTo[j]);
        e->azTo[j] = sqlite3_mprintf("%s", j<nPk ? azPk[j] : pP->zRowid);
        if( e->azTo[j]==0 ) rc = SQLITE_NOMEM;
      }
      for(j=0; j<nPk; j++) sqlite3_free(azPk[j]);
      sqlite3_free(azPk);
    }
  }
  if( rc ) goto fail;
  *ppG = g;
  return SQLITE_OK;

fail:
  if( *pzErr==0 ){
    *pzErr = sqlite3_mprintf("softdelete: cannot read the foreign keys of "
        "schema %s: %s", zDb, rc==SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
  }
  sqlite3_finalize(pStmt);
  sqlite3_finalize(pFk);
  sdGraphFree(g);
  return rc;
}

/* Column list "a", "b" with an optional table alias. */
static void sdAppendCols(sqlite3_str *s, int n, char **az, const char *zSep){
  int i;
  for(i=0; i<n; i++){
    if( sdStrICmp(az[i], "rowid")==0 || sdStrICmp(az[i], "_rowid_")==0
     || sdStrICmp(az[i], "oid")==0 ){
      sqlite3_str_appendf(s, "%s%s", i ? zSep : "", az[i]);
    }else{
      sqlite3_str_appendf(s, "%s\"%w\"", i ? zSep : "", az[i]);
    }
  }
}

/* The collation of column zCol of pT, or NULL for BINARY or no such column. */
static const char *sdColColl(SdVtab *pT, const char *zCol){
  int i;
  for(i=0; i<pT->nCol; i++){
    if( sdStrICmp(pT->aCol[i].zName, zCol)==0 ) return pT->aCol[i].zColl;
  }
  return 0;
}

/* "WHERE c1=?1 AND c2=?2" for the columns az; with pColl set, each compared
** with the collation of the matching column of pColl (the parent key's, as
** SQLite compares foreign keys). */
static void sdAppendKeyMatch(sqlite3_str *s, int n, char **az, SdVtab *pColl,
                             char **azColl){
  int i;
  for(i=0; i<n; i++){
    const char *zColl = pColl ? sdColColl(pColl, azColl[i]) : 0;
    sqlite3_str_appendall(s, i ? " AND " : " WHERE ");
    sdAppendCols(s, 1, &az[i], "");
    if( zColl ) sqlite3_str_appendf(s, "=?%d COLLATE \"%w\"", i+1, zColl);
    else sqlite3_str_appendf(s, "=?%d", i+1);
  }
}

/* Prepare (once) one of an edge's statements. */
static int sdEdgeStmt(SdGraph *g, SdEdge *e, sqlite3_stmt **pp, int eKind){
  SdVtab *pC = g->apNode[e->iChild], *pP = g->apNode[e->iParent];
  sqlite3_str *s;
  char *zSql;
  int rc = SQLITE_OK;
  if( *pp ) return SQLITE_OK;
  s = sqlite3_str_new(g->db);
  switch( eKind ){
    case 0:   /* parent key of a parent row */
      sqlite3_str_appendall(s, "SELECT ");
      sdAppendCols(s, e->nCol, e->azTo, ", ");
      sqlite3_str_appendf(s, " FROM \"%w\".\"%w\" WHERE %s=?1",
                          pP->zDb, pP->zBase, pP->zRowid);
      break;
    case 1:   /* live children holding the key */
      sqlite3_str_appendf(s, "SELECT %s FROM \"%w\".\"%w\"", pC->zRowid,
                          pC->zDb, pC->zBase);
      sdAppendKeyMatch(s, e->nCol, e->azFrom, pP, e->azTo);
      sqlite3_str_appendf(s, " AND \"%w\" IS %s", pC->zMarker, pC->zLiveSql);
      break;
    case 2:   /* deleted children of operation ?N holding the key */
      sqlite3_str_appendf(s, "SELECT %s FROM \"%w\".\"%w\"", pC->zRowid,
                          pC->zDb, pC->zBase);
      sdAppendKeyMatch(s, e->nCol, e->azFrom, pP, e->azTo);
      sqlite3_str_appendf(s, " AND \"%w\" IS NOT %s AND \"%w\"=?%d",
                          pC->zMarker, pC->zLiveSql, pC->zOpCol, e->nCol+1);
      break;
    case 3:   /* the key a child row holds */
      sqlite3_str_appendall(s, "SELECT ");
      sdAppendCols(s, e->nCol, e->azFrom, ", ");
      sqlite3_str_appendf(s, " FROM \"%w\".\"%w\" WHERE %s=?1",
                          pC->zDb, pC->zBase, pC->zRowid);
      break;
    case 5: { /* soft-delete the live children of parent row ?3 */
      int j;
      sqlite3_str_appendf(s, "UPDATE \"%w\".\"%w\" SET \"%w\"=?1, \"%w\"=?2%s%w%s WHERE ",
                          pC->zDb, pC->zBase, pC->zMarker, pC->zOpCol,
                          SD_ACTOR_SET(pC, "=?4"));
      for(j=0; j<e->nCol; j++){
        const char *zColl = sdColColl(pP, e->azTo[j]);
        sdAppendCols(s, 1, &e->azFrom[j], "");
        sqlite3_str_appendall(s, "=(SELECT ");
        sdAppendCols(s, 1, &e->azTo[j], "");
        sqlite3_str_appendf(s, " FROM \"%w\".\"%w\" WHERE %s=?3)", pP->zDb,
                            pP->zBase, pP->zRowid);
        if( zColl ) sqlite3_str_appendf(s, " COLLATE \"%w\"", zColl);
        sqlite3_str_appendall(s, " AND ");
      }
      sqlite3_str_appendf(s, "\"%w\" IS %s", pC->zMarker, pC->zLiveSql);
      break;
    }
    default:  /* the parent row holding a key */
      sqlite3_str_appendf(s, "SELECT %s, \"%w\" IS %s FROM \"%w\".\"%w\"",
                          pP->zRowid, pP->zMarker, pP->zLiveSql, pP->zDb, pP->zBase);
      sdAppendKeyMatch(s, e->nCol, e->azTo, 0, 0);
      break;
  }
  zSql = sdMprintfStr(s, &rc);
  if( rc ) return rc;
  rc = sqlite3_prepare_v3(g->db, zSql, -1, SQLITE_PREPARE_PERSISTENT, pp, 0);
  sqlite3_free(zSql);
  return rc;
}

/* ---- Sets of rows ------------------------------------------------------ */

typedef struct SdRowSet SdRowSet;
struct SdRowSet {
  int n, nAlloc;            /* Rows in a[] */
  struct SdRow { int iNode; i64 iRowid; } *a;
  int nHash;                /* Slots in aHash (power of two) */
  int *aHash;               /* 1 + index into a[], 0 for empty */
};

static void sdRowSetClear(SdRowSet *p){
  sqlite3_free(p->a);
  sqlite3_free(p->aHash);
  memset(p, 0, sizeof(*p));
}

static unsigned int sdRowHash(int iNode, i64 iRowid){
  sqlite3_uint64 h = (sqlite3_uint64)iRowid * 0x9E3779B97F4A7C15ULL + (unsigned)iNode;
  return (unsigned int)(h ^ (h>>29));
}

static int sdRowSetHas(SdRowSet *p, int iNode, i64 iRowid){
  unsigned int h;
  if( p->nHash==0 ) return 0;
  for(h=sdRowHash(iNode, iRowid) & (p->nHash-1); p->aHash[h]; h=(h+1)&(p->nHash-1)){
    struct SdRow *r = &p->a[p->aHash[h]-1];
    if( r->iNode==iNode && r->iRowid==iRowid ) return 1;
  }
  return 0;
}

/* Add a row (not yet present). */
static int sdRowSetAdd(SdRowSet *p, int iNode, i64 iRowid){
  unsigned int h;
  if( p->n>=p->nAlloc ){
    int nNew = p->nAlloc ? p->nAlloc*2 : 16;
    struct SdRow *aNew = sqlite3_realloc64(p->a, sizeof(*aNew)*nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    p->a = aNew;
    p->nAlloc = nNew;
  }
  if( (p->n+1)*2 > p->nHash ){
    int nHash = p->nHash ? p->nHash*2 : 32, i;
    int *aHash = sqlite3_malloc64(sizeof(int)*nHash);
    if( aHash==0 ) return SQLITE_NOMEM;
    memset(aHash, 0, sizeof(int)*nHash);
    for(i=0; i<p->n; i++){
      for(h=sdRowHash(p->a[i].iNode, p->a[i].iRowid) & (nHash-1); aHash[h];
          h=(h+1)&(nHash-1)){}
      aHash[h] = i+1;
    }
    sqlite3_free(p->aHash);
    p->aHash = aHash;
    p->nHash = nHash;
  }
  p->a[p->n].iNode = iNode;
  p->a[p->n].iRowid = iRowid;
  for(h=sdRowHash(iNode, iRowid) & (p->nHash-1); p->aHash[h]; h=(h+1)&(p->nHash-1)){}
  p->aHash[h] = ++p->n;
  return SQLITE_OK;
}

/* ---- Helpers on graph nodes ------------------------------------------- */

/*
** May a cascade, a check or a restore follow a foreign key to node n? Not
** when that table cannot be used (a base that lost its marker, a marker
** that cannot be written): SQLITE_ERROR, with *pzErr naming it.
*/
static int sdReach(SdGraph *g, int n, char **pzErr){
  SdVtab *pT = g->apNode[n];
  if( pT->zMissing==0 ) return SQLITE_OK;
  sqlite3_free(*pzErr);
  *pzErr = sqlite3_mprintf(SD_BROKEN_FMT, pT->zName, pT->zMissing);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

static int sdGraphFor(SdVtab *p, SdGraph **ppG, int *piNode, char **pzErr){
  int i, v = 0, rc = sdSchemaVersion(p, &v);
  if( rc ) return rc;
  if( p->pGraph && p->pGraph->iSchema!=v ){
    /* A wrapped table was created or dropped since: read the keys again. */
    sdGraphFree(p->pGraph);
    p->pGraph = 0;
  }
  if( p->pGraph==0 ){
    rc = sdGraphLoad(p->db, p->pConn, p->zDb, &p->pGraph, pzErr);
    if( rc ) return rc;
    p->pGraph->iSchema = v;
  }
  *ppG = p->pGraph;
  *piNode = -1;
  for(i=0; i<p->pGraph->nNode; i++){
    /* A trash table's rows are those of its live table. */
    const char *zName = p->zLive ? p->zLive : p->zName;
    if( sdStrICmp(p->pGraph->apNode[i]->zName, zName)==0 ){ *piNode = i; break; }
  }
  return SQLITE_OK;
}

/* The error when p's table is no node of the graph. */
static int sdNotInGraph(SdVtab *p, char **pzErr){
  sqlite3_free(*pzErr);
  if( p->zLive ){
    *pzErr = sqlite3_mprintf("softdelete: %s shows rows of %s, whose live "
        "table %s is gone; create it again: CREATE VIRTUAL TABLE %s USING "
        "softdelete(%s)", p->zName, p->zBase, p->zLive, p->zLive, p->zBase);
  }else{
    *pzErr = sqlite3_mprintf("softdelete: %s is not in the schema", p->zName);
  }
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* Does node n have edges of interest as a parent (bParent) or child? */
static int sdHasEdges(SdGraph *g, int n, int bParent){
  int i;
  for(i=0; i<g->nEdge; i++){
    SdEdge *e = &g->aEdge[i];
    if( e->eAction==SD_FK_NONE ) continue;
    if( bParent ? e->iParent==n : e->iChild==n ) return 1;
  }
  return 0;
}

/*
** Read the key that row r holds through pKey (SELECT key columns WHERE
** rowid=?1), bind it to pRows ?1..?n and step pRows to its first row.
** Returns SQLITE_ROW, SQLITE_DONE (no such row, or a key with a NULL, which
** references nothing) or an error. pKey stays on its row, for messages; the
** caller resets both.
*/
static int sdKeyFirst(sqlite3_stmt *pKey, sqlite3_stmt *pRows, int n, i64 r){
  int i, rc;
  sqlite3_bind_int64(pKey, 1, r);
  rc = sqlite3_step(pKey);
  if( rc!=SQLITE_ROW ) return rc;
  for(i=0; i<n; i++){
    if( sqlite3_column_type(pKey, i)==SQLITE_NULL ) return SQLITE_DONE;
    rc = sqlite3_bind_value(pRows, i+1, sqlite3_column_value(pKey, i));
    if( rc ) return rc;
  }
  return sqlite3_step(pRows);
}

/* Bind the actor a delete records (sd_actor), or NULL for a restore. */
static int sdBindActor(sqlite3_stmt *pSt, int iParam, SdVtab *pT, int bDelete){
  sqlite3_value *v = bDelete && pT->pConn ? pT->pConn->pActor : 0;
  return v ? sqlite3_bind_value(pSt, iParam, v) : sqlite3_bind_null(pSt, iParam);
}

/* Set (bDelete) or clear the marker and op of one row, journalling it. */
static int sdMarkRow(SdGraph *g, int iNode, i64 iRowid, int bDelete, i64 iOp,
                     i64 iTime, SdJournal *pJ, char **pzErr){
  SdVtab *pT = g->apNode[iNode];
  sqlite3_stmt *pSt;
  int rc;
  if( !bDelete && g->apState[iNode]==0 ){
    rc = sdPrepare(g->db, &g->apState[iNode], 1,
        "SELECT \"%w\", \"%w\"%s%w%s FROM \"%w\".\"%w\" WHERE %s=?1",
        pT->zMarker, pT->zOpCol, SD_ACTOR_SET(pT, ""), pT->zDb, pT->zBase,
        pT->zRowid);
    if( rc ) goto err;
  }
  if( g->apSoft[iNode]==0 ){
    rc = sdPrepare(g->db, &g->apSoft[iNode], 1,
        "UPDATE \"%w\".\"%w\" SET \"%w\"=?1, \"%w\"=?2%s%w%s WHERE %s=?3",
        pT->zDb, pT->zBase, pT->zMarker, pT->zOpCol, SD_ACTOR_SET(pT, "=?4"),
        pT->zRowid);
    if( rc ) goto err;
  }
  if( bDelete ){
    /* Only live rows are soft-deleted: before, marker and op were NULL. */
    rc = pJ ? sdJournalAdd(pJ, pT, SD_J_DELETE, iRowid, iOp, 0, 0, 0) : SQLITE_OK;
  }else{
    pSt = g->apState[iNode];
    sqlite3_bind_int64(pSt, 1, iRowid);
    rc = sqlite3_step(pSt);
    if( rc==SQLITE_ROW ){
      rc = sdJournalAdd(pJ, pT, SD_J_RESTORE, iRowid, 0,
                        sqlite3_column_value(pSt, 0), sqlite3_column_value(pSt, 1),
                        pT->zActor ? sqlite3_column_value(pSt, 2) : 0);
    }else if( rc==SQLITE_DONE ){
      rc = SQLITE_NOTFOUND;
    }
    sqlite3_reset(pSt);
  }
  if( rc ) goto err;
  pSt = g->apSoft[iNode];
  if( bDelete ){
    rc = sdBindTime(pSt, 1, pT->eFormat, iTime);
    if( rc==SQLITE_OK ) rc = sqlite3_bind_int64(pSt, 2, iOp);
  }else{
    rc = pT->pLiveVal ? sqlite3_bind_value(pSt, 1, pT->pLiveVal)
                      : sqlite3_bind_null(pSt, 1);
    if( rc==SQLITE_OK ) rc = sqlite3_bind_null(pSt, 2);
  }
  if( rc==SQLITE_OK && pT->zActor ) rc = sdBindActor(pSt, 4, pT, bDelete);
  if( rc==SQLITE_OK ) rc = sqlite3_bind_int64(pSt, 3, iRowid);
  if( rc==SQLITE_OK ){
    sqlite3_step(pSt);
    rc = sqlite3_reset(pSt);
  }
  if( rc==SQLITE_OK ) return SQLITE_OK;
err:
  if( *pzErr==0 || rc!=SQLITE_CONSTRAINT_UNIQUE ){
    sqlite3_free(*pzErr);
    *pzErr = sqlite3_mprintf("softdelete: cannot %s row %lld of %s: %s",
        bDelete ? "delete" : "restore", iRowid, pT->zName,
        rc==SQLITE_NOTFOUND ? "no such row" : sqlite3_errmsg(g->db));
  }
  return rc==SQLITE_NOTFOUND ? SQLITE_ERROR : rc;
}

/* Describe the key that pKey (stepped) holds: "id=3" or "(a, b)=(1, 'x')". */
static char *sdDescribeKey(sqlite3_stmt *pKey, int n, char **az){
  sqlite3_str *s = sqlite3_str_new(0);
  int i, rc = SQLITE_OK;
  for(i=0; i<n; i++){
    char *z = sdQuoteValue(sqlite3_column_value(pKey, i));
    sqlite3_str_appendf(s, "%s%s=%s", i ? ", " : "", az[i], z ? z : "?");
    sqlite3_free(z);
  }
  return sdMprintfStr(s, &rc);
}

/* Is PRAGMA foreign_keys on? */
static int sdForeignKeysOn(sqlite3 *db, int *pbOn){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, "PRAGMA foreign_keys", -1, &pStmt, 0);
  *pbOn = 0;
  if( rc ) return rc;
  if( sqlite3_step(pStmt)==SQLITE_ROW ) *pbOn = sqlite3_column_int(pStmt, 0);
  return sqlite3_finalize(pStmt);
}

/* Is node n the child of a RESTRICT or NO ACTION key (so that its rows must
** be known to tell which of them a delete leaves live)? */
static int sdHasChecks(SdGraph *g, int n){
  int i;
  for(i=0; i<g->nEdge; i++){
    SdEdge *e = &g->aEdge[i];
    if( e->iChild==n && (e->eAction==SD_FK_RESTRICT || e->eAction==SD_FK_NOACTION) ){
      return 1;
    }
  }
  return 0;
}

/* Soft-delete the live children of parent row r through key e, journalled
** as "every row of this operation" in the child table. */
static int sdMarkGroup(SdGraph *g, SdEdge *e, i64 r, i64 iOp, i64 iTime,
                       SdJournal *pJ, char **pzErr){
  SdVtab *pC = g->apNode[e->iChild];
  sqlite3_stmt *pSt;
  int rc = sdEdgeStmt(g, e, &e->pGroupDel, 5);
  if( rc==SQLITE_OK && pJ ) rc = sdJournalAdd(pJ, pC, SD_J_GROUP, 0, iOp, 0, 0, 0);
  if( rc ) goto err;
  pSt = e->pGroupDel;
  rc = sdBindTime(pSt, 1, pC->eFormat, iTime);
  if( rc==SQLITE_OK ) rc = sqlite3_bind_int64(pSt, 2, iOp);
  if( rc==SQLITE_OK ) rc = sqlite3_bind_int64(pSt, 3, r);
  if( rc==SQLITE_OK && pC->zActor ) rc = sdBindActor(pSt, 4, pC, 1);
  if( rc==SQLITE_OK ){
    sqlite3_step(pSt);
    rc = sqlite3_reset(pSt);
  }
  if( rc==SQLITE_OK ) return SQLITE_OK;
err:
  sqlite3_free(*pzErr);
  *pzErr = sqlite3_mprintf("softdelete: cannot delete the rows of %s that "
      "reference row %lld of %s: %s", pC->zName, r,
      g->apNode[e->iParent]->zName, sqlite3_errmsg(g->db));
  return rc;
}

/*
** Refuse a soft delete or purge (zVerb) of the rows of pSet while a live
** row outside it references one of them through an ON DELETE RESTRICT key,
** or (bNoAction) NO ACTION while PRAGMA foreign_keys is on. The error names
** the row, the child table and the key.
*/
static int sdLiveRefusals(SdGraph *g, SdRowSet *pSet, int bNoAction,
                          const char *zVerb, char **pzErr){
  int k, i, rc = SQLITE_OK, bFkOn = -1;
  for(k=0; rc==SQLITE_OK && k<pSet->n; k++){
    int n = pSet->a[k].iNode;
    i64 r = pSet->a[k].iRowid;
    for(i=0; rc==SQLITE_OK && i<g->nEdge; i++){
      SdEdge *e = &g->aEdge[i];
      if( e->iParent!=n ) continue;
      if( e->eAction==SD_FK_NOACTION && bNoAction ){
        if( bFkOn<0 && (rc = sdForeignKeysOn(g->db, &bFkOn))!=SQLITE_OK ) break;
        if( !bFkOn ) continue;
      }else if( e->eAction!=SD_FK_RESTRICT ){
        continue;
      }
      if( (rc = sdReach(g, e->iChild, pzErr))!=SQLITE_OK ) break;
      if( (rc = sdEdgeStmt(g, e, &e->pParentKey, 0))!=SQLITE_OK ) break;
      if( (rc = sdEdgeStmt(g, e, &e->pLiveKids, 1))!=SQLITE_OK ) break;
      rc = sdKeyFirst(e->pParentKey, e->pLiveKids, e->nCol, r);
      while( rc==SQLITE_ROW ){
        i64 c = sqlite3_column_int64(e->pLiveKids, 0);
        if( !sdRowSetHas(pSet, e->iChild, c) ){
          char *zKey = sdDescribeKey(e->pParentKey, e->nCol, e->azTo);
          sqlite3_free(*pzErr);
          *pzErr = zKey==0 ? 0 : sqlite3_mprintf("softdelete: cannot %s row "
              "%lld of %s: live rows of %s still reference it (%s, ON DELETE %s); "
              "delete or move them first", zVerb, r, g->apNode[n]->zName,
              g->apNode[e->iChild]->zName, zKey,
              e->eAction==SD_FK_RESTRICT ? "RESTRICT" : "NO ACTION");
          sqlite3_free(zKey);
          rc = *pzErr ? SQLITE_CONSTRAINT_FOREIGNKEY : SQLITE_NOMEM;
          break;
        }
        rc = sqlite3_step(e->pLiveKids);
      }
      if( rc==SQLITE_DONE ) rc = SQLITE_OK;
      sqlite3_reset(e->pLiveKids);
      sqlite3_reset(e->pParentKey);
    }
  }
  return rc;
}

/* ---- Soft delete ------------------------------------------------------- */

int sdSoftDelete(SdVtab *p, i64 iRowid, i64 iOp, i64 iTime, SdJournal *pJ,
                 char **pzErr){
  SdGraph *g;
  SdRowSet set;
  SdJournal local;
  struct SdGroup { int iEdge; i64 iRowid; } *aGroup = 0;
  int nGroup = 0, nGroupAlloc = 0;
  int iNode, rc, i, k;
  int nJ0;

  rc = sdGraphFor(p, &g, &iNode, pzErr);
  if( rc ) return rc;
  if( iNode<0 ) return sdNotInGraph(p, pzErr);
  if( !sdHasEdges(g, iNode, 1) ){
    /* Nothing references this table: one UPDATE. */
    return sdMarkRow(g, iNode, iRowid, 1, iOp, iTime, pJ, pzErr);
  }
  if( pJ==0 ){
    /* The caller undoes nothing itself; a cascade still undoes its part. */
    sdJournalInit(&local);
    pJ = &local;
  }
  nJ0 = pJ->n;

  /* 1. The closure along ON DELETE CASCADE keys. Each (key, parent row)
  ** becomes one group that step 3 deletes with one UPDATE. The rows of a
  ** child table are listed only when they matter later: when their own
  ** children must be found, or a RESTRICT / NO ACTION key could refer to
  ** them; otherwise the group's UPDATE finds them itself. */
  memset(&set, 0, sizeof(set));
  rc = sdRowSetAdd(&set, iNode, iRowid);
  for(k=0; rc==SQLITE_OK && k<set.n; k++){
    int n = set.a[k].iNode;
    i64 r = set.a[k].iRowid;
    for(i=0; rc==SQLITE_OK && i<g->nEdge; i++){
      SdEdge *e = &g->aEdge[i];
      if( e->iParent!=n || e->eAction!=SD_FK_CASCADE ) continue;
      if( (rc = sdReach(g, e->iChild, pzErr))!=SQLITE_OK ) break;
      if( nGroup>=nGroupAlloc ){
        int nNew = nGroupAlloc ? nGroupAlloc*2 : 16;
        struct SdGroup *aNew = sqlite3_realloc64(aGroup, sizeof(*aNew)*nNew);
        if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
        aGroup = aNew;
        nGroupAlloc = nNew;
      }
      aGroup[nGroup].iEdge = i;
      aGroup[nGroup].iRowid = r;
      nGroup++;
      if( !sdHasEdges(g, e->iChild, 1) && !sdHasChecks(g, e->iChild) ) continue;
      if( (rc = sdEdgeStmt(g, e, &e->pParentKey, 0))!=SQLITE_OK ) break;
      if( (rc = sdEdgeStmt(g, e, &e->pLiveKids, 1))!=SQLITE_OK ) break;
      rc = sdKeyFirst(e->pParentKey, e->pLiveKids, e->nCol, r);
      while( rc==SQLITE_ROW ){
        i64 c = sqlite3_column_int64(e->pLiveKids, 0);
        if( !sdRowSetHas(&set, e->iChild, c)
         && (rc = sdRowSetAdd(&set, e->iChild, c))!=SQLITE_OK ) break;
        rc = sqlite3_step(e->pLiveKids);
      }
      if( rc==SQLITE_DONE ) rc = SQLITE_OK;
      sqlite3_reset(e->pLiveKids);
      sqlite3_reset(e->pParentKey);
    }
  }

  /* 2. Refusals: RESTRICT, and NO ACTION while foreign keys are enforced. */
  if( rc==SQLITE_OK ) rc = sdLiveRefusals(g, &set, 1, "delete", pzErr);

  /* 3. Writes: the row, then each group with one UPDATE. */
  if( rc==SQLITE_OK ){
    rc = sdMarkRow(g, iNode, iRowid, 1, iOp, iTime, pJ, pzErr);
  }
  for(k=0; rc==SQLITE_OK && k<nGroup; k++){
    rc = sdMarkGroup(g, &g->aEdge[aGroup[k].iEdge], aGroup[k].iRowid, iOp, iTime,
                     pJ, pzErr);
  }
  if( rc && pJ->n>nJ0 ){
    SdJournal part;
    part.n = pJ->n - nJ0;
    part.nAlloc = part.n;
    part.a = &pJ->a[nJ0];
    sdJournalUndo(g->db, &part);
  }
  if( pJ==&local ) sdJournalClear(&local);
  sdRowSetClear(&set);
  sqlite3_free(aGroup);
  return rc;
}

/* ---- Restore ----------------------------------------------------------- */

/*
** Is row r of node n blocked by a deleted parent outside pSet? If so, and
** bExplain is set, *pzErr says which. Errors of the reads are returned.
*/
/* Is the key that pKey (stepped by sdKeyFirst) holds free of NULLs? */
static int sdKeyComplete(sqlite3_stmt *pKey, int n){
  int i;
  if( !sqlite3_stmt_busy(pKey) || sqlite3_data_count(pKey)<n ) return 0;
  for(i=0; i<n; i++){
    if( sqlite3_column_type(pKey, i)==SQLITE_NULL ) return 0;
  }
  return 1;
}

static int sdParentDeleted(SdGraph *g, int n, i64 r, SdRowSet *pSet,
                           int iComing, const SdIdSet *pComing,
                           int bExplain, char **pzErr, int *pbBlocked){
  int i, rc = SQLITE_OK;
  *pbBlocked = 0;
  for(i=0; i<g->nEdge && rc==SQLITE_OK && !*pbBlocked; i++){
    SdEdge *e = &g->aEdge[i];
    if( e->iChild!=n || e->eAction==SD_FK_NONE ) continue;
    if( (rc = sdReach(g, e->iParent, pzErr))!=SQLITE_OK ) break;
    if( (rc = sdEdgeStmt(g, e, &e->pChildKey, 3))!=SQLITE_OK ) break;
    if( (rc = sdEdgeStmt(g, e, &e->pParentRow, 4))!=SQLITE_OK ) break;
    rc = sdKeyFirst(e->pChildKey, e->pParentRow, e->nCol, r);
    if( rc==SQLITE_DONE && sdKeyComplete(e->pChildKey, e->nCol) ){
      /* The key references a row that is gone (purged, foreign keys off):
      ** coming back would make a live orphan. */
      *pbBlocked = 1;
      rc = SQLITE_OK;
      if( bExplain ){
        char *zKey = sdDescribeKey(e->pChildKey, e->nCol, e->azTo);
        sqlite3_free(*pzErr);
        *pzErr = zKey==0 ? 0 : sqlite3_mprintf("softdelete: cannot restore "
            "row %lld of %s: its parent (%s) in %s no longer exists, and the "
            "row would come back referencing nothing", r, g->apNode[n]->zName,
            zKey, g->apNode[e->iParent]->zName);
        sqlite3_free(zKey);
        if( *pzErr==0 ) rc = SQLITE_NOMEM;
      }
    }
    while( rc==SQLITE_ROW ){
      i64 pr = sqlite3_column_int64(e->pParentRow, 0);
      if( sqlite3_column_int(e->pParentRow, 1)==0
       && !(pSet && sdRowSetHas(pSet, e->iParent, pr))
       && !(pComing && e->iParent==iComing && sdIdSetHas(pComing, pr)) ){
        *pbBlocked = 1;
        rc = SQLITE_OK;
        if( bExplain ){
          char *zKey = sdDescribeKey(e->pChildKey, e->nCol, e->azTo);
          sqlite3_free(*pzErr);
          *pzErr = zKey==0 ? 0 : sqlite3_mprintf("softdelete: cannot restore "
              "row %lld of %s: its parent row %lld of %s (%s) is deleted; "
              "restore the parent first", r, g->apNode[n]->zName, pr,
              g->apNode[e->iParent]->zName, zKey);
          sqlite3_free(zKey);
          if( *pzErr==0 ) rc = SQLITE_NOMEM;
        }
        break;
      }
      rc = sqlite3_step(e->pParentRow);
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    sqlite3_reset(e->pParentRow);
    sqlite3_reset(e->pChildKey);
  }
  return rc;
}

/* Would restoring row r of node n take a live-unique key of a live row? */
static int sdUniqueTaken(SdGraph *g, int n, i64 r, char **pzErr){
  SdVtab *pT = g->apNode[n];
  int i, j, rc = SQLITE_OK;
  for(i=0; i<pT->nIdx && rc==SQLITE_OK; i++){
    SdIndex *pIdx = &pT->aIdx[i];
    sqlite3_str *s;
    char *zSql;
    sqlite3_stmt *pStmt = 0;
    if( !pIdx->bUnique || !pIdx->bLive ) continue;
    s = sqlite3_str_new(g->db);
    sqlite3_str_appendf(s, "SELECT o.%s", pT->zRowid);
    for(j=0; j<pIdx->nCol; j++){
      int c = pIdx->aiCol[j];
      if( c<-1 ) break;
      if( c<0 ) sqlite3_str_appendf(s, ", o.%s", pT->zRowid);
      else sqlite3_str_appendf(s, ", quote(o.\"%w\")", pT->aCol[c].zName);
    }
    if( j<pIdx->nCol ){ sqlite3_free(sqlite3_str_finish(s)); continue; }
    sqlite3_str_appendf(s, " FROM \"%w\".\"%w\" AS r, \"%w\".\"%w\" AS o "
        "WHERE r.%s=?1 AND o.\"%w\" IS %s AND o.%s<>r.%s",
        pT->zDb, pT->zBase, pT->zDb, pT->zBase, pT->zRowid, pT->zMarker,
        pT->zLiveSql, pT->zRowid, pT->zRowid);
    for(j=0; j<pIdx->nCol; j++){
      int c = pIdx->aiCol[j];
      if( c<0 ) continue;
      sqlite3_str_appendf(s, " AND o.\"%w\"=r.\"%w\" COLLATE \"%w\"",
          pT->aCol[c].zName, pT->aCol[c].zName, pIdx->azColl[j]);
    }
    sqlite3_str_appendall(s, " LIMIT 1");
    zSql = sdMprintfStr(s, &rc);
    if( rc ) break;
    rc = sqlite3_prepare_v2(g->db, zSql, -1, &pStmt, 0);
    sqlite3_free(zSql);
    if( rc ) break;
    sqlite3_bind_int64(pStmt, 1, r);
    rc = sqlite3_step(pStmt);
    if( rc==SQLITE_ROW ){
      sqlite3_str *k = sqlite3_str_new(g->db);
      char *zKey;
      rc = SQLITE_OK;
      for(j=0; j<pIdx->nCol; j++){
        const char *zVal = sdColumnText(pStmt, j+1, &rc);
        sqlite3_str_appendf(k, "%s%s=%s", j ? ", " : "",
            sdIndexColName(pT, pIdx->aiCol[j]), zVal);
      }
      zKey = sdMprintfStr(k, &rc);
      sqlite3_free(*pzErr);
      *pzErr = zKey==0 ? 0 : sqlite3_mprintf("softdelete: cannot restore row "
          "%lld of %s: %s is taken by live row %lld (unique index %s)", r,
          pT->zName, zKey, sqlite3_column_int64(pStmt, 0), pIdx->zName);
      sqlite3_free(zKey);
      rc = *pzErr ? SQLITE_CONSTRAINT_UNIQUE : SQLITE_NOMEM;
      sqlite3_finalize(pStmt);
    }else{
      rc = sqlite3_finalize(pStmt);
    }
  }
  return rc;
}

/*
** Is edge i the only key of its child table that a restore checks? A
** parent key is unique, so a child found through edge i from a parent row
** that comes back has no other parent to wait for.
*/
static int sdOnlyParentEdge(SdGraph *g, int i){
  int k, iChild = g->aEdge[i].iChild;
  for(k=0; k<g->nEdge; k++){
    if( k!=i && g->aEdge[k].iChild==iChild && g->aEdge[k].eAction!=SD_FK_NONE ){
      return 0;
    }
  }
  return 1;
}

/*
** Grow pSet (which holds the row to restore or purge) with the deleted rows
** that operation iOp cascaded to from its rows: the deleted rows carrying
** iOp of each CASCADE child that reference a row of the set, breadth
** first. For a restore (bRestore), a row with another parent that is still
** deleted, and neither in the set nor coming (iComing, pComing), is left
** out: it stays deleted, so no live row references a deleted one.
*/
static int sdOpClosure(SdGraph *g, SdRowSet *pSet, i64 iOp, int bRestore,
                       int iComing, const SdIdSet *pComing, char **pzErr){
  int k, i, rc = SQLITE_OK;
  for(k=0; rc==SQLITE_OK && k<pSet->n; k++){
    int n = pSet->a[k].iNode;
    i64 r = pSet->a[k].iRowid;
    for(i=0; rc==SQLITE_OK && i<g->nEdge; i++){
      SdEdge *e = &g->aEdge[i];
      int bCheck;
      if( e->iParent!=n || e->eAction!=SD_FK_CASCADE ) continue;
      if( (rc = sdReach(g, e->iChild, pzErr))!=SQLITE_OK ) break;
      if( (rc = sdEdgeStmt(g, e, &e->pParentKey, 0))!=SQLITE_OK ) break;
      if( (rc = sdEdgeStmt(g, e, &e->pOpKids, 2))!=SQLITE_OK ) break;
      sqlite3_bind_int64(e->pOpKids, e->nCol+1, iOp);
      /* A child whose only parent key is this one has no other parent to
      ** wait for. */
      bCheck = bRestore && !sdOnlyParentEdge(g, i);
      rc = sdKeyFirst(e->pParentKey, e->pOpKids, e->nCol, r);
      while( rc==SQLITE_ROW ){
        i64 c = sqlite3_column_int64(e->pOpKids, 0);
        int bSkip = 0;
        rc = SQLITE_OK;
        if( !sdRowSetHas(pSet, e->iChild, c) ){
          if( bCheck ){
            rc = sdParentDeleted(g, e->iChild, c, pSet, iComing, pComing, 0,
                                 pzErr, &bSkip);
          }
          if( rc==SQLITE_OK && !bSkip ) rc = sdRowSetAdd(pSet, e->iChild, c);
          if( rc ) break;
        }
        rc = sqlite3_step(e->pOpKids);
      }
      if( rc==SQLITE_DONE ) rc = SQLITE_OK;
      sqlite3_reset(e->pOpKids);
      sqlite3_reset(e->pParentKey);
    }
  }
  return rc;
}

int sdRestore(SdVtab *p, i64 iRowid, int bCascade, const SdIdSet *pComing,
              SdJournal *pJ, int *pnRestored, char **pzErr){
  SdGraph *g;
  SdRowSet set;
  sqlite3_stmt *pState;
  int iNode, rc, k, bBlocked = 0;
  i64 iOp = 0;
  int bHasOp = 0;

  *pnRestored = 0;
  rc = sdGraphFor(p, &g, &iNode, pzErr);
  if( rc ) return rc;
  if( iNode<0 ) return sdNotInGraph(p, pzErr);
  /* The row must exist; a live row has nothing to restore. */
  rc = sdPrepare(g->db, &pState, 0, "SELECT \"%w\" IS %s, \"%w\" FROM \"%w\".\"%w\" "
                 "WHERE %s=?1", p->zMarker, p->zLiveSql, p->zOpCol, p->zDb, p->zBase,
                 p->zRowid);
  if( rc ) return rc;
  sqlite3_bind_int64(pState, 1, iRowid);
  rc = sqlite3_step(pState);
  if( rc!=SQLITE_ROW ){
    sqlite3_finalize(pState);
    if( rc!=SQLITE_DONE ) return rc;
    *pzErr = sqlite3_mprintf("softdelete: %s has no row %lld", p->zName, iRowid);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if( sqlite3_column_int(pState, 0) ){
    return sqlite3_finalize(pState);
  }
  bHasOp = sqlite3_column_type(pState, 1)!=SQLITE_NULL;
  iOp = sqlite3_column_int64(pState, 1);
  rc = sqlite3_finalize(pState);
  if( rc ) return rc;

  /* 1. The closure: what its own operation cascaded to from it. */
  memset(&set, 0, sizeof(set));
  rc = sdRowSetAdd(&set, iNode, iRowid);
  if( rc==SQLITE_OK && bHasOp && bCascade ){
    rc = sdOpClosure(g, &set, iOp, 1, iNode, pComing, pzErr);
  }

  /* 2. Its own parents must be live, or come back with it (a row that is
  ** its own parent, a cycle deleted by one operation). */
  if( rc==SQLITE_OK ){
    rc = sdParentDeleted(g, iNode, iRowid, &set, iNode, pComing, 1, pzErr,
                         &bBlocked);
    if( rc==SQLITE_OK && bBlocked ) rc = SQLITE_CONSTRAINT_FOREIGNKEY;
  }

  /* 3. No restored row may take the live-unique key of a live row. */
  for(k=0; rc==SQLITE_OK && k<set.n; k++){
    rc = sdUniqueTaken(g, set.a[k].iNode, set.a[k].iRowid, pzErr);
  }

  /* 4. Writes. */
  for(k=0; rc==SQLITE_OK && k<set.n; k++){
    rc = sdMarkRow(g, set.a[k].iNode, set.a[k].iRowid, 0, 0, 0, pJ, pzErr);
  }
  if( rc ){
    sdJournalUndo(g->db, pJ);
  }else{
    *pnRestored = set.n;
  }
  sdRowSetClear(&set);
  return rc;
}

/* ---- Purge -------------------------------------------------------------- */

/*
** Remove row R for good, with the deleted rows its own operation cascaded
** to from it (the rows sd_restore would bring back with it), so that no
** restore can ever make a live row whose parent is gone. A live row that
** references a removed row through an ON DELETE RESTRICT key refuses the
** whole purge, foreign keys on or off. The rows go deepest first, each by
** one nested DELETE, so SQLite's own foreign-key actions (when PRAGMA
** foreign_keys is on) apply to each. *pnTable: rows removed from R's own
** table (0 when R does not exist, or is live and bDeletedOnly is set). Atomicity is the caller's: a function's
** transaction, or the statement journal of a trash DELETE.
*/
int sdPurge(SdVtab *p, i64 iRowid, int bDeletedOnly, int bOneWrite,
            i64 *pnTable, char **pzErr){
  SdGraph *g;
  SdRowSet set;
  sqlite3_stmt *pState = 0;
  int iNode, rc, k, bHasOp = 0, bDeleted = 0, bFkOn = 0;
  i64 iOp = 0;

  *pnTable = 0;
  rc = sdGraphFor(p, &g, &iNode, pzErr);
  if( rc ) return rc;
  if( iNode<0 ) return sdNotInGraph(p, pzErr);
  rc = sdPrepare(g->db, &pState, 0, "SELECT \"%w\" IS NOT %s, \"%w\" FROM "
                 "\"%w\".\"%w\" WHERE %s=?1", p->zMarker, p->zLiveSql, p->zOpCol,
                 p->zDb, p->zBase, p->zRowid);
  if( rc ) return rc;
  sqlite3_bind_int64(pState, 1, iRowid);
  rc = sqlite3_step(pState);
  if( rc==SQLITE_ROW ){
    bDeleted = sqlite3_column_int(pState, 0);
    bHasOp = sqlite3_column_type(pState, 1)!=SQLITE_NULL;
    iOp = sqlite3_column_int64(pState, 1);
    rc = SQLITE_OK;
  }
  if( rc==SQLITE_DONE ){
    return sqlite3_finalize(pState);       /* no such row: nothing removed */
  }
  sqlite3_finalize(pState);
  if( rc ) return rc;
  if( bDeletedOnly && !bDeleted ) return SQLITE_OK;

  /* 1. The rows its operation cascaded to from it. */
  memset(&set, 0, sizeof(set));
  rc = sdRowSetAdd(&set, iNode, iRowid);
  if( rc==SQLITE_OK && bDeleted && bHasOp ){
    rc = sdOpClosure(g, &set, iOp, 0, iNode, 0, pzErr);
  }

  /* 2. A live row holding a RESTRICT key onto a row to go refuses it. */
  if( rc==SQLITE_OK ) rc = sdLiveRefusals(g, &set, 0, "purge", pzErr);

  /* 3. The writes. With foreign keys on, SQLite's own ON DELETE CASCADE
  ** takes the whole set (every row of it is reached from R through CASCADE
  ** keys) with R, in one statement, in an order that honours every key,
  ** cycles included: only R is deleted here. With them off, nothing
  ** follows any key, and each row of the set is deleted on its own. */
  sqlite3_db_config(g->db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &bFkOn);
  if( rc==SQLITE_OK && bFkOn ) set.n = 1;
  if( rc==SQLITE_OK && bOneWrite && set.n>1 ){
    sqlite3_free(*pzErr);
    *pzErr = sqlite3_mprintf("softdelete: purging row %lld of %s removes %d "
        "rows, which cannot be done atomically inside a statement that is "
        "itself writing (such as INSERT ... VALUES); run it in a statement of "
        "its own", iRowid, p->zName, set.n);
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  for(k=set.n-1; rc==SQLITE_OK && k>=0; k--){
    int n = set.a[k].iNode;
    SdVtab *pT = g->apNode[n];
    sqlite3_stmt *pDel;
    if( g->apPurge[n]==0 ){
      rc = sdPrepare(g->db, &g->apPurge[n], 1, "DELETE FROM \"%w\".\"%w\" "
                     "WHERE %s=?1", pT->zDb, pT->zBase, pT->zRowid);
      if( rc ) break;
    }
    pDel = g->apPurge[n];
    sqlite3_bind_int64(pDel, 1, set.a[k].iRowid);
    sqlite3_step(pDel);
    rc = sqlite3_reset(pDel);
    if( rc ){
      sqlite3_free(*pzErr);
      *pzErr = sqlite3_mprintf("softdelete: cannot purge row %lld of %s: %s",
                               set.a[k].iRowid, pT->zName, sqlite3_errmsg(g->db));
      if( *pzErr==0 ) rc = SQLITE_NOMEM;
    }else if( n==iNode ){
      *pnTable += sqlite3_changes(g->db);
    }
  }
  sdRowSetClear(&set);
  return rc;
}

/* ---- Live parents ------------------------------------------------------- */

/* Does p's base declare a foreign key (read again after a schema change)? */
static int sdHasForeignKeys(SdVtab *p, int *pbHas){
  int v = 0, rc = sdSchemaVersion(p, &v);
  if( rc ) return rc;
  if( p->iFkSchema!=v+1 ){
    sqlite3_stmt *pStmt = 0;
    rc = sdPrepare(p->db, &pStmt, 0,
                   "SELECT count(*) FROM pragma_foreign_key_list(?1, ?2)");
    if( rc ) return rc;
    sqlite3_bind_text(pStmt, 1, p->zBase, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, p->zDb, -1, SQLITE_STATIC);
    p->bHasFk = sqlite3_step(pStmt)==SQLITE_ROW && sqlite3_column_int(pStmt, 0)>0;
    rc = sqlite3_finalize(pStmt);
    if( rc ) return rc;
    p->iFkSchema = v+1;
  }
  *pbHas = p->bHasFk;
  return SQLITE_OK;
}

/* Vtab column of base column zName, or -1. */
static int sdVtabCol(SdVtab *p, const char *zName){
  int j;
  for(j=0; j<p->nCol; j++){
    if( sdStrICmp(p->aCol[j].zName, zName)==0 ) return j;
  }
  return -1;
}

/*
** Bind v to parameter i of pStmt as the child column pCol stores it: with
** its affinity ('2' into an INTEGER column is 2), which is the value the
** parent key must match.
*/
static int sdBindStored(sqlite3_stmt *pStmt, int i, SdCol *pCol, sqlite3_value *v){
  int t = sqlite3_value_type(v), rc;
  if( t==SQLITE_TEXT && (pCol->eAff==SD_AFF_INTEGER || pCol->eAff==SD_AFF_REAL
                      || pCol->eAff==SD_AFF_NUMERIC) ){
    /* An integer literal is stored as that integer. Other texts are bound
    ** as they are: the comparison with the parent key applies its
    ** affinity. (Not sqlite3_value_numeric_type() on a copy: it crashes
    ** SQLite 3.52.0 for some texts.) */
    i64 iVal = 0;
    if( sdTextInteger((const char*)sqlite3_value_text(v), &iVal) ){
      return sqlite3_bind_int64(pStmt, i, iVal);
    }
    rc = sqlite3_bind_value(pStmt, i, v);
    return rc;
  }
  if( (t==SQLITE_INTEGER || t==SQLITE_FLOAT) && pCol->eAff==SD_AFF_TEXT ){
    return sqlite3_bind_text(pStmt, i, (const char*)sqlite3_value_text(v), -1,
                             SQLITE_TRANSIENT);
  }
  return sqlite3_bind_value(pStmt, i, v);
}

/*
** Before an INSERT or UPDATE through live table p writes the values aVal
** (one per vtab column; pNewRowid the new rowid, or NULL): with PRAGMA
** foreign_keys on, a live row must not come to reference a soft-deleted
** row of another wrapped table (any ON DELETE action). For an UPDATE
** (iOld the row), a key that keeps its value is not checked (it references
** nothing new), and a key column the UPDATE leaves alone is read from the
** row. One lookup of the parent key per foreign key, through the parent's
** PRIMARY KEY or UNIQUE index (SQLite requires one for a parent key).
** SQLITE_CONSTRAINT_FOREIGNKEY with *pzErr set when refused; zVerb says
** what was refused ("insert into", "update").
*/
int sdCheckParents(SdVtab *p, sqlite3_value **aVal, sqlite3_value *pNewRowid,
                   int bUpdate, i64 iOld, const char *zVerb, char **pzErr){
  SdGraph *g;
  int iNode, rc, i, k, bOn = 0, bHas = 0;
  sqlite3_db_config(p->db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &bOn);
  if( !bOn ) return SQLITE_OK;
  rc = sdHasForeignKeys(p, &bHas);
  if( rc || !bHas ) return rc;
  rc = sdGraphFor(p, &g, &iNode, pzErr);
  if( rc || iNode<0 ) return rc;
  for(i=0; rc==SQLITE_OK && i<g->nEdge; i++){
    SdEdge *e = &g->aEdge[i];
    sqlite3_value *aKey[16];
    sqlite3_stmt *pCur = 0;
    int aiCol[16], bNull = 0, bSame = bUpdate;
    if( e->iChild!=iNode || e->nCol>16 ) continue;
    for(k=0; k<e->nCol && rc==SQLITE_OK; k++){
      int j = sdVtabCol(p, e->azFrom[k]);
      sqlite3_value *v;
      if( j<0 ){ bNull = 1; break; }
      aiCol[k] = j;
      v = aVal[j];
      if( j==p->iPk && pNewRowid
       && (sqlite3_value_nochange(v) || sqlite3_value_type(v)==SQLITE_NULL) ){
        v = pNewRowid;                        /* the rowid alias */
      }
      if( bUpdate && (pCur==0) ){
        /* The row as it is: unchanged key columns, and what "same" means. */
        sqlite3_str *s = sqlite3_str_new(p->db);
        char *zSql;
        int m;
        sqlite3_str_appendall(s, "SELECT ");
        for(m=0; m<e->nCol; m++){
          sqlite3_str_appendf(s, "%s\"sd\".\"%w\"", m ? ", " : "", e->azFrom[m]);
        }
        sqlite3_str_appendf(s, " FROM \"%w\".\"%w\" AS \"sd\" WHERE \"sd\".%s=?1",
                            p->zDb, p->zBase, p->zRowid);
        zSql = sdMprintfStr(s, &rc);
        if( rc ) break;
        rc = sqlite3_prepare_v2(p->db, zSql, -1, &pCur, 0);
        sqlite3_free(zSql);
        if( rc ) break;
        sqlite3_bind_int64(pCur, 1, iOld);
        if( sqlite3_step(pCur)!=SQLITE_ROW ){ bNull = 1; break; }
      }
      if( sqlite3_value_nochange(v) ){
        v = pCur ? sqlite3_column_value(pCur, k) : 0;
        if( v==0 ){ bNull = 1; break; }
      }else if( pCur && !sdSameValue(v, sqlite3_column_value(pCur, k)) ){
        bSame = 0;
      }
      if( sqlite3_value_type(v)==SQLITE_NULL ){ bNull = 1; break; }
      aKey[k] = v;
    }
    if( rc==SQLITE_OK && !bNull && !bSame ){
      if( (rc = sdReach(g, e->iParent, pzErr))==SQLITE_OK
       && (rc = sdEdgeStmt(g, e, &e->pParentRow, 4))==SQLITE_OK ){
        for(k=0; rc==SQLITE_OK && k<e->nCol; k++){
          rc = sdBindStored(e->pParentRow, k+1, &p->aCol[aiCol[k]], aKey[k]);
        }
      }
      if( rc==SQLITE_OK ){
        rc = sqlite3_step(e->pParentRow);
        if( rc==SQLITE_ROW && sqlite3_column_int(e->pParentRow, 1)==0 ){
          SdVtab *pP = g->apNode[e->iParent];
          i64 iParent = sqlite3_column_int64(e->pParentRow, 0);
          sqlite3_str *s = sqlite3_str_new(0);
          char *zKey;
          int rc2 = SQLITE_OK;
          for(k=0; k<e->nCol; k++){
            char *zVal = sdQuoteValue(aKey[k]);
            sqlite3_str_appendf(s, "%s%s=%s", k ? ", " : "", e->azFrom[k],
                                zVal ? zVal : "?");
            sqlite3_free(zVal);
          }
          zKey = sdMprintfStr(s, &rc2);
          sqlite3_free(*pzErr);
          *pzErr = zKey==0 ? 0 : sqlite3_mprintf("softdelete: cannot %s %s: %s "
              "references row %lld of %s, which is deleted; restore it first "
              "(SELECT sd_restore('%q.%q', %lld), or UPDATE a trash table of %s)",
              zVerb, p->zName, zKey, iParent, pP->zName, pP->zDb, pP->zName,
              iParent, pP->zName);
          sqlite3_free(zKey);
          rc = *pzErr ? SQLITE_CONSTRAINT_FOREIGNKEY : SQLITE_NOMEM;
        }else if( rc==SQLITE_ROW || rc==SQLITE_DONE ){
          rc = SQLITE_OK;
        }
      }
      sqlite3_reset(e->pParentRow);
    }
    sqlite3_finalize(pCur);
  }
  return rc;
}
