/*
** sd_util.c: helpers shared by every part of the module: error messages,
** identifiers, the deletion clock and the marker formats, SQL building.
*/
#include "softdelete.h"
#include <stdarg.h>
#include <stdio.h>

/* Replace the vtab's error message. zFmt is a sqlite3_mprintf() format. */
void sdVtabError(SdVtab *p, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  sqlite3_free(p->base.zErrMsg);
  p->base.zErrMsg = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
}

/* ASCII case-insensitive comparison; NULLs sort first. */
int sdStrICmp(const char *a, const char *b){
  if( a==0 || b==0 ) return a ? 1 : (b ? -1 : 0);
  return sqlite3_stricmp(a, b);
}

/* Prepare an SQL statement built from a printf format. */
int sdPrepare(sqlite3 *db, sqlite3_stmt **pp, int bPersist, const char *zFmt, ...){
  va_list ap;
  char *zSql;
  int rc;
  va_start(ap, zFmt);
  zSql = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  *pp = 0;
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v3(db, zSql, -1, bPersist ? SQLITE_PREPARE_PERSISTENT : 0,
                          pp, 0);
  sqlite3_free(zSql);
  return rc;
}

/*
** Column i of pStmt as text, or NULL for an SQL NULL. A value that could
** not be turned into text (out of memory) sets *pRc to SQLITE_NOMEM, so that
** it is never mistaken for NULL.
*/
const char *sdColumnText(sqlite3_stmt *pStmt, int i, int *pRc){
  int eType = sqlite3_column_type(pStmt, i);
  const char *z = (const char*)sqlite3_column_text(pStmt, i);
  if( z==0 && eType!=SQLITE_NULL && *pRc==SQLITE_OK ){
    *pRc = SQLITE_NOMEM;
  }
  return z;
}

/* Finish an sqlite3_str, reporting OOM through *pRc. */
char *sdMprintfStr(sqlite3_str *p, int *pRc){
  int rc = sqlite3_str_errcode(p);
  char *z = sqlite3_str_finish(p);
  if( rc!=SQLITE_OK || z==0 ){
    sqlite3_free(z);
    if( *pRc==SQLITE_OK ) *pRc = rc ? rc : SQLITE_NOMEM;
    return 0;
  }
  return z;
}

/* ---- The deletion clock ------------------------------------------------ */

/* The connection's "now" in Unix milliseconds: the pinned time, or the VFS clock. */
i64 sdNow(SdConn *pConn){
  sqlite3_vfs *pVfs;
  i64 t = 0;
  if( pConn->bPinned ) return pConn->iPinned;
  pVfs = sqlite3_vfs_find(0);
  if( pVfs && pVfs->iVersion>=2 && pVfs->xCurrentTimeInt64 ){
    pVfs->xCurrentTimeInt64(pVfs, &t);
  }else if( pVfs ){
    double r = 0.0;
    pVfs->xCurrentTime(pVfs, &r);
    t = (i64)(r*86400000.0);
  }
  return t - (i64)210866760000000;   /* Julian-day ms to Unix ms */
}

/*
** Operations. Every statement or function call that soft-deletes rows is one
** operation: a random 63-bit id and one deletion time. A new statement is
** recognised by SdConn.iGen having moved on: it is bumped by every xOpen
** (each statement scans the vtab it deletes from) and every function call.
*/
void sdNewOp(SdConn *pConn){
  sdFreshOp(pConn, &pConn->iOp, &pConn->iOpTime);
  pConn->iOpGen = pConn->iGen;
  pConn->pOpStmt = 0;
  sqlite3_free(pConn->zOpSql);
  pConn->zOpSql = 0;
  pConn->bOp = 1;
}

/* A new operation id and time, leaving the connection's current one alone. */
void sdFreshOp(SdConn *pConn, i64 *piOp, i64 *piTime){
  i64 iOp = 0;
  while( iOp<=0 ){
    sqlite3_randomness(sizeof(iOp), &iOp);
    iOp &= (i64)0x7fffffffffffffffLL;
  }
  *piOp = iOp;
  *piTime = sdNow(pConn);
}

/*
** The operation of the statement now writing, for soft deletes that an
** INSERT or UPDATE OR REPLACE makes. Such a statement opens no cursor on the
** vtab, so it is recognised as the one busy statement that writes, with its
** run count (sqlite3_stmt_status RUN): one operation per run of it.
*/
void sdWriterOp(SdConn *pConn, i64 *piOp, i64 *piTime){
  sqlite3_stmt *pS = 0, *pWriter = 0;
  int nWriter = 0, nRun = 0;
  const char *zSql = 0;
  while( (pS = sqlite3_next_stmt(pConn->db, pS))!=0 ){
    if( sqlite3_stmt_busy(pS) && !sqlite3_stmt_readonly(pS) ){
      pWriter = pS;
      nWriter++;
    }
  }
  if( nWriter==1 ){
    nRun = sqlite3_stmt_status(pWriter, SQLITE_STMTSTATUS_RUN, 0);
    zSql = sqlite3_sql(pWriter);
  }
  /* Another statement prepared at the address of a finalized one (as the
  ** shell does, line by line) has its own text: compare that too. */
  if( nWriter!=1 || !pConn->bOp || pConn->iOpGen!=pConn->iGen
   || pConn->pOpStmt!=(void*)pWriter || pConn->nOpRun!=nRun
   || pConn->zOpSql==0 || zSql==0 || strcmp(pConn->zOpSql, zSql)!=0 ){
    sdNewOp(pConn);
    if( nWriter==1 ){
      pConn->pOpStmt = (void*)pWriter;
      pConn->nOpRun = nRun;
      pConn->zOpSql = zSql ? sqlite3_mprintf("%s", zSql) : 0;
    }
  }
  *piOp = pConn->iOp;
  *piTime = pConn->iOpTime;
}

int sdCurrentOp(SdConn *pConn, i64 *piOp, i64 *piTime){
  if( !pConn->bOp || pConn->iOpGen!=pConn->iGen ) sdNewOp(pConn);
  *piOp = pConn->iOp;
  *piTime = pConn->iOpTime;
  return SQLITE_OK;
}

/* ---- Marker formats ---------------------------------------------------- */

static const char *const azFormat[] = {
  "datetime", "unixepoch", "unixepoch_ms", "julianday", "boolean", "active"
};

const char *sdFormatName(int eFormat){ return azFormat[eFormat]; }

int sdParseFormat(const char *z){
  int i;
  for(i=0; i<(int)(sizeof(azFormat)/sizeof(azFormat[0])); i++){
    if( sdStrICmp(z, azFormat[i])==0 ) return i;
  }
  return -1;
}

/* Write ms (Unix milliseconds) as YYYY-MM-DD HH:MM:SS.SSS into zOut[32]. */
void sdFormatDatetime(i64 ms, char *zOut){
  i64 days = ms / 86400000, rem = ms % 86400000;
  i64 z, era, doe, yoe, y, doy, mp, d, m;
  if( rem<0 ){ rem += 86400000; days--; }
  /* Civil date from days since 1970-01-01 (proleptic Gregorian). */
  z = days + 719468;
  era = (z>=0 ? z : z-146096) / 146097;
  doe = z - era*146097;
  yoe = (doe - doe/1460 + doe/36524 - doe/146096) / 365;
  y = yoe + era*400;
  doy = doe - (365*yoe + yoe/4 - yoe/100);
  mp = (5*doy + 2)/153;
  d = doy - (153*mp+2)/5 + 1;
  m = mp<10 ? mp+3 : mp-9;
  if( m<=2 ) y++;
  snprintf(zOut, 32, "%04d-%02d-%02d %02d:%02d:%02d.%03d",
           (int)y, (int)m, (int)d, (int)(rem/3600000), (int)(rem/60000%60),
           (int)(rem/1000%60), (int)(rem%1000));
}

static i64 sdFloorDiv(i64 a, i64 b){
  i64 q = a / b;
  if( (a % b)!=0 && ((a<0)!=(b<0)) ) q--;
  return q;
}

/* Bind the marker value for time ms in format eFormat. */
int sdBindTime(sqlite3_stmt *pStmt, int iParam, int eFormat, i64 ms){
  char zBuf[32];
  switch( eFormat ){
    case SD_FMT_DATETIME:
      sdFormatDatetime(ms, zBuf);
      return sqlite3_bind_text(pStmt, iParam, zBuf, -1, SQLITE_TRANSIENT);
    case SD_FMT_UNIXEPOCH:
      return sqlite3_bind_int64(pStmt, iParam, sdFloorDiv(ms, 1000));
    case SD_FMT_UNIXEPOCH_MS:
      return sqlite3_bind_int64(pStmt, iParam, ms);
    case SD_FMT_JULIANDAY:
      return sqlite3_bind_double(pStmt, iParam, ms/86400000.0 + 2440587.5);
    case SD_FMT_ACTIVE:
      return sqlite3_bind_int(pStmt, iParam, 0);
    default:
      return sqlite3_bind_int(pStmt, iParam, 1);
  }
}

/* Return time ms as an SQL value in format eFormat. */
void sdResultTime(sqlite3_context *ctx, int eFormat, i64 ms){
  char zBuf[32];
  switch( eFormat ){
    case SD_FMT_DATETIME:
      sdFormatDatetime(ms, zBuf);
      sqlite3_result_text(ctx, zBuf, -1, SQLITE_TRANSIENT);
      break;
    case SD_FMT_UNIXEPOCH:
      sqlite3_result_int64(ctx, sdFloorDiv(ms, 1000));
      break;
    case SD_FMT_UNIXEPOCH_MS:
      sqlite3_result_int64(ctx, ms);
      break;
    case SD_FMT_JULIANDAY:
      sqlite3_result_double(ctx, ms/86400000.0 + 2440587.5);
      break;
    case SD_FMT_ACTIVE:
      sqlite3_result_int(ctx, 0);
      break;
    default:
      sqlite3_result_int(ctx, 1);
      break;
  }
}

/*
** The message for a nested statement that failed with rc: the connection's
** message, unless a later call has already reset it (then SQLite's text for
** the code).
*/
const char *sdErrMsg(sqlite3 *db, int rc){
  if( rc==SQLITE_NOMEM || (rc & 0xff)!=(sqlite3_errcode(db) & 0xff) ){
    return sqlite3_errstr(rc);
  }
  return sqlite3_errmsg(db);
}

/* Run one SQL statement built from a printf format; errors go to *pzErr. */
int sdExec(sqlite3 *db, char **pzErr, const char *zFmt, ...){
  va_list ap;
  char *zSql;
  int rc;
  va_start(ap, zFmt);
  zSql = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_exec(db, zSql, 0, 0, 0);
  if( rc && pzErr ){
    sqlite3_free(*pzErr);
    *pzErr = sqlite3_mprintf("softdelete: %s", sqlite3_errmsg(db));
  }
  sqlite3_free(zSql);
  return rc;
}

/* A value as SQL text for messages: 42, 'text', X'00ff', NULL. */
char *sdQuoteValue(sqlite3_value *v){
  switch( sqlite3_value_type(v) ){
    case SQLITE_INTEGER: return sqlite3_mprintf("%lld", sqlite3_value_int64(v));
    case SQLITE_FLOAT:   return sqlite3_mprintf("%!.15g", sqlite3_value_double(v));
    case SQLITE_TEXT:    return sqlite3_mprintf("%Q", sqlite3_value_text(v));
    case SQLITE_BLOB: {
      const unsigned char *a = sqlite3_value_blob(v);
      int n = sqlite3_value_bytes(v), i;
      sqlite3_str *s = sqlite3_str_new(0);
      int rc = SQLITE_OK;
      sqlite3_str_appendall(s, "X'");
      for(i=0; i<n; i++) sqlite3_str_appendf(s, "%02x", a[i]);
      sqlite3_str_appendall(s, "'");
      return sdMprintfStr(s, &rc);
    }
  }
  return sqlite3_mprintf("NULL");
}

/* ---- Sets of rowids ----------------------------------------------------- */

static unsigned int sdIdHash(i64 iRowid){
  sqlite3_uint64 x = (sqlite3_uint64)iRowid * 0x9E3779B97F4A7C15ULL;
  return (unsigned int)(x >> 32);
}

int sdIdSetHas(const SdIdSet *p, i64 iRowid){
  unsigned int i;
  if( iRowid==SD_ID_EMPTY ) return p->bEmpty;
  if( p->nSlot==0 ) return 0;
  for(i=sdIdHash(iRowid) & (p->nSlot-1); p->a[i]!=SD_ID_EMPTY; i=(i+1) & (p->nSlot-1)){
    if( p->a[i]==iRowid ) return 1;
  }
  return 0;
}

/* Add iRowid: SQLITE_OK, or SQLITE_NOMEM (the set is as before). */
int sdIdSetAdd(SdIdSet *p, i64 iRowid){
  unsigned int i;
  if( iRowid==SD_ID_EMPTY ){ p->bEmpty = 1; return SQLITE_OK; }
  if( (p->n+1)*2 > p->nSlot ){
    int nNew = p->nSlot ? p->nSlot*2 : 64, k;
    i64 *aNew = sqlite3_malloc64(sizeof(i64)*nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    for(k=0; k<nNew; k++) aNew[k] = SD_ID_EMPTY;
    for(k=0; k<p->nSlot; k++){
      if( p->a[k]!=SD_ID_EMPTY ){
        for(i=sdIdHash(p->a[k]) & (nNew-1); aNew[i]!=SD_ID_EMPTY; i=(i+1) & (nNew-1)){}
        aNew[i] = p->a[k];
      }
    }
    sqlite3_free(p->a);
    p->a = aNew;
    p->nSlot = nNew;
  }
  for(i=sdIdHash(iRowid) & (p->nSlot-1); p->a[i]!=SD_ID_EMPTY; i=(i+1) & (p->nSlot-1)){
    if( p->a[i]==iRowid ) return SQLITE_OK;
  }
  p->a[i] = iRowid;
  p->n++;
  return SQLITE_OK;
}

void sdIdSetClear(SdIdSet *p){
  sqlite3_free(p->a);
  memset(p, 0, sizeof(*p));
}

/*
** Is z an integer literal as SQLite's numeric affinity takes one: optional
** white space, a sign, 1 to 18 digits, optional white space? *piVal is its
** value.
*/
int sdTextInteger(const char *z, i64 *piVal){
  i64 v = 0;
  int i = 0, n = 0, bNeg = 0;
  if( z==0 ) return 0;
  while( sdIsSpace(z[i]) ) i++;
  if( z[i]=='-' || z[i]=='+' ){ bNeg = z[i]=='-'; i++; }
  while( z[i]>='0' && z[i]<='9' ){
    if( ++n>18 ) return 0;
    v = v*10 + (z[i]-'0');
    i++;
  }
  while( sdIsSpace(z[i]) ) i++;
  if( n==0 || z[i]!=0 ) return 0;
  *piVal = bNeg ? -v : v;
  return 1;
}

/*
** Does v hold the live value of p's marker (live=)? Numbers compare by
** value (0 and 0.0 are both live=0), texts byte for byte.
*/
int sdIsLiveValue(const SdVtab *p, sqlite3_value *v){
  int t = sqlite3_value_type(v), tl;
  char eAff = p->iMarker>=0 ? p->aCol[p->iMarker].eAff : SD_AFF_BLOB;
  if( p->pLiveVal==0 ) return t==SQLITE_NULL;
  tl = sqlite3_value_type(p->pLiveVal);
  /* A value about to be written is compared as the column will store it:
  ** with its affinity (the live value has it already, sd_table.c). */
  if( eAff==SD_AFF_TEXT && tl==SQLITE_TEXT
   && (t==SQLITE_INTEGER || t==SQLITE_FLOAT) ){
    const unsigned char *z = sqlite3_value_text(v);
    const unsigned char *zl = sqlite3_value_text(p->pLiveVal);
    return z && zl && strcmp((const char*)z, (const char*)zl)==0;
  }
  if( (eAff==SD_AFF_INTEGER || eAff==SD_AFF_NUMERIC || eAff==SD_AFF_REAL)
   && t==SQLITE_TEXT && (tl==SQLITE_INTEGER || tl==SQLITE_FLOAT) ){
    /* A text the column stores as a number: an integer literal is compared
    ** by value; any other (a real literal) is not taken for the live value,
    ** which refuses the write rather than guess. (sqlite3_value_numeric_type
    ** on a copied value crashes SQLite 3.52.0.) */
    i64 iVal = 0;
    return sdTextInteger((const char*)sqlite3_value_text(v), &iVal)
        && (tl==SQLITE_INTEGER ? iVal==sqlite3_value_int64(p->pLiveVal)
                               : (double)iVal==sqlite3_value_double(p->pLiveVal));
  }
  if( (t==SQLITE_INTEGER || t==SQLITE_FLOAT)
   && (tl==SQLITE_INTEGER || tl==SQLITE_FLOAT) ){
    if( t==SQLITE_INTEGER && tl==SQLITE_INTEGER ){
      return sqlite3_value_int64(v)==sqlite3_value_int64(p->pLiveVal);
    }
    return sqlite3_value_double(v)==sqlite3_value_double(p->pLiveVal);
  }
  return t==tl && sdSameValue(v, p->pLiveVal);
}

/* Are two values the same value of the same type (byte for byte)? */
int sdSameValue(sqlite3_value *a, sqlite3_value *b){
  int t = sqlite3_value_type(a);
  if( t!=sqlite3_value_type(b) ) return 0;
  switch( t ){
    case SQLITE_NULL:    return 1;
    case SQLITE_INTEGER: return sqlite3_value_int64(a)==sqlite3_value_int64(b);
    case SQLITE_FLOAT: {
      double x = sqlite3_value_double(a), y = sqlite3_value_double(b);
      return memcmp(&x, &y, sizeof(x))==0;
    }
    default: {
      int n = sqlite3_value_bytes(a);
      const void *pa = t==SQLITE_TEXT ? (const void*)sqlite3_value_text(a)
                                      : sqlite3_value_blob(a);
      const void *pb = t==SQLITE_TEXT ? (const void*)sqlite3_value_text(b)
                                      : sqlite3_value_blob(b);
      return n==sqlite3_value_bytes(b) && (n==0 || memcmp(pa, pb, n)==0);
    }
  }
}
