/*
** sd_table.c: the description of a softdelete table, SdVtab.
**
**   CREATE VIRTUAL TABLE posts USING softdelete(posts_data
**       [, column=deleted_at] [, format=datetime] [, show=live|deleted|all]
**       [, actor=NAME] [, retain=DURATION]);
**
** sdTableInit() builds an SdVtab from the module arguments, for xCreate and
** xConnect (softdelete.c), for the SQL functions (sdFindVtab) and for the
** cascade graph (sdVtabFromSql): it checks the base table (an ordinary rowid
** table in the same schema), reads its columns and indexes, and declares
** the virtual table with the same columns, types and collations. A live
** table declares the marker and the actor HIDDEN and leaves the operation
** column (<marker>_op) out; a trash or all table (show=deleted|all) takes
** its options from the live table and shows all three after the base's own.
** When the base lacks the marker or the operation column, sdEnsureColumns()
** adds them at the first safe moment (see there: not inside xCreate).
**
** Connecting never alters the base. If the base has gone (renamed away,
** dropped) or its marker cannot be used, xConnect still succeeds, declaring
** a placeholder column, so that DROP TABLE works; every other use then fails
** with SdVtab.zMissing, an error naming the base.
**
** This file calls only the helpers below it (sd_text.c, sd_util.c): the
** planner, the write path, the cascades and the functions build on it.
*/
#include "softdelete.h"


/* Options parsed from the module arguments. */
typedef struct SdArgs SdArgs;
struct SdArgs {
  char *zBase;              /* Base table name, dequoted */
  char *zMarker;            /* column=, or NULL (deleted_at) */
  int eFormat;              /* format=, or -1 (datetime) */
  int eShow;                /* show=, or -1 (live) */
  char *zActor;             /* actor=, or NULL (none) */
  char *zRetain;            /* retain=, or NULL (none) */
  char *zLiveSql;           /* live= as an SQL literal, or NULL (not given) */
  int eGuard;               /* guard=: 1 on, 0 off, -1 not given */
};

static void sdArgsClear(SdArgs *a){
  sqlite3_free(a->zBase);
  sqlite3_free(a->zMarker);
  sqlite3_free(a->zActor);
  sqlite3_free(a->zRetain);
  sqlite3_free(a->zLiveSql);
  memset(a, 0, sizeof(*a));
}

/* Which columns softdelete manages the base has (sdReadColumns). */
#define SD_HAVE_MARKER 1
#define SD_HAVE_OP     2
#define SD_HAVE_ACTOR  4

#define SD_OPTIONS "column=, format=, live=, show=, actor=, retain= or guard="

/* The live value: live= as given, else what the format implies. */
static const char *sdLiveOf(const SdArgs *a){
  if( a->zLiveSql ) return a->zLiveSql;
  return a->eFormat==SD_FMT_ACTIVE ? "1" : "NULL";
}

/*
** Is z a duration "N unit" (N a number, unit one of SQLite's modifier units:
** seconds, minutes, hours, days, months, years, singular or plural), as
** retain= takes it? The cutoff is then "now, -N unit" (sd_purge_expired).
*/
static int sdIsDuration(const char *z){
  static const char *const azUnit[] = {
    "second", "minute", "hour", "day", "month", "year"
  };
  int i = 0, nDigit = 0, k;
  while( sdIsSpace(z[i]) ) i++;
  while( (z[i]>='0' && z[i]<='9') || (z[i]=='.' && nDigit>0) ){
    if( z[i]!='.' ) nDigit++;
    i++;
  }
  if( nDigit==0 || !sdIsSpace(z[i]) ) return 0;
  while( sdIsSpace(z[i]) ) i++;
  for(k=0; k<6; k++){
    int n = (int)strlen(azUnit[k]);
    if( sqlite3_strnicmp(&z[i], azUnit[k], n)==0 ){
      int j = i + n;
      if( z[j]=='s' || z[j]=='S' ) j++;
      while( sdIsSpace(z[j]) ) j++;
      return z[j]==0;
    }
  }
  return 0;
}

/*
** Parse the module arguments: the base table, then key=value options.
** Comments and white space are allowed wherever SQLite allows them
** (sd_text.c reads the arguments as SQLite's tokenizer would).
*/
static int sdParseArgs(int nArg, const char *const *azArg, SdArgs *a, char **pzErr){
  int i, rc, bDot = 0, bEq = 0;
  int mSeen = 0;
  char *zKey = 0, *zVal = 0;
  memset(a, 0, sizeof(*a));
  a->eFormat = a->eShow = a->eGuard = -1;
  if( nArg<1 || azArg[0][0]==0 ){
    *pzErr = sqlite3_mprintf("softdelete: missing base table name: "
        "CREATE VIRTUAL TABLE name USING softdelete(base_table)");
    return SQLITE_ERROR;
  }
  rc = sdArgSplit(azArg[0], &zKey, &zVal, &bEq);
  sqlite3_free(zKey);
  sqlite3_free(zVal);
  if( rc ) return rc;
  if( bEq ){
    *pzErr = sqlite3_mprintf("softdelete: the first argument must be the base "
        "table name, not an option: %s", azArg[0]);
    return SQLITE_ERROR;
  }
  rc = sdArgName(azArg[0], &a->zBase, &bDot);
  if( rc ) return rc;
  if( bDot ){
    *pzErr = sqlite3_mprintf("softdelete: base table %s names another schema: "
        "the base must be in the virtual table's own schema "
        "(CREATE VIRTUAL TABLE schema.name USING softdelete(base_table))", azArg[0]);
    return SQLITE_ERROR;
  }
  if( a->zBase==0 || a->zBase[0]==0 ){
    *pzErr = sqlite3_mprintf("softdelete: the first argument must name the "
        "base table, got: %s", azArg[0]);
    return SQLITE_ERROR;
  }
  for(i=1; i<nArg; i++){
    const char *z = azArg[i];
    rc = sdArgSplit(z, &zKey, &zVal, &bEq);
    if( rc ) return rc;
    if( !bEq ){
      *pzErr = sqlite3_mprintf("softdelete: expected an option key=value, "
          "got: %s (options: " SD_OPTIONS ")", z);
      rc = SQLITE_ERROR;
    }else if( zKey==0 ){
      *pzErr = sqlite3_mprintf("softdelete: expected an option key=value, "
          "got: %s (the key is one word: column, format, live, show, actor, retain "
          "or guard)", z);
      rc = SQLITE_ERROR;
    }else{
      /* Each option once; then what its value must be. */
      static const char *const azOpt[] = {
        "column", "format", "show", "actor", "retain", "live", "guard"
      };
      int k;
      for(k=0; k<7 && sdStrICmp(zKey, azOpt[k]); k++){}
      if( k==7 ){
        *pzErr = sqlite3_mprintf("softdelete: unknown option %s=: "
            "expected " SD_OPTIONS, zKey);
        rc = SQLITE_ERROR;
      }else if( mSeen & (1<<k) ){
        *pzErr = sqlite3_mprintf("softdelete: option %s= is given twice", azOpt[k]);
        rc = SQLITE_ERROR;
      }else if( (k==0 || k==3) && zVal[0]==0 ){
        *pzErr = sqlite3_mprintf("softdelete: option %s= needs a column name",
                                 azOpt[k]);
        rc = SQLITE_ERROR;
      }else if( k==0 || k==3 ){
        if( k==0 ) a->zMarker = zVal; else a->zActor = zVal;
        zVal = 0;
      }else if( k==1 ){
        if( (a->eFormat = sdParseFormat(zVal))<0 ){
          *pzErr = sqlite3_mprintf("softdelete: unknown format=%s: expected "
              "datetime, unixepoch, unixepoch_ms, julianday, boolean or active",
              zVal);
          rc = SQLITE_ERROR;
        }
      }else if( k==2 ){
        if( sdStrICmp(zVal, "live")==0 ) a->eShow = SD_SHOW_LIVE;
        else if( sdStrICmp(zVal, "deleted")==0 ) a->eShow = SD_SHOW_DELETED;
        else if( sdStrICmp(zVal, "all")==0 ) a->eShow = SD_SHOW_ALL;
        else{
          *pzErr = sqlite3_mprintf("softdelete: unknown show=%s: expected live, "
              "deleted or all", zVal);
          rc = SQLITE_ERROR;
        }
      }else if( k==5 ){
        rc = sdArgLiteral(z, &a->zLiveSql);
        if( rc==SQLITE_OK && a->zLiveSql==0 ){
          *pzErr = sqlite3_mprintf("softdelete: live=%s is not a value: give "
              "the marker of a live row as NULL, a number (live=0) or a quoted "
              "text (live='no')", zVal);
          rc = SQLITE_ERROR;
        }
      }else if( k==6 ){
        if( sdStrICmp(zVal, "on")==0 ) a->eGuard = 1;
        else if( sdStrICmp(zVal, "off")==0 ) a->eGuard = 0;
        else{
          *pzErr = sqlite3_mprintf("softdelete: unknown guard=%s: expected on "
              "or off", zVal);
          rc = SQLITE_ERROR;
        }
      }else if( !sdIsDuration(zVal) ){
        *pzErr = sqlite3_mprintf("softdelete: retain=%s is not a duration: give "
            "a number and a unit SQLite's date functions know, such as "
            "retain='30 days' or retain='6 hours'", zVal);
        rc = SQLITE_ERROR;
      }else{
        a->zRetain = zVal;
        zVal = 0;
      }
      mSeen |= 1<<k;
    }
    sqlite3_free(zKey);
    sqlite3_free(zVal);
    zKey = zVal = 0;
    if( rc ) return rc;
  }
  return SQLITE_OK;
}

/* ---- Reading the base -------------------------------------------------- */

static void sdFreeColumnArray(SdCol *aCol, int nCol){
  int i;
  for(i=0; i<nCol; i++){
    sqlite3_free(aCol[i].zName);
    sqlite3_free(aCol[i].zType);
    sqlite3_free(aCol[i].zColl);
    sqlite3_free(aCol[i].zDflt);
  }
  sqlite3_free(aCol);
}

static void sdFreeColumns(SdVtab *p){
  sdFreeColumnArray(p->aCol, p->nCol);
  p->aCol = 0;
  p->nCol = 0;
}

static void sdFreeIndexArray(SdIndex *aIdx, int nIdx){
  int i, j;
  for(i=0; i<nIdx; i++){
    SdIndex *pIdx = &aIdx[i];
    sqlite3_free(pIdx->zName);
    sqlite3_free(pIdx->zWhere);
    for(j=0; j<pIdx->nCol; j++) sqlite3_free(pIdx->azColl[j]);
    sqlite3_free(pIdx->aiCol);
    sqlite3_free(pIdx->azColl);
    sqlite3_free(pIdx->aDesc);
    sqlite3_free(pIdx->aiRowEq);
  }
  sqlite3_free(aIdx);
}

static void sdFreeIndexes(SdVtab *p){
  sdFreeIndexArray(p->aIdx, p->nIdx);
  p->aIdx = 0;
  p->nIdx = 0;
}

/*
** Free the description of the table, then the SdVtab. What the layers above
** keep in it (statements of the planner and the write path, the cascade
** graph) is theirs to free first: see sdRelease() in softdelete.c.
*/
void sdTableFree(SdVtab *p){
  if( p==0 ) return;
  sdFreeColumns(p);
  sdFreeIndexes(p);
  sqlite3_finalize(p->pSchemaVersion);
  sqlite3_free(p->zDb);
  sqlite3_free(p->zName);
  sqlite3_free(p->zBase);
  sqlite3_free(p->zMarker);
  sqlite3_free(p->zOpCol);
  sqlite3_free(p->zActor);
  sqlite3_free(p->zRetain);
  sqlite3_free(p->zLiveSql);
  sqlite3_value_free(p->pLiveVal);
  sqlite3_free(p->zLive);
  sqlite3_free(p->zMissing);
  sqlite3_free(p->zDeferred);
  sqlite3_free(p->zRowid);
  sqlite3_free(p->base.zErrMsg);
  sqlite3_free(p);
}

/*
** Look the base table up in schema zDb. On success *pzBase is its name as the
** schema spells it. Otherwise an error message says what is wrong.
*/
static int sdCheckBase(sqlite3 *db, const char *zDb, const char *zBase,
                       char **pzBase, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  int rc;
  *pzBase = 0;
  rc = sdPrepare(db, &pStmt, 0,
      "SELECT type, name, sql FROM \"%w\".sqlite_master "
      "WHERE name=?1 COLLATE NOCASE AND type IN ('table','view')", zDb);
  if( rc ) return rc;
  sqlite3_bind_text(pStmt, 1, zBase, -1, SQLITE_STATIC);
  rc = sqlite3_step(pStmt);
  if( rc==SQLITE_ROW ){
    const char *zType, *zName, *zSql;
    rc = SQLITE_OK;
    zType = sdColumnText(pStmt, 0, &rc);
    zName = sdColumnText(pStmt, 1, &rc);
    zSql = sdColumnText(pStmt, 2, &rc);
    if( rc ){
      /* out of memory */
    }else if( sdStrICmp(zType, "view")==0 ){
      *pzErr = sqlite3_mprintf("softdelete: %s is a view: the base must be "
          "an ordinary table", zBase);
      rc = SQLITE_ERROR;
    }else if( zSql && sdSplitCreate(zSql, 0, 0, 0)!=SQLITE_ERROR ){
      *pzErr = sqlite3_mprintf("softdelete: %s is a virtual table: the base "
          "must be an ordinary table", zBase);
      rc = SQLITE_ERROR;
    }else if( sdIsWithoutRowid(zSql) ){
      *pzErr = sqlite3_mprintf("softdelete: %s is a WITHOUT ROWID table: the "
          "base must be an ordinary rowid table", zBase);
      rc = SQLITE_ERROR;
    }else{
      *pzBase = sqlite3_mprintf("%s", zName);
      if( *pzBase==0 ) rc = SQLITE_NOMEM;
    }
    if( rc==SQLITE_ERROR && *pzErr==0 ) rc = SQLITE_NOMEM;
    sqlite3_finalize(pStmt);
    return rc;
  }
  sqlite3_finalize(pStmt);
  if( rc!=SQLITE_DONE ) return rc;

  /* Not in zDb: say where it is, if it is anywhere. */
  rc = sdPrepare(db, &pStmt, 0, "SELECT name FROM pragma_database_list");
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zOther;
    sqlite3_stmt *pFind = 0;
    rc = SQLITE_OK;
    zOther = sdColumnText(pStmt, 0, &rc);
    if( rc || zOther==0 || sdStrICmp(zOther, zDb)==0 ) continue;
    rc = sdPrepare(db, &pFind, 0, "SELECT 1 FROM \"%w\".sqlite_master "
          "WHERE name=?1 COLLATE NOCASE AND type='table'", zOther);
    if( rc ) break;
    sqlite3_bind_text(pFind, 1, zBase, -1, SQLITE_STATIC);
    if( sqlite3_step(pFind)==SQLITE_ROW ){
      *pzErr = sqlite3_mprintf("softdelete: base table %s is in schema %s, "
          "not %s: create the virtual table in the same schema as its base "
          "(CREATE VIRTUAL TABLE %s.name USING softdelete(%s))",
          zBase, zOther, zDb, zOther, zBase);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      sqlite3_finalize(pFind);
      break;
    }
    rc = sqlite3_finalize(pFind);
  }
  if( rc==SQLITE_DONE ){
    *pzErr = sqlite3_mprintf("softdelete: no such base table: %s.%s", zDb, zBase);
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/* The affinity SQLite gives a declared type (section 3.1 of datatype3). */
static char sdAffinity(const char *zType){
  char z[8];
  if( zType==0 ) return SD_AFF_BLOB;
  if( sqlite3_strlike("%INT%", zType, 0)==0 ) return SD_AFF_INTEGER;
  if( sqlite3_strlike("%CHAR%", zType, 0)==0
   || sqlite3_strlike("%CLOB%", zType, 0)==0
   || sqlite3_strlike("%TEXT%", zType, 0)==0 ) return SD_AFF_TEXT;
  if( sqlite3_strlike("%BLOB%", zType, 0)==0 || zType[0]==0 ) return SD_AFF_BLOB;
  if( sqlite3_strlike("%REAL%", zType, 0)==0
   || sqlite3_strlike("%FLOA%", zType, 0)==0
   || sqlite3_strlike("%DOUB%", zType, 0)==0 ) return SD_AFF_REAL;
  (void)z;
  return SD_AFF_NUMERIC;
}

/*
** Read the base's columns into p->aCol (and p->iMarker, p->iPk, p->zOpWhy,
** the canonical spelling of p->zMarker and p->zOpCol). *pmHave: SD_HAVE_*
** say whether the marker and the operation column exist. On error p keeps
** what it had: no half-read description is ever left behind.
*/
static int sdReadColumns(SdVtab *p, int *pmHave){
  sqlite3_stmt *pStmt = 0;
  int rc, nAlloc = 0, nPk = 0, nCol = 0, iMarker = -1, iPk = -1, i;
  int iOp = -1, iActor = -1;
  SdCol *aCol = 0;
  char *zMarker = 0, *zOpCol = 0, *zActor = 0;
  const char *zOpWhy = 0;
  *pmHave = 0;
  rc = sdPrepare(p->db, &pStmt, 0,
      "SELECT name, type, \"notnull\", dflt_value, pk, hidden "
      "FROM pragma_table_xinfo(?1, ?2)");
  if( rc ) return rc;
  sqlite3_bind_text(pStmt, 1, p->zBase, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, p->zDb, -1, SQLITE_STATIC);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zName = sdColumnText(pStmt, 0, &rc);
    const char *zType = sdColumnText(pStmt, 1, &rc);
    const char *zDflt = sdColumnText(pStmt, 3, &rc);
    int iHidden = sqlite3_column_int(pStmt, 5);
    const char *zColl = 0;
    SdCol *pCol;
    if( rc ) break;
    if( zName==0 ){ rc = SQLITE_CORRUPT; break; }
    if( sdStrICmp(zName, p->zOpCol)==0 ){
      sqlite3_free(zOpCol);
      zOpCol = sqlite3_mprintf("%s", zName);
      if( zOpCol==0 ){ rc = SQLITE_NOMEM; break; }
      *pmHave |= SD_HAVE_OP;
      zOpWhy = sqlite3_column_int(pStmt, 4)>0 ? "part of the PRIMARY KEY"
             : (iHidden==2 || iHidden==3) ? "a generated column" : 0;
      /* A live table leaves the operation out; the trash shows it. */
      if( p->eShow==SD_SHOW_LIVE ) continue;
    }
    if( nCol>=nAlloc ){
      SdCol *aNew;
      nAlloc = nAlloc ? nAlloc*2 : 16;
      aNew = sqlite3_realloc64(aCol, sizeof(SdCol)*nAlloc);
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      aCol = aNew;
    }
    pCol = &aCol[nCol++];
    memset(pCol, 0, sizeof(*pCol));
    pCol->zName = sqlite3_mprintf("%s", zName);
    if( zType && zType[0] ) pCol->zType = sqlite3_mprintf("%s", zType);
    if( zDflt ) pCol->zDflt = sqlite3_mprintf("%s", zDflt);
    pCol->bNotNull = (u8)sqlite3_column_int(pStmt, 2);
    pCol->bPk = sqlite3_column_int(pStmt, 4)>0;
    pCol->bGenerated = iHidden==2 || iHidden==3;
    pCol->eAff = sdAffinity(zType);
    if( pCol->bPk ) nPk++;
    if( pCol->zName==0 || (zType && zType[0] && pCol->zType==0)
     || (zDflt && pCol->zDflt==0) ){
      rc = SQLITE_NOMEM; break;
    }
    rc = sqlite3_table_column_metadata(p->db, p->zDb, p->zBase, zName,
                                       0, &zColl, 0, 0, 0);
    if( rc ) break;
    if( zColl && sdStrICmp(zColl, "BINARY")!=0 ){
      pCol->zColl = sqlite3_mprintf("%s", zColl);
      if( pCol->zColl==0 ){ rc = SQLITE_NOMEM; break; }
    }
    if( sdStrICmp(zName, p->zMarker)==0 ){
      sqlite3_free(zMarker);
      zMarker = sqlite3_mprintf("%s", zName);
      if( zMarker==0 ){ rc = SQLITE_NOMEM; break; }
      pCol->eRole = SD_ROLE_MARKER;
      iMarker = nCol-1;
      *pmHave |= SD_HAVE_MARKER;
    }else if( p->zActor && sdStrICmp(zName, p->zActor)==0 ){
      sqlite3_free(zActor);
      zActor = sqlite3_mprintf("%s", zName);
      if( zActor==0 ){ rc = SQLITE_NOMEM; break; }
      pCol->eRole = SD_ROLE_ACTOR;
      iActor = nCol-1;
      *pmHave |= SD_HAVE_ACTOR;
    }else if( sdStrICmp(zName, p->zOpCol)==0 ){
      pCol->eRole = SD_ROLE_OP;
      iOp = nCol-1;
    }
    /* A live table hides what softdelete manages; the trash shows it. */
    pCol->bHidden = pCol->eRole && p->eShow==SD_SHOW_LIVE;
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  if( rc==SQLITE_OK && nPk==1 ){
    /* An INTEGER PRIMARY KEY aliases the rowid unless it has an index of its
    ** own (INTEGER PRIMARY KEY DESC, or a type that is not exactly INTEGER). */
    for(i=0; i<nCol && rc==SQLITE_OK; i++){
      if( aCol[i].bPk && aCol[i].zType && sdStrICmp(aCol[i].zType, "INTEGER")==0 ){
        sqlite3_stmt *pIdx = 0;
        int bAuto = 0;
        rc = sdPrepare(p->db, &pIdx, 0,
            "SELECT 1 FROM pragma_index_list(?1, ?2) WHERE origin='pk'");
        if( rc ) break;
        sqlite3_bind_text(pIdx, 1, p->zBase, -1, SQLITE_STATIC);
        sqlite3_bind_text(pIdx, 2, p->zDb, -1, SQLITE_STATIC);
        bAuto = sqlite3_step(pIdx)==SQLITE_ROW;
        rc = sqlite3_finalize(pIdx);
        if( !bAuto ) iPk = i;
      }
    }
  }
  if( rc ){
    sdFreeColumnArray(aCol, nCol);
    sqlite3_free(zMarker);
    sqlite3_free(zOpCol);
    sqlite3_free(zActor);
    *pmHave = 0;
    return rc;
  }
  if( p->eShow!=SD_SHOW_LIVE ){
    /* A trash or all table shows the marker, the operation and the actor
    ** after the base's own columns, in that order. */
    int k, eRole;
    SdCol tmp;
    const char *zPk = iPk>=0 ? aCol[iPk].zName : 0;
    for(i=0, k=0; i<nCol; i++){
      if( aCol[i].eRole==0 ){
        tmp = aCol[i];
        memmove(&aCol[k+1], &aCol[k], sizeof(SdCol)*(i-k));
        aCol[k++] = tmp;
      }
    }
    for(eRole=SD_ROLE_MARKER; eRole<=SD_ROLE_ACTOR; eRole++){
      for(i=k; i<nCol; i++){
        if( aCol[i].eRole==eRole ){
          tmp = aCol[i];
          memmove(&aCol[k+1], &aCol[k], sizeof(SdCol)*(i-k));
          aCol[k++] = tmp;
        }
      }
    }
    iMarker = iOp = iActor = iPk = -1;
    for(i=0; i<nCol; i++){
      if( zPk && aCol[i].zName==zPk ) iPk = i;
      if( aCol[i].eRole==SD_ROLE_MARKER ) iMarker = i;
      if( aCol[i].eRole==SD_ROLE_OP ) iOp = i;
      if( aCol[i].eRole==SD_ROLE_ACTOR ) iActor = i;
    }
  }
  sdFreeColumnArray(p->aCol, p->nCol);
  p->aCol = aCol;
  p->nCol = nCol;
  p->iMarker = iMarker;
  p->iOp = iOp;
  p->iActor = iActor;
  p->iPk = iPk;
  p->zOpWhy = zOpWhy;
  if( zMarker ){ sqlite3_free(p->zMarker); p->zMarker = zMarker; }
  if( zOpCol ){ sqlite3_free(p->zOpCol); p->zOpCol = zOpCol; }
  if( zActor ){ sqlite3_free(p->zActor); p->zActor = zActor; }
  return SQLITE_OK;
}

/* Pick the name by which SQL reaches the base rowid. */
static int sdChooseRowid(SdVtab *p, char **pzErr){
  static const char *const azAlias[] = { "rowid", "_rowid_", "oid" };
  int i, j;
  if( p->iPk>=0 ){
    p->zRowid = sqlite3_mprintf("\"%w\"", p->aCol[p->iPk].zName);
    return p->zRowid ? SQLITE_OK : SQLITE_NOMEM;
  }
  for(i=0; i<3; i++){
    for(j=0; j<p->nCol; j++){
      if( sdStrICmp(p->aCol[j].zName, azAlias[i])==0 ) break;
    }
    if( j==p->nCol && sdStrICmp(p->zOpCol, azAlias[i])!=0 ){
      p->zRowid = sqlite3_mprintf("%s", azAlias[i]);
      return p->zRowid ? SQLITE_OK : SQLITE_NOMEM;
    }
  }
  *pzErr = sqlite3_mprintf("softdelete: base table %s has columns named rowid, "
      "_rowid_ and oid, so its rowid cannot be reached", p->zBase);
  return SQLITE_ERROR;
}

/* Parse one sqlite_stat1 "stat" string into aiRowEq[0..nCol) and *pnRow. */
static void sdParseStat(const char *z, i64 *pnRow, i64 *aiRowEq, int nCol){
  int i = -1;
  while( z && *z && i<nCol ){
    i64 v = 0;
    if( *z<'0' || *z>'9' ) break;
    while( *z>='0' && *z<='9' ){ v = v*10 + (*z - '0'); z++; }
    if( i<0 ){ if( pnRow ) *pnRow = v; }
    else if( aiRowEq ) aiRowEq[i] = v>0 ? v : 1;
    i++;
    while( *z==' ' ) z++;
  }
}

/*
** Read the base's indexes (for planning and for naming conflicting keys)
** into p->aIdx, and the row estimate p->nRowEst. On error p keeps what it
** had, so that a failed read never leaves half a list behind.
*/
static int sdReadIndexes(SdVtab *p){
  sqlite3_stmt *pList = 0, *pInfo = 0, *pStat = 0;
  SdIndex *aIdx = 0;
  int rc, nIdx = 0;
  i64 nRow = -1;

  rc = sdPrepare(p->db, &pList, 0,
      "SELECT l.name, l.\"unique\", l.partial, m.sql "
      "FROM pragma_index_list(?1, ?2) AS l "
      "LEFT JOIN \"%w\".sqlite_master AS m ON m.type='index' AND m.name=l.name",
      p->zDb);
  if( rc ) return rc;
  sqlite3_bind_text(pList, 1, p->zBase, -1, SQLITE_STATIC);
  sqlite3_bind_text(pList, 2, p->zDb, -1, SQLITE_STATIC);
  rc = sdPrepare(p->db, &pInfo, 0,
      "SELECT cid, \"desc\", coll, name FROM pragma_index_xinfo(?1, ?2) "
      "WHERE key ORDER BY seqno");
  if( rc ) goto out;
  sqlite3_bind_text(pInfo, 2, p->zDb, -1, SQLITE_STATIC);
  rc = sqlite3_table_column_metadata(p->db, p->zDb, "sqlite_stat1", "stat",
                                     0, 0, 0, 0, 0);
  if( rc==SQLITE_OK ){
    rc = sdPrepare(p->db, &pStat, 0,
        "SELECT stat FROM \"%w\".sqlite_stat1 WHERE tbl=?1 AND idx IS ?2", p->zDb);
    if( rc ) goto out;
    sqlite3_bind_text(pStat, 1, p->zBase, -1, SQLITE_STATIC);
  }else if( rc==SQLITE_ERROR ){
    rc = SQLITE_OK;             /* no statistics */
  }else{
    goto out;
  }

  while( rc==SQLITE_OK && (rc = sqlite3_step(pList))==SQLITE_ROW ){
    const char *zName, *zSql;
    SdIndex *pIdx;
    SdIndex *aNew;
    int nAlloc = 0;
    rc = SQLITE_OK;
    zName = sdColumnText(pList, 0, &rc);
    zSql = sdColumnText(pList, 3, &rc);
    if( rc ) break;
    aNew = sqlite3_realloc64(aIdx, sizeof(SdIndex)*(nIdx+1));
    if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
    aIdx = aNew;
    pIdx = &aIdx[nIdx++];
    memset(pIdx, 0, sizeof(*pIdx));
    pIdx->zName = sqlite3_mprintf("%s", zName);
    pIdx->bUnique = sqlite3_column_int(pList, 1);
    pIdx->bPartial = sqlite3_column_int(pList, 2);
    if( pIdx->zName==0 ){ rc = SQLITE_NOMEM; break; }
    if( pIdx->bPartial ){
      pIdx->zWhere = sdFindWhere(zSql, &rc);
      if( rc ) break;
      pIdx->bLive = sdIsLiveWhere(pIdx->zWhere, p->zMarker, p->zLiveSql);
      pIdx->bOpIdx = sdIsNotNullWhere(pIdx->zWhere, p->zOpCol);
    }
    rc = sqlite3_bind_text(pInfo, 1, zName, -1, SQLITE_TRANSIENT);
    while( rc==SQLITE_OK && (rc = sqlite3_step(pInfo))==SQLITE_ROW ){
      int cid = sqlite3_column_int(pInfo, 0);
      const char *zColl, *zCol;
      int iCol;
      rc = SQLITE_OK;
      zColl = sdColumnText(pInfo, 2, &rc);
      zCol = sdColumnText(pInfo, 3, &rc);
      if( rc ) break;
      if( pIdx->nCol>=nAlloc ){
        int nNew = nAlloc ? nAlloc*2 : 4;
        void *p1 = sqlite3_realloc64(pIdx->aiCol, sizeof(int)*nNew);
        if( p1 ) pIdx->aiCol = p1;
        p1 = p1 ? sqlite3_realloc64(pIdx->azColl, sizeof(char*)*nNew) : 0;
        if( p1 ) pIdx->azColl = p1;
        p1 = p1 ? sqlite3_realloc64(pIdx->aDesc, nNew) : 0;
        if( p1 ) pIdx->aDesc = p1;
        p1 = p1 ? sqlite3_realloc64(pIdx->aiRowEq, sizeof(i64)*nNew) : 0;
        if( p1 ) pIdx->aiRowEq = p1;
        if( p1==0 ){ rc = SQLITE_NOMEM; break; }
        nAlloc = nNew;
      }
      if( cid>=0 ){
        /* Map the base column to the vtab column (the op column has none). */
        int i;
        iCol = -2;
        for(i=0; zCol && i<p->nCol; i++){
          if( sdStrICmp(p->aCol[i].zName, zCol)==0 ){ iCol = i; break; }
        }
      }else{
        iCol = cid==-1 ? -1 : -2;
      }
      pIdx->aiCol[pIdx->nCol] = iCol;
      pIdx->azColl[pIdx->nCol] = sqlite3_mprintf("%s", zColl ? zColl : "BINARY");
      pIdx->aDesc[pIdx->nCol] = (u8)sqlite3_column_int(pInfo, 1);
      pIdx->aiRowEq[pIdx->nCol] = 0;
      pIdx->nCol++;
      if( pIdx->azColl[pIdx->nCol-1]==0 ){ rc = SQLITE_NOMEM; break; }
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    sqlite3_reset(pInfo);
    if( rc==SQLITE_OK && pStat ){
      rc = sqlite3_bind_text(pStat, 2, zName, -1, SQLITE_TRANSIENT);
      if( rc==SQLITE_OK && (rc = sqlite3_step(pStat))==SQLITE_ROW ){
        const char *zStat;
        rc = SQLITE_OK;
        zStat = sdColumnText(pStat, 0, &rc);
        if( rc==SQLITE_OK ) sdParseStat(zStat, &nRow, pIdx->aiRowEq, pIdx->nCol);
      }
      if( rc==SQLITE_DONE ) rc = SQLITE_OK;
      sqlite3_reset(pStat);
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc==SQLITE_OK && pStat && nRow<0 ){
    /* The table's own row count, from the statistics of no index. */
    sqlite3_bind_null(pStat, 2);
    if( (rc = sqlite3_step(pStat))==SQLITE_ROW ){
      const char *zStat;
      rc = SQLITE_OK;
      zStat = sdColumnText(pStat, 0, &rc);
      if( rc==SQLITE_OK ) sdParseStat(zStat, &nRow, 0, 0);
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  if( rc==SQLITE_OK && nRow<0 ){
    /* No statistics: the largest rowid is a cheap, usually fair, estimate. */
    sqlite3_stmt *pMax = 0;
    rc = sdPrepare(p->db, &pMax, 0, "SELECT max(%s) FROM \"%w\".\"%w\"",
                   p->zRowid, p->zDb, p->zBase);
    if( rc==SQLITE_OK && sqlite3_step(pMax)==SQLITE_ROW ){
      nRow = sqlite3_column_int64(pMax, 0);
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pMax);
    else sqlite3_finalize(pMax);
  }

out:
  sqlite3_finalize(pList);
  sqlite3_finalize(pInfo);
  sqlite3_finalize(pStat);
  if( rc ){
    sdFreeIndexArray(aIdx, nIdx);
    return rc;
  }
  sdFreeIndexArray(p->aIdx, p->nIdx);
  p->aIdx = aIdx;
  p->nIdx = nIdx;
  p->nRowEst = nRow>10 ? nRow : 10;
  return SQLITE_OK;
}

/*
** The schema cookie of the vtab's schema. CREATE INDEX, CREATE TABLE and
** CREATE VIRTUAL TABLE do not reconnect existing virtual tables, so what
** was read at connect time is checked against it where it matters.
*/
int sdSchemaVersion(SdVtab *p, int *piVersion){
  int rc;
  if( p->pSchemaVersion==0 ){
    rc = sdPrepare(p->db, &p->pSchemaVersion, 1, "PRAGMA \"%w\".schema_version",
                   p->zDb);
    if( rc ) return rc;
  }
  rc = sqlite3_step(p->pSchemaVersion);
  *piVersion = rc==SQLITE_ROW ? sqlite3_column_int(p->pSchemaVersion, 0) : -1;
  rc = sqlite3_reset(p->pSchemaVersion);
  return rc;
}

/* Read the base's indexes again if the schema changed since they were read.
** On failure the list read before stays, and the next call tries again. */
int sdRefreshIndexes(SdVtab *p){
  int v = 0, rc = sdSchemaVersion(p, &v);
  if( rc ) return rc;
  if( v==p->iSchema ) return SQLITE_OK;
  rc = sdReadIndexes(p);
  if( rc==SQLITE_OK ) p->iSchema = v;
  return rc;
}

/*
** Set the vtab's error after a nested statement on the base failed with rc:
** the base may have been dropped or renamed since connect (DROP TABLE does
** not reconnect virtual tables), which deserves its own message.
*/
void sdBaseError(SdVtab *p, const char *zVerb, int rc){
  char *zWhy = sqlite3_mprintf("%s", sdErrMsg(p->db, rc));
  if( rc==SQLITE_ERROR
   && sqlite3_table_column_metadata(p->db, p->zDb, p->zBase, 0, 0, 0, 0, 0, 0) ){
    sdVtabError(p, "softdelete: the base table %s of %s is missing (renamed or "
                "dropped): no such base table: %s.%s", p->zBase, p->zName,
                p->zDb, p->zBase);
  }else{
    sdVtabError(p, "softdelete: cannot %s base table %s: %s", zVerb, p->zBase,
                zWhy ? zWhy : sqlite3_errstr(rc));
  }
  sqlite3_free(zWhy);
}

/* Does a declared type hold the word HIDDEN as SQLite looks for it in a
** virtual table's declaration (so that copying it would hide the column)? */
static int sdHasHiddenWord(const char *z){
  int i, n = (int)strlen(z);
  for(i=0; i+6<=n; i++){
    if( sqlite3_strnicmp(&z[i], "hidden", 6)==0
     && (i==0 || z[i-1]==' ') && (z[i+6]==0 || z[i+6]==' ') ) return 1;
  }
  return 0;
}

/* The name of key column iCol of an index (-1: the rowid) for messages. */
const char *sdIndexColName(SdVtab *p, int iCol){
  if( iCol>=0 ) return p->aCol[iCol].zName;
  return p->iPk>=0 ? p->aCol[p->iPk].zName : "rowid";
}

/* Can a declared type be copied as it is: no quotes, commas only within
** parentheses (DECIMAL(10,2))? */
static int sdPlainType(const char *z){
  int depth = 0;
  for(; *z; z++){
    if( *z=='"' || *z=='\'' || *z=='`' || *z=='[' || *z==']' || *z==';' ) return 0;
    if( *z=='(' ) depth++;
    if( *z==')' && --depth<0 ) return 0;
    if( *z==',' && depth==0 ) return 0;
  }
  return depth==0;
}

/* Build the CREATE TABLE statement given to sqlite3_declare_vtab(). */
static char *sdDeclaration(SdVtab *p, int *pRc){
  sqlite3_str *s = sqlite3_str_new(p->db);
  int i;
  sqlite3_str_appendall(s, "CREATE TABLE x(");
  for(i=0; i<p->nCol; i++){
    SdCol *pCol = &p->aCol[i];
    sqlite3_str_appendf(s, "%s\"%w\"", i ? ", " : "", pCol->zName);
    if( pCol->zType && !pCol->bHidden && sdHasHiddenWord(pCol->zType) ){
      /* SQLite would hide the column. With tabs for spaces (the type is
      ** quoted to keep them) the word no longer stands alone; the affinity,
      ** which depends on substrings only, stays the same. */
      char *zT = sqlite3_mprintf("%s\t", pCol->zType);
      int k;
      for(k=0; zT && zT[k]; k++) if( zT[k]==' ' ) zT[k] = '\t';
      sqlite3_str_appendf(s, " \"%w\"", zT ? zT : "");
      sqlite3_free(zT);
    }else if( pCol->zType && !sdPlainType(pCol->zType) ){
      /* A type written quoted in the base can hold quotes or commas, which
      ** would declare other columns: one quoted token (the marker's HIDDEN
      ** inside it, as SQLite reads the dequoted text). */
      char *zT = sqlite3_mprintf("%s%s", pCol->zType, pCol->bHidden ? " HIDDEN" : "");
      sqlite3_str_appendf(s, " \"%w\"", zT ? zT : "");
      sqlite3_free(zT);
    }else{
      if( pCol->zType ) sqlite3_str_appendf(s, " %s", pCol->zType);
      if( pCol->bHidden ) sqlite3_str_appendall(s, " HIDDEN");
    }
    if( pCol->zColl ) sqlite3_str_appendf(s, " COLLATE \"%w\"", pCol->zColl);
    /* No DEFAULT: sqlite3_declare_vtab() ignores it; see sdInsertStmt(). */
  }
  sqlite3_str_appendall(s, ")");
  return sdMprintfStr(s, pRc);
}

/* SQL type given to a marker column that CREATE VIRTUAL TABLE adds. */
static const char *sdMarkerType(int eFormat){
  switch( eFormat ){
    case SD_FMT_DATETIME:  return "TEXT";
    case SD_FMT_JULIANDAY: return "REAL";
    default:               return "INTEGER";
  }
}


/* ---- Tables whose columns are still to be added (SdPending) ------------- */

static SdPending **sdPendingFind(SdConn *pConn, const char *zDb, const char *zName){
  SdPending **pp;
  for(pp=&pConn->pPending; *pp; pp=&(*pp)->pNext){
    if( sdStrICmp((*pp)->zDb, zDb)==0 && sdStrICmp((*pp)->zName, zName)==0 ) break;
  }
  return pp;
}

static int sdPendingAdd(SdConn *pConn, const char *zDb, const char *zName){
  SdPending *pNew;
  if( *sdPendingFind(pConn, zDb, zName) ) return SQLITE_OK;
  pNew = sqlite3_malloc64(sizeof(*pNew));
  if( pNew==0 ) return SQLITE_NOMEM;
  pNew->zDb = sqlite3_mprintf("%s", zDb);
  pNew->zName = sqlite3_mprintf("%s", zName);
  if( pNew->zDb==0 || pNew->zName==0 ){
    sqlite3_free(pNew->zDb);
    sqlite3_free(pNew->zName);
    sqlite3_free(pNew);
    return SQLITE_NOMEM;
  }
  pNew->pNext = pConn->pPending;
  pConn->pPending = pNew;
  return SQLITE_OK;
}

void sdPendingRemove(SdConn *pConn, const char *zDb, const char *zName){
  SdPending **pp = sdPendingFind(pConn, zDb, zName);
  if( *pp ){
    SdPending *pDel = *pp;
    *pp = pDel->pNext;
    sqlite3_free(pDel->zDb);
    sqlite3_free(pDel->zName);
    sqlite3_free(pDel);
  }
}

void sdPendingClear(SdConn *pConn){
  while( pConn->pPending ){
    sdPendingRemove(pConn, pConn->pPending->zDb, pConn->pPending->zName);
  }
}

/*
** The error for a base that has lost its marker or operation column since
** the virtual table was created: adding them back empty would make every
** deleted row live, so the table is refused until the user repairs it.
*/
static char *sdLostColumns(SdVtab *p, int mHave){
  const char *az[3] = { 0, 0, 0 };
  char *zCols, *zErr;
  int n = 0;
  if( (mHave & SD_HAVE_MARKER) && (mHave & SD_HAVE_OP) ){
    /* The actor alone: nothing about which rows are deleted is lost. */
    return sqlite3_mprintf("softdelete: base table %s of %s has lost its actor "
        "column %s (a table rebuild or DROP COLUMN?), so %s refuses reads and "
        "writes; to repair, add it back: ALTER TABLE %s ADD COLUMN %s",
        p->zBase, p->zName, p->zActor, p->zName, p->zBase, p->zActor);
  }
  if( !(mHave & SD_HAVE_MARKER) ) az[n++] = p->zMarker;
  if( !(mHave & SD_HAVE_OP) ) az[n++] = p->zOpCol;
  if( p->zActor && !(mHave & SD_HAVE_ACTOR) ) az[n++] = p->zActor;
  zCols = n==1 ? sqlite3_mprintf("column %s", az[0])
        : n==2 ? sqlite3_mprintf("columns %s and %s", az[0], az[1])
        : sqlite3_mprintf("columns %s, %s and %s", az[0], az[1], az[2]);
  zErr = zCols==0 ? 0 : sqlite3_mprintf("softdelete: base table %s of %s "
      "has lost its %s (a table rebuild or DROP COLUMN?): deleted rows can no "
      "longer be told from live ones, so %s refuses reads and writes; to "
      "repair on purpose, add %s back with ALTER TABLE ... ADD COLUMN (every "
      "row is then live) or restore the table from a backup (docs/schema.md: \"A base "
      "that lost its marker\")", p->zBase, p->zName, zCols, p->zName,
      n>1 ? "them" : "it");
  sqlite3_free(zCols);
  return zErr;
}

/*
** Can the marker and operation columns (those present) be written by the
** extension? Not when they are a key, generated, NOT NULL (the marker), or
** part of a foreign key as child or parent: a planted definition naming such
** a column would have restores write NULL into it. *pzErr is set (and
** SQLITE_OK returned) when one cannot; other codes are read errors.
*/
static int sdCheckMarker(SdVtab *p, int mHave, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  const char *zWhy = 0, *zCol = p->zMarker, *zRole = "marker";
  char *zWhyBuf = 0;
  int rc = SQLITE_OK;
  *pzErr = 0;
  if( mHave & SD_HAVE_MARKER ){
    SdCol *pM = &p->aCol[p->iMarker];
    if( pM->bPk ) zWhy = "part of the PRIMARY KEY";
    else if( pM->bGenerated ) zWhy = "a generated column";
    else if( pM->bNotNull && p->pLiveVal==0 ){
      zWhy = "declared NOT NULL, and live rows hold NULL there: if live rows "
             "hold a value, name it with live= (live=0 for a column that is 0 "
             "until the row is deleted)";
    }
  }
  if( zWhy==0 && (mHave & SD_HAVE_ACTOR) ){
    SdCol *pA = &p->aCol[p->iActor];
    zCol = p->zActor;
    zRole = "actor";
    if( pA->bPk ) zWhy = "part of the PRIMARY KEY";
    else if( pA->bGenerated ) zWhy = "a generated column";
    else if( pA->bNotNull ) zWhy = "declared NOT NULL (live rows hold NULL there)";
    if( zWhy==0 ){ zCol = p->zMarker; zRole = "marker"; }
  }
  if( zWhy==0 && (mHave & SD_HAVE_OP) && p->zOpWhy ){
    zWhy = p->zOpWhy;
    zCol = p->zOpCol;
    zRole = "operation";
  }
  if( zWhy==0 ){
    /* A column of one of the base's own foreign keys, or the parent key of
    ** another table's. */
    rc = sdPrepare(p->db, &pStmt, 0,
        "SELECT \"from\", 'a foreign key column (referencing ' || \"table\" || ')' "
        "FROM pragma_foreign_key_list(?1, ?2) "
        "WHERE \"from\"=?3 COLLATE NOCASE OR \"from\"=?4 COLLATE NOCASE "
        "OR \"from\"=?5 COLLATE NOCASE "
        "UNION ALL "
        "SELECT f.\"to\", 'the parent key of a foreign key of ' || m.name "
        "FROM \"%w\".sqlite_master AS m, pragma_foreign_key_list(m.name, ?2) AS f "
        "WHERE m.type='table' AND f.\"table\"=?1 COLLATE NOCASE "
        "AND (f.\"to\"=?3 COLLATE NOCASE OR f.\"to\"=?4 COLLATE NOCASE "
        "OR f.\"to\"=?5 COLLATE NOCASE) "
        "LIMIT 1", p->zDb);
    if( rc==SQLITE_OK ){
      sqlite3_bind_text(pStmt, 1, p->zBase, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 2, p->zDb, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, p->zMarker, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 4, p->zOpCol, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 5, p->zActor, -1, SQLITE_STATIC);
      if( sqlite3_step(pStmt)==SQLITE_ROW ){
        const char *zFound = sdColumnText(pStmt, 0, &rc);
        const char *zText = sdColumnText(pStmt, 1, &rc);
        int bM = sdStrICmp(zFound, p->zMarker)==0;
        int bA = !bM && p->zActor && sdStrICmp(zFound, p->zActor)==0;
        zCol = bM ? p->zMarker : bA ? p->zActor : p->zOpCol;
        zRole = bM ? "marker" : bA ? "actor" : "operation";
        zWhyBuf = rc ? 0 : sqlite3_mprintf("%s", zText);
        if( rc==SQLITE_OK && zWhyBuf==0 ) rc = SQLITE_NOMEM;
      }
      if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
      else sqlite3_finalize(pStmt);
    }
  }
  if( rc==SQLITE_OK && (zWhy || zWhyBuf) ){
    *pzErr = sqlite3_mprintf("softdelete: %s column %s of %s cannot be used: "
        "it is %s", zRole, zCol, p->zBase, zWhy ? zWhy : zWhyBuf);
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  sqlite3_free(zWhyBuf);
  return rc;
}

/*
** Does the base have an index that serves the operation column: a partial
** index WHERE <op> IS NOT NULL whose first key column is <op> (the one
** sdEnsureColumns creates, or one of the user's own)?
*/
static int sdHasOpIndex(SdVtab *p, int *pbFound){
  sqlite3_stmt *pStmt = 0;
  int rc = sdPrepare(p->db, &pStmt, 0, "SELECT m.sql, (SELECT x.name FROM "
      "pragma_index_xinfo(l.name, ?2) AS x WHERE x.seqno=0) FROM "
      "pragma_index_list(?1, ?2) AS l JOIN \"%w\".sqlite_master AS m "
      "ON m.type='index' AND m.name=l.name WHERE l.partial", p->zDb);
  *pbFound = 0;
  if( rc ) return rc;
  sqlite3_bind_text(pStmt, 1, p->zBase, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, p->zDb, -1, SQLITE_STATIC);
  while( rc==SQLITE_OK && !*pbFound && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zSql = sdColumnText(pStmt, 0, &rc);
    const char *zFirst = sdColumnText(pStmt, 1, &rc);
    char *zWhere;
    if( rc || zFirst==0 || sdStrICmp(zFirst, p->zOpCol)!=0 ) continue;
    zWhere = sdFindWhere(zSql, &rc);
    *pbFound = rc==SQLITE_OK && sdIsNotNullWhere(zWhere, p->zOpCol);
    sqlite3_free(zWhere);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  return rc;
}

/*
** A name for the index on the operation column that no object of the
** schema has: sd_<base>_<op>, else with a number after it.
*/
static int sdOpIndexName(SdVtab *p, char **pzName){
  sqlite3_stmt *pStmt = 0;
  int rc, i;
  *pzName = 0;
  rc = sdPrepare(p->db, &pStmt, 0, "SELECT 1 FROM \"%w\".sqlite_master "
                 "WHERE name=?1 COLLATE NOCASE", p->zDb);
  for(i=1; rc==SQLITE_OK && i<1000; i++){
    char *z = i==1 ? sqlite3_mprintf("sd_%s_%s", p->zBase, p->zOpCol)
                   : sqlite3_mprintf("sd_%s_%s_%d", p->zBase, p->zOpCol, i);
    if( z==0 ){ rc = SQLITE_NOMEM; break; }
    sqlite3_bind_text(pStmt, 1, z, -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)!=SQLITE_ROW ){
      rc = sqlite3_reset(pStmt);
      if( rc==SQLITE_OK ){ *pzName = z; break; }
    }
    sqlite3_reset(pStmt);
    sqlite3_free(z);
  }
  sqlite3_finalize(pStmt);
  if( rc==SQLITE_OK && *pzName==0 ) rc = SQLITE_ERROR;
  return rc;
}

/* Declare a column the base lacks, to be added by sdEnsureColumns(). */
static int sdAppendColumn(SdVtab *p, const char *zCol, const char *zType, int eRole){
  SdCol *aNew = sqlite3_realloc64(p->aCol, sizeof(SdCol)*(p->nCol+1));
  SdCol *pC;
  if( aNew==0 ) return SQLITE_NOMEM;
  p->aCol = aNew;
  pC = &p->aCol[p->nCol];
  memset(pC, 0, sizeof(*pC));
  pC->zName = sqlite3_mprintf("%s", zCol);
  pC->zType = zType ? sqlite3_mprintf("%s", zType) : 0;
  if( pC->zName==0 || (zType && pC->zType==0) ){
    sqlite3_free(pC->zName);
    sqlite3_free(pC->zType);
    return SQLITE_NOMEM;
  }
  pC->eRole = (u8)eRole;
  pC->bHidden = p->eShow==SD_SHOW_LIVE;
  pC->eAff = sdAffinity(zType);
  if( eRole==SD_ROLE_MARKER ) p->iMarker = p->nCol;
  if( eRole==SD_ROLE_OP ) p->iOp = p->nCol;
  if( eRole==SD_ROLE_ACTOR ) p->iActor = p->nCol;
  p->nCol++;
  return SQLITE_OK;
}

static int sdFindWrapper(sqlite3*, const char*, const char*, int, const char*,
                         char**, SdArgs*);

/*
** A show=deleted or show=all table takes its options from the base's
** show=live table. Sets *pzErr (and returns SQLITE_OK) when there is none
** or the options contradict it.
*/
static int sdInherit(sqlite3 *db, const char *zDb, const char *zName,
                     SdArgs *a, char **pzLive, char **pzErr){
  SdArgs live;
  const char *zWhat = 0;
  int rc = sdFindWrapper(db, zDb, a->zBase, SD_SHOW_LIVE, zName, pzLive, &live);
  *pzErr = 0;
  if( rc ) return rc;
  if( *pzLive==0 ){
    *pzErr = sqlite3_mprintf("softdelete: %s (show=%s) needs the live table of "
        "%s, and there is none: create it first, CREATE VIRTUAL TABLE name "
        "USING softdelete(%s)", zName, a->eShow==SD_SHOW_ALL ? "all" : "deleted",
        a->zBase, a->zBase);
    return *pzErr ? SQLITE_OK : SQLITE_NOMEM;
  }
  if( live.zMarker==0 ) live.zMarker = sqlite3_mprintf("deleted_at");
  if( live.eFormat<0 ) live.eFormat = SD_FMT_DATETIME;
  if( live.zMarker==0 ){ sdArgsClear(&live); return SQLITE_NOMEM; }
  if( a->zMarker && sdStrICmp(a->zMarker, live.zMarker)!=0 ) zWhat = "column=";
  else if( a->eFormat>=0 && a->eFormat!=live.eFormat ) zWhat = "format=";
  else if( a->zActor && (live.zActor==0 || sdStrICmp(a->zActor, live.zActor)!=0) ){
    zWhat = "actor=";
  }else if( a->zRetain && (live.zRetain==0 || strcmp(a->zRetain, live.zRetain)!=0) ){
    zWhat = "retain=";
  }else if( a->zLiveSql && strcmp(a->zLiveSql, sdLiveOf(&live))!=0 ){
    /* Two spellings of one value (1e5 and 100000) agree. Both are
    ** literals that sdArgLiteral() checked. */
    sqlite3_stmt *pEq = 0;
    rc = sdPrepare(db, &pEq, 0, "SELECT (%s) IS (%s)", a->zLiveSql,
                   sdLiveOf(&live));
    if( rc ){ sdArgsClear(&live); return rc; }
    if( sqlite3_step(pEq)!=SQLITE_ROW || !sqlite3_column_int(pEq, 0) ){
      zWhat = "live=";
    }
    rc = sqlite3_finalize(pEq);
    if( rc ){ sdArgsClear(&live); return rc; }
  }
  if( zWhat==0 && a->eGuard>=0 ){
    *pzErr = sqlite3_mprintf("softdelete: guard= belongs to the live table: "
        "%s (show=%s) takes none; the guard of %s is set on %s", zName,
        a->eShow==SD_SHOW_ALL ? "all" : "deleted", a->zBase, *pzLive);
    sdArgsClear(&live);
    return *pzErr ? SQLITE_OK : SQLITE_NOMEM;
  }
  if( zWhat ){
    *pzErr = sqlite3_mprintf("softdelete: %s contradicts the live table %s of "
        "%s: %s must be as there (or left out, to take it from there)",
        zName, *pzLive, a->zBase, zWhat);
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }else{
    sqlite3_free(a->zMarker);
    sqlite3_free(a->zActor);
    sqlite3_free(a->zRetain);
    sqlite3_free(a->zLiveSql);
    a->zMarker = live.zMarker;
    a->zActor = live.zActor;
    a->zRetain = live.zRetain;
    a->zLiveSql = live.zLiveSql;
    a->eFormat = live.eFormat;
    live.zMarker = live.zActor = live.zRetain = live.zLiveSql = 0;
  }
  sdArgsClear(&live);
  return rc;
}

/* ---- guard=on: triggers on the base (SPEC 15) ---------------------------- */

/*
** A table with guard=on has three triggers on its base, named after it:
**
**   <vtab>_guard_delete  BEFORE DELETE, unless softdelete itself deletes
**   <vtab>_guard_update  BEFORE UPDATE OF the marker, operation (and actor)
**                        columns that changes one, unless softdelete writes
**   <vtab>_guard_insert  BEFORE INSERT of a row that is not live
**
** "softdelete itself" is sd_guard(), 1 while the extension writes on this
** connection (sd_func.c). A connection that has not loaded the extension
** has no sd_guard(): its DELETE, and its UPDATE of those columns, fail to
** prepare ("no such function: sd_guard"), never run as a silent hard delete.
** The insert trigger calls no function: such a connection may insert live
** rows. The triggers are created with the table's columns (sdEnsureColumns),
** dropped by DROP TABLE of the virtual table, renamed with it.
*/
static const char *const azGuardKind[] = { "delete", "update", "insert" };

/*
** Is trigger zTrig of p's schema a guard trigger of softdelete's (its
** RAISE says "softdelete: ... is guarded by")? *peState: 0 no such trigger,
** 1 one of softdelete's, 2 another trigger of that name.
*/
static int sdGuardState(SdVtab *p, const char *zTrig, int *peState){
  sqlite3_stmt *pStmt = 0;
  int rc = sdPrepare(p->db, &pStmt, 0, "SELECT instr(CAST(sql AS TEXT), "
      "'RAISE(ABORT, ''softdelete: ')>0 AND instr(CAST(sql AS TEXT), "
      "' is guarded by ')>0 FROM \"%w\".sqlite_master WHERE type='trigger' "
      "AND name=?1 COLLATE NOCASE", p->zDb);
  *peState = 0;
  if( rc ) return rc;
  sqlite3_bind_text(pStmt, 1, zTrig, -1, SQLITE_STATIC);
  if( sqlite3_step(pStmt)==SQLITE_ROW ){
    *peState = sqlite3_column_int(pStmt, 0) ? 1 : 2;
  }
  return sqlite3_finalize(pStmt);
}

/*
** Refuse guard=on when a name its triggers take is already taken by a
** trigger (softdelete's own ones only when bOursOk).
*/
static int sdGuardNamesFree(SdVtab *p, const char *zVtab, int bOursOk,
                            char **pzErr){
  int k, rc = SQLITE_OK;
  for(k=0; rc==SQLITE_OK && k<3; k++){
    char *zTrig = sqlite3_mprintf("%s_guard_%s", zVtab, azGuardKind[k]);
    int eState = 0;
    if( zTrig==0 ) return SQLITE_NOMEM;
    rc = sdGuardState(p, zTrig, &eState);
    if( rc==SQLITE_OK && (eState==2 || (eState==1 && !bOursOk)) ){
      *pzErr = sqlite3_mprintf("softdelete: guard=on names its triggers "
          "after %s, and trigger %s exists already: drop or rename it first",
          zVtab, zTrig);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    sqlite3_free(zTrig);
  }
  return rc;
}

/*
** Create the triggers of guard=on for virtual table zVtab (those missing:
** a ROLLBACK TO may have taken some away). A trigger of another's that has
** one of their names fails it: the guard is never silently missing.
*/
int sdGuardInstall(SdVtab *p, const char *zVtab){
  int k, rc = SQLITE_OK;
  char *zErr = 0;
  rc = sdGuardNamesFree(p, zVtab, 1, &zErr);
  for(k=0; rc==SQLITE_OK && k<3; k++){
    sqlite3_str *s = sqlite3_str_new(p->db);
    char *zMsg = 0, *zSql, *zTrig = sqlite3_mprintf("%s_guard_%s", zVtab,
                                                     azGuardKind[k]);
    int eState = 0;
    if( zTrig==0 ){
      sqlite3_free(sqlite3_str_finish(s));
      rc = SQLITE_NOMEM;
      break;
    }
    rc = sdGuardState(p, zTrig, &eState);
    if( rc || eState ){
      sqlite3_free(zTrig);
      sqlite3_free(sqlite3_str_finish(s));
      continue;
    }
    sqlite3_str_appendf(s, "CREATE TRIGGER \"%w\".\"%w\" %s", p->zDb, zTrig,
        k==0 ? "BEFORE DELETE" : k==1 ? "BEFORE UPDATE OF " : "AFTER INSERT");
    if( k==0 ){
      sqlite3_str_appendf(s, " ON \"%w\" WHEN sd_guard() IS NOT 1", p->zBase);
      zMsg = sqlite3_mprintf("softdelete: %s is guarded by %s: DELETE FROM %s "
          "deletes (softly); rows are removed for good only by sd_purge(), "
          "sd_hard_delete() or DELETE on a trash table of %s",
          p->zBase, zVtab, zVtab, zVtab);
    }else if( k==1 ){
      sqlite3_str_appendf(s, "\"%w\", \"%w\"%s%w%s ON \"%w\" WHEN (NEW.\"%w\" IS "
          "NOT OLD.\"%w\" OR NEW.\"%w\" IS NOT OLD.\"%w\"", p->zMarker, p->zOpCol,
          p->zActor ? ", \"" : "", p->zActor ? p->zActor : "",
          p->zActor ? "\"" : "", p->zBase, p->zMarker, p->zMarker,
          p->zOpCol, p->zOpCol);
      if( p->zActor ){
        sqlite3_str_appendf(s, " OR NEW.\"%w\" IS NOT OLD.\"%w\"",
                            p->zActor, p->zActor);
      }
      sqlite3_str_appendall(s, ") AND sd_guard() IS NOT 1");
      zMsg = sqlite3_mprintf("softdelete: %s is guarded by %s: %s%s%s and %s "
          "are written by softdelete only: DELETE FROM %s deletes, sd_restore() "
          "or an UPDATE of a trash table restores", p->zBase, zVtab,
          p->zMarker, p->zActor ? ", " : "", p->zActor ? p->zOpCol : "",
          p->zActor ? p->zActor : p->zOpCol, zVtab);
    }else{
      /* After the insert, NEW holds the values as stored, the column's
      ** affinity applied; the live value has that affinity too
      ** (sdLiveAffinity), so the two compare as the extension's own
      ** "<marker> IS <live>" does. */
      sqlite3_str_appendf(s, " ON \"%w\" WHEN NEW.\"%w\" IS NOT %s OR "
          "NEW.\"%w\" IS NOT NULL", p->zBase, p->zMarker, p->zLiveSql,
          p->zOpCol);
      if( p->zActor ){
        sqlite3_str_appendf(s, " OR NEW.\"%w\" IS NOT NULL", p->zActor);
      }
      zMsg = sqlite3_mprintf("softdelete: %s is guarded by %s: a row is inserted "
          "live (%s %s %s, %s NULL%s%s%s); rows are deleted by DELETE FROM %s",
          p->zBase, zVtab, p->zMarker, p->pLiveVal ? "=" : "IS", p->zLiveSql,
          p->zOpCol, p->zActor ? ", " : "", p->zActor ? p->zActor : "",
          p->zActor ? " NULL" : "", zVtab);
    }
    sqlite3_str_appendf(s, " BEGIN SELECT RAISE(ABORT, %Q); END", zMsg);
    zSql = sdMprintfStr(s, &rc);
    if( rc==SQLITE_OK && zMsg==0 ) rc = SQLITE_NOMEM;
    if( rc==SQLITE_OK ) rc = sdExec(p->db, &zErr, "%s", zSql);
    sqlite3_free(zSql);
    sqlite3_free(zMsg);
    sqlite3_free(zTrig);
  }
  if( rc ){
    sdVtabError(p, "softdelete: cannot create the guard of %s on %s: %s", zVtab,
                p->zBase, zErr ? zErr : sqlite3_errstr(rc));
  }
  sqlite3_free(zErr);
  return rc;
}

/*
** Drop the triggers of guard=on of virtual table zVtab: those of their
** names whose RAISE says "softdelete: ... is guarded by" (a trigger of the
** user's own that only shares a name stays), on whatever table they are
** now (the base may have been renamed).
*/
int sdGuardRemove(SdVtab *p, const char *zVtab){
  int k, rc = SQLITE_OK;
  char *zErr = 0;
  for(k=0; rc==SQLITE_OK && k<3; k++){
    char *zTrig = sqlite3_mprintf("%s_guard_%s", zVtab, azGuardKind[k]);
    int eState = 0;
    if( zTrig==0 ) return SQLITE_NOMEM;
    rc = sdGuardState(p, zTrig, &eState);
    if( rc==SQLITE_OK && eState==1 ){
      rc = sdExec(p->db, &zErr, "DROP TRIGGER \"%w\".\"%w\"", p->zDb, zTrig);
    }
    sqlite3_free(zTrig);
  }
  if( rc ){
    sdVtabError(p, "softdelete: cannot remove the guard of %s from %s: %s", zVtab,
                p->zBase ? p->zBase : "its base", zErr ? zErr : sqlite3_errstr(rc));
  }
  sqlite3_free(zErr);
  return rc;
}

/*
** Adoption safety, at CREATE over a base that has the marker column already:
** if no row holds the live value while some row holds another (one that
** softdelete did not delete: it has no operation id), the table would come
** up with every row hidden. That is refused, naming the values found most,
** so that live= can be given; no row is touched.
*/
static int sdCheckAdoption(SdVtab *p, int mHave, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  sqlite3_str *s;
  int rc, bHidden = 0, n = 0;
  char *zFound, *zFirst = 0;
  rc = sdPrepare(p->db, &pStmt, 0, "SELECT NOT EXISTS(SELECT 1 FROM "
      "\"%w\".\"%w\" WHERE \"%w\" IS %s) AND EXISTS(SELECT 1 FROM \"%w\".\"%w\" "
      "WHERE \"%w\" IS NOT %s%s%w%s)", p->zDb, p->zBase, p->zMarker, p->zLiveSql,
      p->zDb, p->zBase, p->zMarker, p->zLiveSql,
      (mHave & SD_HAVE_OP) ? " AND \"" : "", (mHave & SD_HAVE_OP) ? p->zOpCol : "",
      (mHave & SD_HAVE_OP) ? "\" IS NULL" : "");
  if( rc ) return rc;
  if( sqlite3_step(pStmt)==SQLITE_ROW ) bHidden = sqlite3_column_int(pStmt, 0);
  rc = sqlite3_finalize(pStmt);
  if( rc || !bHidden ) return rc;
  rc = sdPrepare(p->db, &pStmt, 0, "SELECT quote(\"%w\"), count(*), "
      "typeof(\"%w\")<>'blob' FROM \"%w\".\"%w\" GROUP BY 1 "
      "ORDER BY 2 DESC, 1 LIMIT 3", p->zMarker, p->zMarker, p->zDb, p->zBase);
  if( rc ) return rc;
  s = sqlite3_str_new(0);
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zVal = (const char*)sqlite3_column_text(pStmt, 0);
    if( zVal==0 ){ rc = SQLITE_NOMEM; break; }
    if( n==0 && sqlite3_column_int(pStmt, 2) ){
      /* The most frequent value is the suggestion (not a blob: live=
      ** takes none). */
      zFirst = sqlite3_mprintf("%s", zVal);
      if( zFirst==0 ){ rc = SQLITE_NOMEM; break; }
    }
    sqlite3_str_appendf(s, "%s%s (%lld row%s)", n++ ? ", " : "", zVal,
        sqlite3_column_int64(pStmt, 1),
        sqlite3_column_int64(pStmt, 1)==1 ? "" : "s");
  }
  if( rc==SQLITE_OK ) rc = sqlite3_reset(pStmt);
  zFound = sdMprintfStr(s, &rc);
  if( rc==SQLITE_OK ){
    *pzErr = sqlite3_mprintf("softdelete: every row of %s would be hidden: "
        "its marker column %s holds the live value %s in no row; it holds %s. "
        "If one of these marks a live row, say so with live= (for example "
        "live=%s); no row was changed", p->zBase, p->zMarker, p->zLiveSql,
        zFound ? zFound : "", zFirst ? zFirst : "0");
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  sqlite3_free(zFirst);
  sqlite3_free(zFound);
  sqlite3_finalize(pStmt);
  return rc;
}

/*
** Set p->zLiveSql and p->pLiveVal from the live value zSql (an SQL literal
** checked by sdArgLiteral), and check it against the format: a deletion
** must write something other than the live value.
*/
static int sdLiveValue(SdVtab *p, const char *zSql, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  int rc = SQLITE_OK, t = SQLITE_NULL;
  if( sqlite3_stricmp(zSql, "NULL")!=0 ){
    rc = sdPrepare(p->db, &pStmt, 0, "SELECT %s", zSql);
    if( rc==SQLITE_ERROR ){
      *pzErr = sqlite3_mprintf("softdelete: live=%s is not a value: %s", zSql,
                               sqlite3_errmsg(p->db));
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
      t = sqlite3_column_type(pStmt, 0);
      p->pLiveVal = sqlite3_value_dup(sqlite3_column_value(pStmt, 0));
      if( p->pLiveVal==0 ) rc = SQLITE_NOMEM;
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
    else sqlite3_finalize(pStmt);
    if( rc==SQLITE_OK && p->pLiveVal==0 ) rc = SQLITE_ERROR;
    if( rc ) return rc;
  }
  /* One spelling of each value: integers as SQLite writes them. */
  if( t==SQLITE_INTEGER ){
    p->zLiveSql = sqlite3_mprintf("%lld", sqlite3_value_int64(p->pLiveVal));
  }else{
    p->zLiveSql = sqlite3_mprintf("%s", zSql);
  }
  if( p->zLiveSql==0 ) return SQLITE_NOMEM;
  return SQLITE_OK;
}

/*
** Once the marker column is known: the live value as the column stores it
** (its affinity applied: live='0' in an INTEGER column is 0, live=0 in a
** TEXT column '0'), so that the extension's comparisons in C agree with
** SQL's; then checked against the format, which must write something else.
*/
static int sdLiveAffinity(SdVtab *p, char **pzErr){
  char *zNew = 0;
  int t;
  if( p->pLiveVal && p->iMarker>=0 ){
    char eAff = p->aCol[p->iMarker].eAff;
    t = sqlite3_value_type(p->pLiveVal);
    if( eAff==SD_AFF_TEXT && (t==SQLITE_INTEGER || t==SQLITE_FLOAT) ){
      sqlite3_stmt *pStmt = 0;
      int rc = sdPrepare(p->db, &pStmt, 0, "SELECT CAST(?1 AS TEXT)");
      if( rc ) return rc;
      sqlite3_bind_value(pStmt, 1, p->pLiveVal);
      if( sqlite3_step(pStmt)==SQLITE_ROW ){
        sqlite3_value *v = sqlite3_value_dup(sqlite3_column_value(pStmt, 0));
        if( v ){
          sqlite3_value_free(p->pLiveVal);
          p->pLiveVal = v;
          zNew = sqlite3_mprintf("%Q", (const char*)sqlite3_value_text(v));
        }
      }
      rc = sqlite3_finalize(pStmt);
      if( rc==SQLITE_OK && zNew==0 ) rc = SQLITE_NOMEM;
      if( rc ) return rc;
    }else if( (eAff==SD_AFF_INTEGER || eAff==SD_AFF_NUMERIC || eAff==SD_AFF_REAL)
           && t==SQLITE_TEXT ){
      /* A text that is an integer literal is stored as that integer. (Not
      ** sqlite3_value_numeric_type() on a copied value: it crashes SQLite
      ** 3.52.0.) A text real literal stays text here: the column would
      ** store it as a real, which then never equals it; documented. */
      i64 iVal = 0;
      if( sdTextInteger((const char*)sqlite3_value_text(p->pLiveVal), &iVal) ){
        sqlite3_stmt *pStmt = 0;
        int rc = sdPrepare(p->db, &pStmt, 0, "SELECT CAST(?1 AS INTEGER)");
        if( rc ) return rc;
        sqlite3_bind_int64(pStmt, 1, iVal);
        if( sqlite3_step(pStmt)==SQLITE_ROW ){
          sqlite3_value *v = sqlite3_value_dup(sqlite3_column_value(pStmt, 0));
          if( v ){
            sqlite3_value_free(p->pLiveVal);
            p->pLiveVal = v;
            zNew = sqlite3_mprintf("%lld", iVal);
          }
        }
        rc = sqlite3_finalize(pStmt);
        if( rc==SQLITE_OK && zNew==0 ) rc = SQLITE_NOMEM;
        if( rc ) return rc;
      }
    }
    if( zNew ){
      sqlite3_free(p->zLiveSql);
      p->zLiveSql = zNew;
    }
  }
  t = p->pLiveVal ? sqlite3_value_type(p->pLiveVal) : SQLITE_NULL;
  if( p->eFormat==SD_FMT_ACTIVE && (t!=SQLITE_INTEGER
                                 || sqlite3_value_int64(p->pLiveVal)!=1) ){
    *pzErr = sqlite3_mprintf("softdelete: format=active marks a live row with "
        "1 and a deleted one with 0: leave live= out (it is 1), or use "
        "format=boolean with live=%s", p->zLiveSql);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if( p->eFormat==SD_FMT_BOOLEAN && (t==SQLITE_INTEGER || t==SQLITE_FLOAT)
   && sqlite3_value_double(p->pLiveVal)==1.0 ){
    *pzErr = sqlite3_mprintf("softdelete: format=boolean writes 1 when it "
        "deletes, and live=%s says 1 is live: for a flag that is 1 when live "
        "use format=active", p->zLiveSql);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

/*
** Build an SdVtab for virtual table zName in schema zDb from its module
** arguments. See SD_MODE_* for what eMode changes. In SD_MODE_GRAPH a
** table that is not show=live is no node of the graph: *ppOut stays NULL.
*/
int sdTableInit(sqlite3 *db, SdConn *pConn, const char *zDb, const char *zName,
                  int nArg, const char *const *azArg, int eMode,
                  SdVtab **ppOut, char **pzErr){
  SdArgs a;
  SdVtab *p;
  int rc, mHave = 0, bAdded = 0;
  char *zLive = 0, *zInherit = 0;

  *ppOut = 0;
  rc = sdParseArgs(nArg, azArg, &a, pzErr);
  if( rc==SQLITE_ERROR && eMode==SD_MODE_CONNECT ){
    /* A definition that cannot be read (written into the file by someone
    ** else): droppable, and every other use says why (declared with the
    ** base's columns where it can be, so that every statement reaches the
    ** module). */
    char *zBase = a.zBase;
    a.zBase = 0;
    sdArgsClear(&a);
    p = sqlite3_malloc64(sizeof(*p));
    if( p==0 ){ sqlite3_free(zBase); return SQLITE_NOMEM; }
    memset(p, 0, sizeof(*p));
    p->db = db;
    p->pConn = pConn;
    p->iMarker = p->iPk = p->iOp = p->iActor = -1;
    p->zDb = sqlite3_mprintf("%s", zDb);
    p->zName = sqlite3_mprintf("%s", zName);
    p->zMarker = sqlite3_mprintf("deleted_at");
    p->zOpCol = sqlite3_mprintf("deleted_at_op");
    p->zMissing = *pzErr;
    *pzErr = 0;
    if( p->zDb==0 || p->zName==0 || p->zMissing==0 || p->zMarker==0
     || p->zOpCol==0 ){
      sqlite3_free(zBase);
      sdTableFree(p);
      return SQLITE_NOMEM;
    }
    if( zBase ){
      char *zErr = 0;
      if( sdCheckBase(db, zDb, zBase, &p->zBase, &zErr)==SQLITE_OK
       && sdReadColumns(p, &mHave)!=SQLITE_OK ){
        p->iMarker = -1;
      }
      sqlite3_free(zErr);
      sqlite3_free(zBase);
    }
    rc = SQLITE_OK;
    goto done;
  }
  if( rc ){ sdArgsClear(&a); return rc; }
  if( a.eShow<0 ) a.eShow = SD_SHOW_LIVE;
  if( eMode==SD_MODE_GRAPH && a.eShow!=SD_SHOW_LIVE ){
    sdArgsClear(&a);
    return SQLITE_OK;
  }
  if( a.eShow!=SD_SHOW_LIVE ){
    rc = sdInherit(db, zDb, zName, &a, &zLive, &zInherit);
    if( rc==SQLITE_OK && zInherit && eMode!=SD_MODE_CONNECT ){
      *pzErr = zInherit;
      zInherit = 0;
      rc = SQLITE_ERROR;
    }
    if( rc ){ sdArgsClear(&a); sqlite3_free(zLive); return rc; }
  }
  if( a.zMarker==0 ) a.zMarker = sqlite3_mprintf("deleted_at");
  if( a.eFormat<0 ) a.eFormat = SD_FMT_DATETIME;
  p = a.zMarker ? sqlite3_malloc64(sizeof(*p)) : 0;
  if( p==0 ){
    sdArgsClear(&a);
    sqlite3_free(zLive);
    sqlite3_free(zInherit);
    return SQLITE_NOMEM;
  }
  memset(p, 0, sizeof(*p));
  p->db = db;
  p->pConn = pConn;
  p->iMarker = p->iPk = p->iOp = p->iActor = -1;
  p->eFormat = a.eFormat;
  p->eShow = a.eShow;
  p->zLive = zLive;
  p->zDb = sqlite3_mprintf("%s", zDb);
  p->zName = sqlite3_mprintf("%s", zName);
  p->zMarker = a.zMarker;
  a.zMarker = 0;
  p->zActor = a.zActor;
  a.zActor = 0;
  p->zRetain = a.zRetain;
  a.zRetain = 0;
  p->bGuard = a.eGuard==1;
  if( p->zRetain && SD_FMT_IS_FLAG(p->eFormat) ){
    *pzErr = sqlite3_mprintf("softdelete: retain= needs a deletion time, and "
        "format=%s records none: use a time format (datetime, unixepoch, "
        "unixepoch_ms, julianday)", sdFormatName(p->eFormat));
    rc = SQLITE_ERROR;
    goto fail;
  }
  rc = sdLiveValue(p, sdLiveOf(&a), pzErr);
  if( rc ) goto fail;
  p->zOpCol = sqlite3_mprintf("%s_op", p->zMarker);
  if( p->zDb==0 || p->zName==0 || p->zOpCol==0 ){ rc = SQLITE_NOMEM; goto fail; }
  if( p->zActor && (sdStrICmp(p->zActor, p->zMarker)==0
                 || sdStrICmp(p->zActor, p->zOpCol)==0) ){
    *pzErr = sqlite3_mprintf("softdelete: actor=%s names a column softdelete "
        "already uses: the actor needs a column of its own", p->zActor);
    rc = SQLITE_ERROR;
    goto fail;
  }

  rc = sdCheckBase(db, zDb, a.zBase, &p->zBase, pzErr);
  if( rc ){
    if( (eMode==SD_MODE_CONNECT || eMode==SD_MODE_GRAPH) && rc==SQLITE_ERROR ){
      /* The base has gone: keep the vtab droppable, fail every other use
      ** (a graph leaves such a table out: no row can cascade into it). */
      const char *zWhy = *pzErr ? *pzErr : "";
      if( strncmp(zWhy, "softdelete: ", 12)==0 ) zWhy += 12;
      p->zMissing = sqlite3_mprintf("softdelete: the base table %s of %s is "
          "missing (renamed or dropped): %s", a.zBase, zName, zWhy);
      sqlite3_free(*pzErr);
      *pzErr = 0;
      rc = p->zMissing ? SQLITE_OK : SQLITE_NOMEM;
      if( rc==SQLITE_OK ) goto done;
    }
    goto fail;
  }
  if( zInherit ){
    /* xConnect of a trash table whose live table has gone or changed:
    ** droppable, and every use says why (declared with the base's columns
    ** where it can be, so that every statement reaches the module). */
    p->zMissing = zInherit;
    zInherit = 0;
    if( sdReadColumns(p, &mHave)!=SQLITE_OK ) p->iMarker = -1;
    goto done;
  }

  if( eMode==SD_MODE_CREATE && p->eShow==SD_SHOW_LIVE ){
    char *zOther = 0;
    rc = sdFindWrapper(db, zDb, p->zBase, SD_SHOW_LIVE, zName, &zOther, 0);
    if( rc==SQLITE_OK && zOther ){
      *pzErr = sqlite3_mprintf("softdelete: base table %s is already wrapped by "
          "%s: a base table has one live softdelete table (add show=deleted "
          "or show=all for more views of it)", p->zBase, zOther);
      rc = SQLITE_ERROR;
    }
    sqlite3_free(zOther);
    if( rc ) goto fail;
  }
  rc = sdReadColumns(p, &mHave);
  if( rc ) goto fail;
  {
    char *zErr = 0;
    rc = sdCheckMarker(p, mHave, &zErr);
    if( rc==SQLITE_OK && zErr ){
      if( eMode==SD_MODE_CONNECT || eMode==SD_MODE_GRAPH ){
        /* Stay droppable; every use says what is wrong (a graph keeps
        ** the table, and refuses what reaches it). */
        p->zMissing = zErr;
        goto done;
      }
      *pzErr = zErr;
      rc = SQLITE_ERROR;
    }
    if( rc ) goto fail;
  }
  if( eMode==SD_MODE_CREATE && p->eShow==SD_SHOW_LIVE && (mHave & SD_HAVE_MARKER) ){
    rc = sdCheckAdoption(p, mHave, pzErr);
    if( rc ) goto fail;
  }
  if( eMode==SD_MODE_CREATE && p->eShow==SD_SHOW_LIVE && (mHave & SD_HAVE_ACTOR) ){
    /* The actor is written at each delete and cleared at each restore: a
    ** column that holds data in live rows (every row, while there is no
    ** marker yet) is not an actor column. */
    sqlite3_stmt *pChk = 0;
    if( mHave & SD_HAVE_MARKER ){
      rc = sdPrepare(db, &pChk, 0, "SELECT 1 FROM \"%w\".\"%w\" AS \"sd\" WHERE "
          "\"sd\".\"%w\" IS %s AND \"sd\".\"%w\" IS NOT NULL LIMIT 1",
          zDb, p->zBase, p->zMarker, p->zLiveSql, p->zActor);
    }else{
      rc = sdPrepare(db, &pChk, 0, "SELECT 1 FROM \"%w\".\"%w\" AS \"sd\" WHERE "
          "\"sd\".\"%w\" IS NOT NULL LIMIT 1", zDb, p->zBase, p->zActor);
    }
    if( rc ) goto fail;
    if( sqlite3_step(pChk)==SQLITE_ROW ){
      *pzErr = sqlite3_mprintf("softdelete: actor column %s of %s holds values "
          "in live rows: softdelete writes who deleted a row there and clears it "
          "at restore; name a column of its own (it is added when missing)",
          p->zActor, p->zBase);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pChk);
    else sqlite3_finalize(pChk);
    if( rc ) goto fail;
  }
  {
    int mWant = SD_HAVE_MARKER | SD_HAVE_OP | (p->zActor ? SD_HAVE_ACTOR : 0);
    int bIndex = 1;
    if( eMode==SD_MODE_CREATE && p->eShow==SD_SHOW_LIVE ){
      rc = sdHasOpIndex(p, &bIndex);
      if( rc ) goto fail;
    }
    if( eMode==SD_MODE_CREATE && p->bGuard ){
      /* The guard's triggers are created with the columns (below). */
      rc = sdGuardNamesFree(p, zName, 0, pzErr);
      if( rc ) goto fail;
      bIndex = 0;
    }
    if( (mHave & mWant)!=mWant || !bIndex ){
      /* Columns are added only for a table created in this transaction,
      ** and for a trash table only while its live table is that new too. */
      int bNew = eMode==SD_MODE_CREATE ? (p->eShow==SD_SHOW_LIVE
                   || *sdPendingFind(pConn, zDb, p->zLive)!=0)
               : *sdPendingFind(pConn, zDb, zName)!=0;
      if( !bNew && (mHave & mWant)!=mWant ){
        /* Lost since the table was created: refused, never re-added empty. */
        char *zErr = sdLostColumns(p, mHave);
        if( zErr==0 ){ rc = SQLITE_NOMEM; goto fail; }
        if( eMode==SD_MODE_LOOKUP || eMode==SD_MODE_CREATE ){
          *pzErr = zErr;
          rc = SQLITE_ERROR;
          goto fail;
        }
        /* Declared with the base's columns, so that every use reaches the
        ** module and gets this message. */
        p->zMissing = zErr;
      }else if( eMode==SD_MODE_GRAPH ){
        /* A write is under way: no ALTER TABLE here. */
        p->zMissing = sqlite3_mprintf("softdelete: %s was created in this "
            "transaction and its base %s has no column %s yet: it is added at "
            "COMMIT or when %s is first used", zName, p->zBase,
            !(mHave & SD_HAVE_MARKER) ? p->zMarker
            : !(mHave & SD_HAVE_OP) ? p->zOpCol : p->zActor, zName);
        if( p->zMissing==0 ){ rc = SQLITE_NOMEM; goto fail; }
        goto done;
      }else{
        if( eMode==SD_MODE_CREATE ){
          rc = sdPendingAdd(pConn, zDb, zName);
          if( rc ) goto fail;
          bAdded = 1;
        }
        /* Added by sdEnsureColumns() at the first safe moment; see there. */
        p->bPending = 1;
      }
      /* Declared now in the order sdEnsureColumns() adds them. */
      if( !(mHave & SD_HAVE_MARKER) ){
        rc = sdAppendColumn(p, p->zMarker, sdMarkerType(p->eFormat), SD_ROLE_MARKER);
        if( rc ) goto fail;
      }
      if( !(mHave & SD_HAVE_OP) && p->eShow!=SD_SHOW_LIVE ){
        rc = sdAppendColumn(p, p->zOpCol, "INTEGER", SD_ROLE_OP);
        if( rc ) goto fail;
      }
      if( (mWant & SD_HAVE_ACTOR) && !(mHave & SD_HAVE_ACTOR) ){
        rc = sdAppendColumn(p, p->zActor, 0, SD_ROLE_ACTOR);
        if( rc ) goto fail;
      }
      if( p->zMissing ) goto done;
      if( eMode==SD_MODE_LOOKUP ){
        /* An SQL function at the top level (sd_unique in a migration): the
        ** columns can be added now. */
        rc = sdEnsureColumns(p);
        if( rc ){
          *pzErr = sqlite3_mprintf("%s", p->base.zErrMsg);
          goto fail;
        }
      }
    }
  }
  rc = sdLiveAffinity(p, pzErr);
  if( rc ) goto fail;
  rc = sdChooseRowid(p, pzErr);
  if( rc ) goto fail;
  rc = sdSchemaVersion(p, &p->iSchema);
  if( rc ) goto fail;
  {
    sqlite3_stmt *pEnc = 0;
    rc = sdPrepare(db, &pEnc, 0, "PRAGMA \"%w\".encoding", zDb);
    if( rc ) goto fail;
    p->bUtf8 = sqlite3_step(pEnc)==SQLITE_ROW
            && sdStrICmp((const char*)sqlite3_column_text(pEnc, 0), "UTF-8")==0;
    if( p->bUtf8 && sqlite3_libversion_number()>=SD_UTF8_ZT_VERSION ){
      p->bUtf8 = SD_UTF8_ZT;
    }
    rc = sqlite3_finalize(pEnc);
    if( rc ) goto fail;
  }
  p->bLikeNoBlob = sqlite3_compileoption_used("SQLITE_LIKE_DOESNT_MATCH_BLOBS");
  rc = sdReadIndexes(p);
  if( rc ) goto fail;

done:
  if( eMode==SD_MODE_CREATE || eMode==SD_MODE_CONNECT ){
    char *zDecl;
    if( p->zMissing && p->iMarker<0 ){
      /* One visible column, so that even SELECT * reaches xBestIndex. */
      zDecl = sqlite3_mprintf("CREATE TABLE x(\"base table missing\")");
      if( zDecl==0 ) rc = SQLITE_NOMEM;
    }else{
      zDecl = sdDeclaration(p, &rc);
    }
    if( rc==SQLITE_OK ){
      rc = sqlite3_declare_vtab(db, zDecl);
      if( rc ){
        *pzErr = sqlite3_mprintf("softdelete: cannot declare %s with the "
            "columns of %s: %s", zName, p->zBase, sqlite3_errmsg(db));
      }
    }
    sqlite3_free(zDecl);
    if( rc ) goto fail;
  }
  sdArgsClear(&a);
  *ppOut = p;
  return SQLITE_OK;

fail:
  if( bAdded ) sdPendingRemove(pConn, zDb, zName);
  sdArgsClear(&a);
  sqlite3_free(zInherit);
  sdTableFree(p);
  return rc;
}

/*
** Add the marker and operation columns to the base if they are missing.
**
** CREATE VIRTUAL TABLE cannot do it in xCreate: ALTER TABLE reloads the
** schema, and on SQLite 3.41.1 and earlier that frees the table xCreate is
** building (3.52.0 holds a reference to it; versions between not checked).
** So xCreate only declares the marker, and this runs at the first safe
** moment: xSync at the commit of the CREATE statement (in autocommit mode,
** that is the CREATE itself), or the first xOpen or xUpdate, or an SQL
** function naming the table, whichever comes first. Only a table created in
** the current transaction (SdPending) gets here: one whose base lost the
** columns later is refused by sdTableInit().
*/
int sdEnsureColumns(SdVtab *p){
  sqlite3_stmt *pStmt = 0;
  int rc, mHave = 0, mWant, bIndex = 1;
  char *zErr = 0;
  if( !p->bPending ) return SQLITE_OK;
  mWant = SD_HAVE_MARKER | SD_HAVE_OP | (p->zActor ? SD_HAVE_ACTOR : 0);
  /* Which columns are there? p->aCol stays as declared until they are. */
  rc = sdPrepare(p->db, &pStmt, 0, "SELECT coalesce(sum(name=?3 COLLATE NOCASE),0),"
      " coalesce(sum(name=?4 COLLATE NOCASE),0), coalesce(sum(name=?5 COLLATE "
      "NOCASE),0) FROM pragma_table_xinfo(?1, ?2)");
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, p->zBase, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, p->zDb, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 3, p->zMarker, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 4, p->zOpCol, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 5, p->zActor, -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      if( sqlite3_column_int(pStmt, 0)>0 ) mHave |= SD_HAVE_MARKER;
      if( sqlite3_column_int(pStmt, 1)>0 ) mHave |= SD_HAVE_OP;
      if( sqlite3_column_int(pStmt, 2)>0 ) mHave |= SD_HAVE_ACTOR;
    }
    rc = sqlite3_finalize(pStmt);
  }
  /* In the order the declaration appended them (sdTableInit). */
  if( rc==SQLITE_OK && !(mHave & SD_HAVE_MARKER) ){
    /* Rows there are live: with a live value, they hold it from now on. */
    rc = sdExec(p->db, &zErr, "ALTER TABLE \"%w\".\"%w\" ADD COLUMN \"%w\" %s%s%s",
                p->zDb, p->zBase, p->zMarker, sdMarkerType(p->eFormat),
                p->pLiveVal ? " DEFAULT " : "", p->pLiveVal ? p->zLiveSql : "");
  }
  if( rc==SQLITE_OK && !(mHave & SD_HAVE_OP) ){
    rc = sdExec(p->db, &zErr, "ALTER TABLE \"%w\".\"%w\" ADD COLUMN \"%w\" INTEGER",
                p->zDb, p->zBase, p->zOpCol);
  }
  if( rc==SQLITE_OK && (mWant & SD_HAVE_ACTOR) && !(mHave & SD_HAVE_ACTOR) ){
    rc = sdExec(p->db, &zErr, "ALTER TABLE \"%w\".\"%w\" ADD COLUMN \"%w\"",
                p->zDb, p->zBase, p->zActor);
  }
  if( rc==SQLITE_OK ){
    rc = sdReadColumns(p, &mHave);
    if( rc==SQLITE_OK && (mHave & mWant)!=mWant ) rc = SQLITE_ERROR;
  }
  if( rc ){
    sdVtabError(p, "softdelete: cannot add columns %s and %s%s%s to %s: %s",
                p->zMarker, p->zOpCol, p->zActor ? " and " : "",
                p->zActor ? p->zActor : "", p->zBase,
                zErr ? zErr : sqlite3_errstr(rc));
    sqlite3_free(zErr);
    return rc;
  }
  /* The index that lists and undoes operations at the cost of their rows
  ** (sd_operations, UPDATE trash ... WHERE <marker>_op = ?): partial, so
  ** live rows never enter it and inserts do not pay for it. */
  if( p->eShow==SD_SHOW_LIVE ) rc = sdHasOpIndex(p, &bIndex);
  if( rc==SQLITE_OK && !bIndex ){
    char *zIdx = 0;
    rc = sdOpIndexName(p, &zIdx);
    if( rc==SQLITE_OK ) rc = sdExec(p->db, &zErr,
        "CREATE INDEX \"%w\".\"%w\" ON \"%w\"(\"%w\", \"%w\"%s%w%s) "
        "WHERE \"%w\" IS NOT NULL", p->zDb, zIdx, p->zBase, p->zOpCol,
        p->zMarker, p->zActor ? ", \"" : "", p->zActor ? p->zActor : "",
        p->zActor ? "\"" : "", p->zOpCol);
    if( rc ){
      sdVtabError(p, "softdelete: cannot create index %s on %s: %s",
                  zIdx ? zIdx : "", p->zBase, zErr ? zErr : sqlite3_errstr(rc));
    }
    sqlite3_free(zIdx);
    sqlite3_free(zErr);
    if( rc ) return rc;
  }
  if( p->bGuard ){
    rc = sdGuardInstall(p, p->zName);
    if( rc ) return rc;
  }
  p->bPending = 0;
  /* The table stays in SdConn.pPending until its transaction ends: a
  ** ROLLBACK TO may take the columns away again, and xSync then adds them
  ** once more (sdSyncColumns). Nothing was prepared against the columns
  ** yet: the debt is paid at the first xOpen or xUpdate, before any
  ** statement is kept. */
  return rc;
}

/*
** xSync: a table created in this transaction gets its columns, and its
** operation index, as the transaction commits, even if they were added
** already and a ROLLBACK TO took them away since.
*/
int sdSyncColumns(SdVtab *p){
  if( *sdPendingFind(p->pConn, p->zDb, p->zName) ) p->bPending = 1;
  return sdEnsureColumns(p);
}

/* ---- Looking a virtual table up by name, for the SQL functions ----------- */

/*
** Find a softdelete table other than zSelf that wraps base table zBase of
** schema zDb and shows eShow (SD_SHOW_*, or -1: any). *pzName is its name,
** or NULL when there is none; if pArgs is not NULL it receives its options.
** A base has one show=live table: two would each mark deletions in their
** own marker column, and cascades could not tell which one a row answers to.
*/
static int sdFindWrapper(sqlite3 *db, const char *zDb, const char *zBase,
                         int eShow, const char *zSelf, char **pzName,
                         SdArgs *pArgs){
  sqlite3_stmt *pStmt = 0;
  int rc;
  *pzName = 0;
  if( pArgs ) memset(pArgs, 0, sizeof(*pArgs));
  rc = sdPrepare(db, &pStmt, 0, "SELECT name, CAST(sql AS TEXT) FROM "
                 "\"%w\".sqlite_master WHERE type='table'", zDb);
  while( rc==SQLITE_OK && *pzName==0 && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zName, *zSql;
    char **azArg = 0, *zModule = 0, *zErr = 0;
    int nArg = 0;
    SdArgs a;
    memset(&a, 0, sizeof(a));
    rc = SQLITE_OK;
    zName = sdColumnText(pStmt, 0, &rc);
    zSql = sdColumnText(pStmt, 1, &rc);
    if( rc==SQLITE_OK && zName && zSql && sdStrICmp(zName, zSelf)!=0 ){
      rc = sdSplitCreate(zSql, &nArg, &azArg, &zModule);
      if( rc==SQLITE_OK && sdStrICmp(zModule, "softdelete")==0 ){
        /* A definition that cannot be parsed wraps nothing it could name. */
        rc = sdParseArgs(nArg, (const char*const*)azArg, &a, &zErr);
        if( rc==SQLITE_OK && sdStrICmp(a.zBase, zBase)==0
         && (eShow<0 || (a.eShow<0 ? SD_SHOW_LIVE : a.eShow)==eShow) ){
          *pzName = sqlite3_mprintf("%s", zName);
          if( *pzName==0 ) rc = SQLITE_NOMEM;
          if( rc==SQLITE_OK && pArgs ){ *pArgs = a; memset(&a, 0, sizeof(a)); }
        }
      }
      if( rc==SQLITE_ERROR ) rc = SQLITE_OK;
    }
    sdArgsClear(&a);
    sqlite3_free(zErr);
    sqlite3_free(zModule);
    sqlite3_free(azArg);
  }
  if( rc==SQLITE_DONE || rc==SQLITE_ROW ) rc = SQLITE_OK;
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  if( rc ){
    sqlite3_free(*pzName);
    *pzName = 0;
    if( pArgs ) sdArgsClear(pArgs);
  }
  return rc;
}

/*
** Call xTable for every show=live softdelete table of every schema of db,
** in schema then name order, with its options as its CREATE VIRTUAL TABLE
** text gives them (the table is not built, so a scan costs one read of
** each schema's catalogue). Texts that cannot be read are skipped. Stops
** at the first code other than SQLITE_OK, and returns it.
*/
int sdForEachLiveTable(sqlite3 *db, SdTableFn xTable, void *pArg){
  sqlite3_stmt *pDbs = 0;
  int rc = sdPrepare(db, &pDbs, 0, "SELECT name FROM pragma_database_list ORDER BY seq");
  while( rc==SQLITE_OK && sqlite3_step(pDbs)==SQLITE_ROW ){
    const char *zDb = sdColumnText(pDbs, 0, &rc);
    sqlite3_stmt *pTabs = 0;
    if( rc || zDb==0 ) break;
    rc = sdPrepare(db, &pTabs, 0, "SELECT name, CAST(sql AS TEXT) FROM "
        "\"%w\".sqlite_master WHERE type='table' AND lower(CAST(sql AS TEXT)) "
        "LIKE '%%virtual%%softdelete%%' ORDER BY name", zDb);
    while( rc==SQLITE_OK && sqlite3_step(pTabs)==SQLITE_ROW ){
      const char *zName = sdColumnText(pTabs, 0, &rc);
      const char *zSql = sdColumnText(pTabs, 1, &rc);
      char **azArg = 0, *zModule = 0, *zErr = 0;
      int nArg = 0;
      SdArgs a;
      memset(&a, 0, sizeof(a));
      if( rc || zName==0 || zSql==0 ) break;
      rc = sdSplitCreate(zSql, &nArg, &azArg, &zModule);
      if( rc==SQLITE_OK && sdStrICmp(zModule, "softdelete")==0 ){
        rc = sdParseArgs(nArg, (const char*const*)azArg, &a, &zErr);
        if( rc==SQLITE_OK && (a.eShow<0 || a.eShow==SD_SHOW_LIVE) ){
          SdTableOptions o;
          o.zBase = a.zBase;
          o.zMarker = a.zMarker ? a.zMarker : "deleted_at";
          o.zActor = a.zActor;
          o.zRetain = a.zRetain;
          o.zLiveSql = sdLiveOf(&a);
          rc = xTable(pArg, zDb, zName, &o);
        }
      }
      if( rc==SQLITE_ERROR && zErr ) rc = SQLITE_OK;   /* a text we cannot read */
      else if( rc==SQLITE_ERROR && zModule==0 ) rc = SQLITE_OK;
      sdArgsClear(&a);
      sqlite3_free(zErr);
      sqlite3_free(zModule);
      sqlite3_free(azArg);
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pTabs);
    else sqlite3_finalize(pTabs);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pDbs);
  else sqlite3_finalize(pDbs);
  return rc;
}

int sdWrapperOf(sqlite3 *db, const char *zDb, const char *zBase, int eShow,
                const char *zSelf, char **pzName){
  return sdFindWrapper(db, zDb, zBase, eShow, zSelf, pzName, 0);
}

/*
** Build the SdVtab of table zName of schema zDb from the text zSql that the
** schema keeps for it. *ppVtab is NULL (and SQLITE_OK returned) when zSql is
** not a softdelete table. bGraph: see SD_MODE_GRAPH.
*/
int sdVtabFromSql(sqlite3 *db, SdConn *pConn, const char *zDb, const char *zName,
                  const char *zSql, int bGraph, SdVtab **ppVtab, char **pzErr){
  char **azArg = 0, *zModule = 0;
  int nArg = 0, rc;
  *ppVtab = 0;
  if( zSql==0 ) return SQLITE_OK;
  rc = sdSplitCreate(zSql, &nArg, &azArg, &zModule);
  if( rc==SQLITE_OK && sdStrICmp(zModule, "softdelete")==0 ){
    rc = sdTableInit(db, pConn, zDb, zName, nArg, (const char*const*)azArg,
                bGraph ? SD_MODE_GRAPH : SD_MODE_LOOKUP, ppVtab, pzErr);
  }else if( rc==SQLITE_ERROR ){
    rc = SQLITE_OK;
  }
  sqlite3_free(zModule);
  sqlite3_free(azArg);
  return rc;
}

/* Does schema zDb exist? */
static int sdSchemaExists(sqlite3 *db, const char *zDb, int *pbFound){
  sqlite3_stmt *pStmt = 0;
  int rc = sdPrepare(db, &pStmt, 0, "SELECT 1 FROM pragma_database_list "
                     "WHERE name=?1 COLLATE NOCASE");
  *pbFound = 0;
  if( rc ) return rc;
  sqlite3_bind_text(pStmt, 1, zDb, -1, SQLITE_STATIC);
  rc = sqlite3_step(pStmt);
  *pbFound = rc==SQLITE_ROW;
  rc = sqlite3_finalize(pStmt);
  return rc;
}

/*
** Find the softdelete virtual table named zArg ("name" or "schema.name") and
** build its SdVtab. On error *pzErr says what is wrong.
*/
int sdFindVtab(sqlite3 *db, SdConn *pConn, const char *zArg, int bGraph,
               SdVtab **ppVtab, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  const char *zDot;
  char *zDb = 0, *zName = 0;
  int rc = SQLITE_OK, bSchema = 0;

  *ppVtab = 0;
  if( zArg==0 || zArg[0]==0 ){
    *pzErr = sqlite3_mprintf("softdelete: the first argument must name a "
        "softdelete virtual table");
    return SQLITE_ERROR;
  }
  zDot = strchr(zArg, '.');
  if( zDot ){
    /* "schema.name" only when the prefix names an attached schema. */
    zDb = sqlite3_mprintf("%.*s", (int)(zDot-zArg), zArg);
    if( zDb==0 ){ rc = SQLITE_NOMEM; goto out; }
    rc = sdSchemaExists(db, zDb, &bSchema);
    if( rc ) goto out;
    if( !bSchema ){ sqlite3_free(zDb); zDb = 0; }
  }
  zName = sqlite3_mprintf("%s", zDb ? zDot+1 : zArg);
  if( zName==0 ){ rc = SQLITE_NOMEM; goto out; }
  if( zDb==0 ){
    /* Search the schemas in SQLite's order: temp, main, attached. */
    rc = sdPrepare(db, &pStmt, 0,
        "SELECT name FROM pragma_database_list ORDER BY (name<>'temp'), seq");
    while( rc==SQLITE_OK && zDb==0 && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
      sqlite3_stmt *pF = 0;
      const char *zS;
      rc = SQLITE_OK;
      zS = sdColumnText(pStmt, 0, &rc);
      rc = rc ? rc : sdPrepare(db, &pF, 0, "SELECT 1 FROM \"%w\".sqlite_master "
          "WHERE type IN ('table','view') AND name=?1 COLLATE NOCASE", zS);
      if( rc==SQLITE_OK ){
        sqlite3_bind_text(pF, 1, zName, -1, SQLITE_STATIC);
        if( sqlite3_step(pF)==SQLITE_ROW ){
          zDb = sqlite3_mprintf("%s", zS);
          if( zDb==0 ) rc = SQLITE_NOMEM;
        }
        if( rc==SQLITE_OK ) rc = sqlite3_finalize(pF);
        else sqlite3_finalize(pF);
      }
    }
    if( rc==SQLITE_DONE || rc==SQLITE_ROW ) rc = SQLITE_OK;
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
    else sqlite3_finalize(pStmt);
    pStmt = 0;
    if( rc ) goto out;
    if( zDb==0 ){
      *pzErr = sqlite3_mprintf("softdelete: no such table: %s", zArg);
      rc = SQLITE_ERROR;
      goto out;
    }
  }
  rc = sdPrepare(db, &pStmt, 0, "SELECT name, sql FROM \"%w\".sqlite_master "
                 "WHERE type IN ('table','view') AND name=?1 COLLATE NOCASE", zDb);
  if( rc ) goto out;
  sqlite3_bind_text(pStmt, 1, zName, -1, SQLITE_STATIC);
  rc = sqlite3_step(pStmt);
  if( rc==SQLITE_ROW ){
    const char *zCanon, *zSql;
    rc = SQLITE_OK;
    zCanon = sdColumnText(pStmt, 0, &rc);
    zSql = sdColumnText(pStmt, 1, &rc);
    if( rc==SQLITE_OK && zCanon ){
      rc = sdVtabFromSql(db, pConn, zDb, zCanon, zSql, bGraph, ppVtab, pzErr);
      if( rc==SQLITE_OK && *ppVtab==0 ){
        *pzErr = sqlite3_mprintf("softdelete: %s is not a softdelete virtual "
            "table", zArg);
        rc = SQLITE_ERROR;
      }
    }
  }else if( rc==SQLITE_DONE ){
    *pzErr = sqlite3_mprintf("softdelete: no such table: %s", zArg);
    rc = SQLITE_ERROR;
  }

out:
  if( pStmt ){
    int rc2 = sqlite3_finalize(pStmt);
    if( rc==SQLITE_OK ) rc = rc2;
  }
  if( rc && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("softdelete: %s", rc==SQLITE_NOMEM
        ? "out of memory" : sqlite3_errmsg(db));
  }
  if( rc && *ppVtab ){ sdTableFree(*ppVtab); *ppVtab = 0; }
  sqlite3_free(zDb);
  sqlite3_free(zName);
  return rc;
}
