/*
** sd_oplog.c: sd_operations, the soft-delete operations of the schema.
**
**   SELECT op, tbl, deleted_at, actor, rows, schema FROM sd_operations;
**
** An eponymous, read-only table with one row per (operation, table): the
** operation id, the live table's name, the deletion time the operation
** wrote (the marker value), the actor it recorded (NULL where the table has
** no actor= column), how many deleted rows of the table still carry it,
** and the schema. Nothing is stored: each scan reads the base tables of the
** show=live softdelete tables of every attached schema, one statement
**
**   SELECT op, min(marker), min(actor), count(*) FROM base
**    WHERE op IS NOT NULL AND marker IS NOT NULL [AND op = ?] GROUP BY op
**
** per table, which the partial index "sd_<base>_<marker>_op" on
** (op, marker[, actor]) WHERE op IS NOT NULL covers (created with the
** table: sdEnsureColumns). A scan costs the deleted rows that carry an
** operation, and with op = ? the rows of that operation only. A table that
** cannot be read (its base gone, its marker lost: using it says why) is
** left out.
*/
#include "softdelete.h"

#define SD_OPS_OP     0
#define SD_OPS_TBL    1
#define SD_OPS_TIME   2
#define SD_OPS_ACTOR  3
#define SD_OPS_ROWS   4
#define SD_OPS_SCHEMA 5

typedef struct SdOpsVtab SdOpsVtab;
struct SdOpsVtab {
  sqlite3_vtab base;        /* Base class. Must be first */
  sqlite3 *db;
  SdConn *pConn;
};

typedef struct SdOpsCursor SdOpsCursor;
struct SdOpsCursor {
  sqlite3_vtab_cursor base; /* Base class. Must be first */
  sqlite3_stmt *pStmt;      /* The UNION ALL over every table, or NULL */
  int bEof;
  i64 iRow;
};

static int sdOpsConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                        sqlite3_vtab **ppVtab, char **pzErr){
  SdOpsVtab *p;
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, "CREATE TABLE x(op INTEGER, tbl TEXT, "
                            "deleted_at, actor, \"rows\" INTEGER, schema TEXT)");
  if( rc ) return rc;
  p = sqlite3_malloc64(sizeof(*p));
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->db = db;
  p->pConn = (SdConn*)pAux;
  /* Reading has no side effect: usable from views under trusted_schema=OFF. */
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  *ppVtab = &p->base;
  return SQLITE_OK;
}

static int sdOpsDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/*
** idxNum bit 1: argv holds op = ?; bit 2: argv holds tbl = ? (after op).
** SQLite checks both again (omit stays 0): the filters only narrow the
** statements, tbl case-insensitively.
*/
static int sdOpsBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  int i, iOp = -1, iTbl = -1, n = 0;
  double cost = 1e6;
  (void)pVtab;
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    if( !pC->usable || pC->op!=SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    if( pC->iColumn==SD_OPS_OP ) iOp = i;
    if( pC->iColumn==SD_OPS_TBL ) iTbl = i;
  }
  pInfo->idxNum = 0;
  if( iOp>=0 ){
    pInfo->aConstraintUsage[iOp].argvIndex = ++n;
    pInfo->idxNum |= 1;
    cost /= 1000;
  }
  if( iTbl>=0 ){
    pInfo->aConstraintUsage[iTbl].argvIndex = ++n;
    pInfo->idxNum |= 2;
    cost /= 10;
  }
  pInfo->estimatedCost = cost;
  pInfo->estimatedRows = iOp>=0 ? 4 : 1000;
  return SQLITE_OK;
}

static int sdOpsOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  SdOpsCursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  pCur->bEof = 1;
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static int sdOpsClose(sqlite3_vtab_cursor *cur){
  SdOpsCursor *pCur = (SdOpsCursor*)cur;
  sqlite3_finalize(pCur->pStmt);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

/* Append the statement of one table to the UNION ALL being built. */
static void sdOpsAppend(sqlite3_str *s, SdVtab *pT, int bOp, int *pnArm){
  sqlite3_str_appendf(s, "%sSELECT \"%w\" AS op, %Q AS tbl, min(\"%w\") AS t, ",
                      *pnArm ? " UNION ALL " : "", pT->zOpCol, pT->zName,
                      pT->zMarker);
  if( pT->zActor ) sqlite3_str_appendf(s, "min(\"%w\")", pT->zActor);
  else sqlite3_str_appendall(s, "NULL");
  sqlite3_str_appendf(s, " AS a, count(*) AS n, %Q AS s FROM \"%w\".\"%w\" "
                      "WHERE \"%w\" IS NOT NULL AND \"%w\" IS NOT NULL",
                      pT->zDb, pT->zDb, pT->zBase, pT->zOpCol, pT->zMarker);
  if( bOp ) sqlite3_str_appendf(s, " AND \"%w\"=?1", pT->zOpCol);
  sqlite3_str_appendall(s, " GROUP BY 1");
  (*pnArm)++;
}

/*
** The statement over every show=live softdelete table of every schema
** (named zTbl, if not NULL), or NULL in *ppStmt when there is none.
*/
static int sdOpsPrepare(SdOpsVtab *pTab, int bOp, const char *zTbl,
                        sqlite3_stmt **ppStmt){
  sqlite3 *db = pTab->db;
  sqlite3_stmt *pDbs = 0;
  sqlite3_str *s = sqlite3_str_new(db);
  int rc, nArm = 0;
  char *zSql;
  *ppStmt = 0;
  rc = sdPrepare(db, &pDbs, 0, "SELECT name FROM pragma_database_list ORDER BY seq");
  while( rc==SQLITE_OK && sqlite3_step(pDbs)==SQLITE_ROW ){
    const char *zDb = sdColumnText(pDbs, 0, &rc);
    sqlite3_stmt *pTabs = 0;
    if( rc || zDb==0 ) break;
    rc = sdPrepare(db, &pTabs, 0, "SELECT name, CAST(sql AS TEXT) FROM "
        "\"%w\".sqlite_master WHERE type='table' AND sql LIKE "
        "'%%virtual%%softdelete%%' ORDER BY name", zDb);
    while( rc==SQLITE_OK && sqlite3_step(pTabs)==SQLITE_ROW ){
      const char *zName = sdColumnText(pTabs, 0, &rc);
      const char *zCreate = sdColumnText(pTabs, 1, &rc);
      SdVtab *pT = 0;
      char *zErr = 0;
      if( rc || zName==0 ) break;
      if( zTbl && sdStrICmp(zTbl, zName)!=0 ) continue;
      /* As a cascade sees it: never alters a base, show=live tables only. */
      rc = sdVtabFromSql(db, pTab->pConn, zDb, zName, zCreate, 1, &pT, &zErr);
      sqlite3_free(zErr);
      if( rc==SQLITE_ERROR ) rc = SQLITE_OK;   /* not a table we can read */
      if( rc==SQLITE_OK && pT && pT->zMissing==0 ) sdOpsAppend(s, pT, bOp, &nArm);
      sdTableFree(pT);
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pTabs);
    else sqlite3_finalize(pTabs);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pDbs);
  else sqlite3_finalize(pDbs);
  zSql = sdMprintfStr(s, &rc);
  if( rc==SQLITE_OK && nArm>0 ){
    rc = sqlite3_prepare_v2(db, zSql, -1, ppStmt, 0);
  }
  sqlite3_free(zSql);
  return rc;
}

static int sdOpsFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                       int argc, sqlite3_value **argv){
  SdOpsCursor *pCur = (SdOpsCursor*)cur;
  SdOpsVtab *pTab = (SdOpsVtab*)cur->pVtab;
  const char *zTbl = 0;
  int rc, iArg = 0;
  (void)idxStr; (void)argc;
  sqlite3_finalize(pCur->pStmt);
  pCur->pStmt = 0;
  pCur->bEof = 1;
  pCur->iRow = 0;
  if( idxNum & 1 ){
    /* Operation ids are integers: no other value names one. */
    if( sqlite3_value_numeric_type(argv[iArg])!=SQLITE_INTEGER ) return SQLITE_OK;
    iArg++;
  }
  if( idxNum & 2 ){
    zTbl = (const char*)sqlite3_value_text(argv[iArg]);
    if( zTbl==0 ) return sqlite3_value_type(argv[iArg])==SQLITE_NULL
                       ? SQLITE_OK : SQLITE_NOMEM;
  }
  rc = sdOpsPrepare(pTab, idxNum & 1, zTbl, &pCur->pStmt);
  if( rc==SQLITE_OK && pCur->pStmt ){
    if( idxNum & 1 ) sqlite3_bind_int64(pCur->pStmt, 1, sqlite3_value_int64(argv[0]));
    rc = sqlite3_step(pCur->pStmt);
    if( rc==SQLITE_ROW ){ pCur->bEof = 0; rc = SQLITE_OK; }
    else if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  if( rc ){
    sqlite3_free(pTab->base.zErrMsg);
    pTab->base.zErrMsg = sqlite3_mprintf("softdelete: cannot list the "
        "operations: %s", sdErrMsg(pTab->db, rc));
  }
  return rc;
}

static int sdOpsNext(sqlite3_vtab_cursor *cur){
  SdOpsCursor *pCur = (SdOpsCursor*)cur;
  int rc = sqlite3_step(pCur->pStmt);
  pCur->iRow++;
  if( rc==SQLITE_ROW ) return SQLITE_OK;
  pCur->bEof = 1;
  if( rc==SQLITE_DONE ) return SQLITE_OK;
  return rc;
}

static int sdOpsEof(sqlite3_vtab_cursor *cur){
  return ((SdOpsCursor*)cur)->bEof;
}

static int sdOpsColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  SdOpsCursor *pCur = (SdOpsCursor*)cur;
  sqlite3_result_value(ctx, sqlite3_column_value(pCur->pStmt, i));
  return SQLITE_OK;
}

static int sdOpsRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((SdOpsCursor*)cur)->iRow;
  return SQLITE_OK;
}

/* xCreate is NULL: the table is eponymous only ("CREATE VIRTUAL TABLE x
** USING sd_operations" is refused by SQLite). */
sqlite3_module sdOperationsModule = {
  0,                  /* iVersion */
  0,                  /* xCreate: eponymous only */
  sdOpsConnect,       /* xConnect */
  sdOpsBestIndex,     /* xBestIndex */
  sdOpsDisconnect,    /* xDisconnect */
  sdOpsDisconnect,    /* xDestroy */
  sdOpsOpen,          /* xOpen */
  sdOpsClose,         /* xClose */
  sdOpsFilter,        /* xFilter */
  sdOpsNext,          /* xNext */
  sdOpsEof,           /* xEof */
  sdOpsColumn,        /* xColumn */
  sdOpsRowid,         /* xRowid */
  0,                  /* xUpdate: read-only */
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};
