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
** show=live softdelete tables of every attached schema (found from their
** CREATE VIRTUAL TABLE texts, without building them), one statement
**
**   SELECT op, min(marker), min(actor), count(*) FROM base
**    WHERE op IS NOT NULL AND marker IS NOT NULL [AND op = ?] GROUP BY op
**
** per table in turn, which the partial index "sd_<base>_<marker>_op" on
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

/* One show=live softdelete table whose operations a scan lists. */
typedef struct SdOpsTable SdOpsTable;
struct SdOpsTable {
  char *zDb, *zName, *zBase, *zMarker, *zActor;
  char *zLiveSql;           /* live=, as an SQL literal */
};

typedef struct SdOpsCursor SdOpsCursor;
struct SdOpsCursor {
  sqlite3_vtab_cursor base; /* Base class. Must be first */
  SdOpsTable *aTab;         /* The tables of the scan */
  int nTab, nAlloc;
  int iTab;                 /* Table pStmt reads */
  sqlite3_stmt *pStmt;      /* Its operations, or NULL */
  int bOp;                  /* Filter on one operation ... */
  i64 iOp;                  /* ... this one */
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

static void sdOpsReset(SdOpsCursor *pCur){
  int i;
  sqlite3_finalize(pCur->pStmt);
  pCur->pStmt = 0;
  for(i=0; i<pCur->nTab; i++){
    SdOpsTable *pT = &pCur->aTab[i];
    sqlite3_free(pT->zDb);
    sqlite3_free(pT->zName);
    sqlite3_free(pT->zBase);
    sqlite3_free(pT->zMarker);
    sqlite3_free(pT->zLiveSql);
    sqlite3_free(pT->zActor);
  }
  pCur->nTab = 0;
  pCur->iTab = 0;
  pCur->bEof = 1;
  pCur->iRow = 0;
}

static int sdOpsClose(sqlite3_vtab_cursor *cur){
  SdOpsCursor *pCur = (SdOpsCursor*)cur;
  sdOpsReset(pCur);
  sqlite3_free(pCur->aTab);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

/* sdForEachLiveTable: add a table to the scan (named zTbl, if set). */
typedef struct SdOpsList SdOpsList;
struct SdOpsList { SdOpsCursor *pCur; const char *zTbl; };

static int sdOpsAdd(void *pArg, const char *zDb, const char *zName,
                    const SdTableOptions *pOpt){
  SdOpsList *pL = (SdOpsList*)pArg;
  SdOpsCursor *pCur = pL->pCur;
  SdOpsTable *pT;
  if( pL->zTbl && sdStrICmp(pL->zTbl, zName)!=0 ) return SQLITE_OK;
  if( pCur->nTab>=pCur->nAlloc ){
    int nNew = pCur->nAlloc ? pCur->nAlloc*2 : 8;
    SdOpsTable *aNew = sqlite3_realloc64(pCur->aTab, sizeof(*aNew)*nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    pCur->aTab = aNew;
    pCur->nAlloc = nNew;
  }
  pT = &pCur->aTab[pCur->nTab++];
  pT->zDb = sqlite3_mprintf("%s", zDb);
  pT->zName = sqlite3_mprintf("%s", zName);
  pT->zBase = sqlite3_mprintf("%s", pOpt->zBase);
  pT->zMarker = sqlite3_mprintf("%s", pOpt->zMarker);
  pT->zLiveSql = sqlite3_mprintf("%s", pOpt->zLiveSql);
  pT->zActor = pOpt->zActor ? sqlite3_mprintf("%s", pOpt->zActor) : 0;
  if( !pT->zDb || !pT->zName || !pT->zBase || !pT->zMarker || !pT->zLiveSql
   || (pOpt->zActor && !pT->zActor) ){
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

/* The show=live softdelete tables of every schema (named zTbl, if set). */
static int sdOpsTables(SdOpsCursor *pCur, sqlite3 *db, const char *zTbl){
  SdOpsList l;
  l.pCur = pCur;
  l.zTbl = zTbl;
  return sdForEachLiveTable(db, sdOpsAdd, &l);
}

/*
** Move to the next row: the next operation of the current table, else the
** first of the next table that has one. A table whose statement cannot be
** prepared (its base gone, a column lost: using it says why) is skipped.
*/
static int sdOpsStep(SdOpsCursor *pCur, sqlite3 *db){
  int rc;
  while( 1 ){
    if( pCur->pStmt ){
      rc = sqlite3_step(pCur->pStmt);
      if( rc==SQLITE_ROW ) return SQLITE_OK;
      rc = sqlite3_finalize(pCur->pStmt);
      pCur->pStmt = 0;
      if( rc ) return rc;
      pCur->iTab++;
    }
    if( pCur->iTab>=pCur->nTab ){
      pCur->bEof = 1;
      return SQLITE_OK;
    }
    {
      SdOpsTable *pT = &pCur->aTab[pCur->iTab];
      char *zOp = sqlite3_mprintf("%s_op", pT->zMarker);
      sqlite3_str *s = sqlite3_str_new(db);
      char *zSql;
      if( zOp==0 ){ sqlite3_free(sqlite3_str_finish(s)); return SQLITE_NOMEM; }
      /* Qualified names: a lost column is an error, never a string. */
      sqlite3_str_appendf(s, "SELECT \"sd\".\"%w\", min(\"sd\".\"%w\"), ",
                          zOp, pT->zMarker);
      if( pT->zActor ) sqlite3_str_appendf(s, "min(\"sd\".\"%w\")", pT->zActor);
      else sqlite3_str_appendall(s, "NULL");
      sqlite3_str_appendf(s, ", count(*) FROM \"%w\".\"%w\" AS \"sd\" WHERE "
          "\"sd\".\"%w\" IS NOT NULL AND \"sd\".\"%w\" IS NOT %s",
          pT->zDb, pT->zBase, zOp, pT->zMarker, pT->zLiveSql);
      if( pCur->bOp ) sqlite3_str_appendf(s, " AND \"sd\".\"%w\"=?1", zOp);
      sqlite3_str_appendall(s, " GROUP BY 1");
      sqlite3_free(zOp);
      rc = SQLITE_OK;
      zSql = sdMprintfStr(s, &rc);
      if( rc ) return rc;
      rc = sqlite3_prepare_v2(db, zSql, -1, &pCur->pStmt, 0);
      sqlite3_free(zSql);
      if( rc==SQLITE_ERROR ){
        pCur->iTab++;                 /* not a table we can read */
        continue;
      }
      if( rc ) return rc;
      if( pCur->bOp ) sqlite3_bind_int64(pCur->pStmt, 1, pCur->iOp);
    }
  }
}

static int sdOpsFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                       int argc, sqlite3_value **argv){
  SdOpsCursor *pCur = (SdOpsCursor*)cur;
  SdOpsVtab *pTab = (SdOpsVtab*)cur->pVtab;
  const char *zTbl = 0;
  int rc, iArg = 0;
  (void)idxStr; (void)argc;
  sdOpsReset(pCur);
  pCur->bOp = 0;
  if( idxNum & 1 ){
    /* Operation ids are integers: another value names none, but 5.0 and
    ** '5' name 5, as they do for SQLite's comparison. */
    sqlite3_value *v = argv[iArg++];
    int t = sqlite3_value_numeric_type(v);
    if( t==SQLITE_INTEGER ){
      pCur->iOp = sqlite3_value_int64(v);
    }else if( t==SQLITE_FLOAT ){
      double r = sqlite3_value_double(v);
      if( !(r>=-9.2e18 && r<=9.2e18) || r!=(double)(i64)r ) return SQLITE_OK;
      pCur->iOp = (i64)r;
    }else{
      return SQLITE_OK;
    }
    pCur->bOp = 1;
  }
  if( idxNum & 2 ){
    zTbl = (const char*)sqlite3_value_text(argv[iArg]);
    if( zTbl==0 ) return sqlite3_value_type(argv[iArg])==SQLITE_NULL
                       ? SQLITE_OK : SQLITE_NOMEM;
  }
  pCur->bEof = 0;
  rc = sdOpsTables(pCur, pTab->db, zTbl);
  if( rc==SQLITE_OK ) rc = sdOpsStep(pCur, pTab->db);
  if( rc ){
    pCur->bEof = 1;
    sqlite3_free(pTab->base.zErrMsg);
    pTab->base.zErrMsg = sqlite3_mprintf("softdelete: cannot list the "
        "operations: %s", sdErrMsg(pTab->db, rc));
  }
  return rc;
}

static int sdOpsNext(sqlite3_vtab_cursor *cur){
  SdOpsCursor *pCur = (SdOpsCursor*)cur;
  SdOpsVtab *pTab = (SdOpsVtab*)cur->pVtab;
  int rc = sdOpsStep(pCur, pTab->db);
  pCur->iRow++;
  if( rc ) pCur->bEof = 1;
  return rc;
}

static int sdOpsEof(sqlite3_vtab_cursor *cur){
  return ((SdOpsCursor*)cur)->bEof;
}

static int sdOpsColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  SdOpsCursor *pCur = (SdOpsCursor*)cur;
  SdOpsTable *pT = &pCur->aTab[pCur->iTab];
  switch( i ){
    case SD_OPS_OP:   sqlite3_result_value(ctx, sqlite3_column_value(pCur->pStmt, 0)); break;
    case SD_OPS_TBL:  sqlite3_result_text(ctx, pT->zName, -1, SQLITE_TRANSIENT); break;
    case SD_OPS_TIME: sqlite3_result_value(ctx, sqlite3_column_value(pCur->pStmt, 1)); break;
    case SD_OPS_ACTOR: sqlite3_result_value(ctx, sqlite3_column_value(pCur->pStmt, 2)); break;
    case SD_OPS_ROWS: sqlite3_result_value(ctx, sqlite3_column_value(pCur->pStmt, 3)); break;
    default:          sqlite3_result_text(ctx, pT->zDb, -1, SQLITE_TRANSIENT); break;
  }
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
