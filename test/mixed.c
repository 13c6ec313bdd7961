/*
** mixed.c: the random workload of mixed operations and its oracle, shared by
** test/crash.c and test/concurrency.c (see mixed.h for the design).
**
** Each operation follows the same steps:
**
**   1. pick its targets in the model and apply to the model what the
**      statement must do, remembering the old rows in an undo log;
**   2. run the statement (built with sqlite3_mprintf, so that a report shows
**      the exact SQL);
**   3. compare the outcome with the prediction: changes(), the value a
**      function returns, or the error expected; a BUSY outcome, or a
**      predicted error, undoes step 1.
**
** A mismatch means the model and the database went apart: the worker stops
** (bFatal) and reports the seed, the operation number and the statement.
** A BUSY that came back sooner than busy_timeout is a lost wait: it is
** counted per operation kind and reported as a failure, and the worker goes
** on (the statement changed nothing, which the final comparison checks).
*/
#define _POSIX_C_SOURCE 200809L
#include "mixed.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- Small helpers ----------------------------------------------------- */

i64 mxNowNs(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (i64)ts.tv_sec*1000000000 + ts.tv_nsec;
}

u64 mxRand(u64 *p){
  u64 z = (*p += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z>>30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z>>27)) * 0x94d049bb133111ebULL;
  return z ^ (z>>31);
}

int mxRandInt(u64 *p, int n){
  return n>0 ? (int)(mxRand(p) % (u64)n) : 0;
}

static const char *azKind[MX_NKIND] = {
  "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK", "SAVEPOINT", "sd_clock", "read check",
  "INSERT users", "INSERT posts", "INSERT comments",
  "INSERT OR REPLACE (email)", "INSERT OR REPLACE (rowid)",
  "UPDATE users.name", "UPDATE users.email", "UPDATE posts", "UPDATE comments",
  "DELETE users", "DELETE posts", "DELETE posts of user", "DELETE comments",
  "sd_restore in txn", "sd_restore autocommit",
  "sd_hard_delete in txn", "sd_hard_delete autocommit",
  "sd_purge in txn", "sd_purge autocommit",
  "schema change", "sqlite3_open",
};

const char *mxKindName(int e){
  return e>=0 && e<MX_NKIND ? azKind[e] : "?";
}

void mxStatAdd(MxStat *pTo, const MxStat *pFrom){
  pTo->nRun += pFrom->nRun;
  pTo->nOk += pFrom->nOk;
  pTo->nErr += pFrom->nErr;
  pTo->nNoRow += pFrom->nNoRow;
  pTo->nBusy += pFrom->nBusy;
  pTo->nLost += pFrom->nLost;
  if( pFrom->msMax>pTo->msMax ) pTo->msMax = pFrom->msMax;
}

/* Record a failure; the first ones are kept for the final report. */
void mxFail(MxWorker *w, const char *zFmt, ...){
  va_list ap;
  char *z;
  size_t n = strlen(w->zFail);
  va_start(ap, zFmt);
  z = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  w->nFail++;
  fprintf(stderr, "FAIL worker %d (seed %llu, op %d): %s\n", w->iProc,
          (unsigned long long)w->seed, w->nOp, z ? z : "out of memory");
  if( n+200<sizeof(w->zFail) ){
    snprintf(w->zFail+n, sizeof(w->zFail)-n, "worker %d (seed %llu, op %d): %s\n",
             w->iProc, (unsigned long long)w->seed, w->nOp, z ? z : "?");
  }
  sqlite3_free(z);
}

static void mxFatal(MxWorker *w, const char *zFmt, ...){
  va_list ap;
  char *z;
  va_start(ap, zFmt);
  z = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  mxFail(w, "%s", z ? z : "out of memory");
  sqlite3_free(z);
  w->bFatal = 1;
}

/* End a transaction that went wrong. A ROLLBACK that fails while a
** transaction is still open leaves the connection unusable: stop. */
static void mxRollback(MxWorker *w){
  if( sqlite3_get_autocommit(w->db) ) return;
  if( sqlite3_exec(w->db, "ROLLBACK", 0, 0, 0)!=SQLITE_OK
   && !sqlite3_get_autocommit(w->db) ){
    mxFatal(w, "ROLLBACK failed: %s", sqlite3_errmsg(w->db));
  }
}

/* Unix seconds as the datetime format writes them (bMs: with ".000"). */
static void mxFmtTime(i64 t, char *z, int bMs){
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  snprintf(z, 40, "%04d-%02d-%02d %02d:%02d:%02d%s", tm.tm_year+1900,
           tm.tm_mon+1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
           bMs ? ".000" : "");
}

static const char *const azTab[MX_NTAB] = { "users", "posts", "comments" };
static const char *const azBase[MX_NTAB] = { "users_data", "posts_data", "comments_data" };

/* ---- Setup ------------------------------------------------------------- */

int mxOpen(const char *zPath, int busyMs, sqlite3 **pDb, char **pzErr){
  sqlite3 *db = 0;
  int rc = sqlite3_open_v2(zPath, &db, SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
  if( rc==SQLITE_OK ) rc = sqlite3_extended_result_codes(db, 1);
  if( rc==SQLITE_OK ) rc = sqlite3_busy_timeout(db, busyMs);
  /* Typical users enforce foreign keys: sd_purge and sd_hard_delete then
  ** take the children of a removed row with it (SQLite's own CASCADE). */
  if( rc==SQLITE_OK ) rc = sqlite3_exec(db, "PRAGMA foreign_keys=ON", 0, 0, 0);
  if( rc ){
    *pzErr = sqlite3_mprintf("cannot open %s: %s", zPath,
                             db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    *pDb = 0;
    return rc ? rc : SQLITE_ERROR;
  }
  *pDb = db;
  return SQLITE_OK;
}

int mxCreateSchema(sqlite3 *db, char **pzErr){
  int rc = sqlite3_exec(db,
    "CREATE TABLE users_data(id INTEGER PRIMARY KEY, email TEXT, name TEXT);"
    "CREATE TABLE posts_data(id INTEGER PRIMARY KEY,"
    " author_id INTEGER REFERENCES users_data(id) ON DELETE CASCADE, title TEXT);"
    "CREATE TABLE comments_data(id INTEGER PRIMARY KEY,"
    " post_id INTEGER REFERENCES posts_data(id) ON DELETE CASCADE, body TEXT);"
    "CREATE VIRTUAL TABLE users USING softdelete(users_data);"
    "CREATE VIRTUAL TABLE posts USING softdelete(posts_data);"
    "CREATE VIRTUAL TABLE comments USING softdelete(comments_data, guard=on);"
    "CREATE VIRTUAL TABLE users_trash USING softdelete(users_data, show=deleted);"
    "CREATE VIRTUAL TABLE posts_trash USING softdelete(posts_data, show=deleted);"
    "CREATE VIRTUAL TABLE comments_trash USING softdelete(comments_data, show=deleted);"
    "SELECT sd_unique('users', 'email');"
    "SELECT sd_index('posts', 'author_id');"
    "SELECT sd_index('comments', 'post_id');", 0, 0, pzErr);
  return rc;
}

void mxWorkerInit(MxWorker *w, sqlite3 *db, int iProc, int bSole, u64 seed){
  memset(w, 0, sizeof(*w));
  w->db = db;
  w->iProc = iProc;
  w->bSole = bSole;
  w->seed = seed;
  w->rng = seed ^ 0x5eed5eed5eedULL;
  /* Worker k owns ids [(k+1)*1e9, (k+2)*1e9) in every table. */
  w->idLo = bSole ? 1 : (i64)(iProc+1)*1000000000;
  w->idHi = bSole ? ((i64)1<<62) : (i64)(iProc+2)*1000000000;
  w->idNext = w->idLo;
  w->opNext = ((i64)(iProc+1)<<32) + 1;
  w->tNow = 1700000000;
  w->busyMs = 5000;
  w->nTarget = 1200;
  w->verifyPct = 0;
}

void mxWorkerFree(MxWorker *w){
  int i;
  for(i=0; i<MX_NTAB; i++) free(w->t[i].a);
  free(w->aUndo);
  free(w->aPurge);
  free(w->azTag);
  w->azTag = 0; w->nTag = w->nTagAlloc = 0;
  memset(w->t, 0, sizeof(w->t));
  w->aUndo = 0; w->nUndo = w->nUndoAlloc = 0;
  w->aPurge = 0; w->nPurge = w->nPurgeAlloc = 0;
}

/* ---- The model's tables and undo log ----------------------------------- */

static void *mxGrow(void *a, int *pnAlloc, int n, size_t sz){
  if( n<*pnAlloc ) return a;
  *pnAlloc = *pnAlloc ? *pnAlloc*2 : 64;
  a = realloc(a, sz * (size_t)*pnAlloc);
  if( a==0 ){ fprintf(stderr, "out of memory\n"); exit(2); }
  return a;
}

static int mxFind(MxTable *p, i64 id){
  int lo = 0, hi = p->n-1;
  while( lo<=hi ){
    int mid = (lo+hi)/2;
    if( p->a[mid].id==id ) return mid;
    if( p->a[mid].id<id ) lo = mid+1; else hi = mid-1;
  }
  return -1;
}

static MxRow *mxGet(MxWorker *w, int iTab, i64 id){
  int i = mxFind(&w->t[iTab], id);
  return i<0 ? 0 : &w->t[iTab].a[i];
}

/* The row about to change: its old content goes to the undo log. */
static MxRow *mxTouch(MxWorker *w, int iTab, i64 id){
  int i = mxFind(&w->t[iTab], id);
  MxUndo *u;
  if( i<0 ) return 0;
  w->aUndo = mxGrow(w->aUndo, &w->nUndoAlloc, w->nUndo, sizeof(MxUndo));
  u = &w->aUndo[w->nUndo++];
  u->iTab = iTab;
  u->bNew = 0;
  u->old = w->t[iTab].a[i];
  return &w->t[iTab].a[i];
}

/* A new live row (or a removed one taken over by a new insert). */
static MxRow *mxAdd(MxWorker *w, int iTab, i64 id, i64 parent,
                    const char *zA, const char *zB){
  MxTable *t = &w->t[iTab];
  MxRow *r = mxTouch(w, iTab, id);
  if( r==0 ){
    int lo = 0, hi = t->n;
    MxUndo *u;
    while( lo<hi ){
      int mid = (lo+hi)/2;
      if( t->a[mid].id<id ) lo = mid+1; else hi = mid;
    }
    t->a = mxGrow(t->a, &t->nAlloc, t->n, sizeof(MxRow));
    memmove(&t->a[lo+1], &t->a[lo], sizeof(MxRow)*(size_t)(t->n-lo));
    t->n++;
    r = &t->a[lo];
    w->aUndo = mxGrow(w->aUndo, &w->nUndoAlloc, w->nUndo, sizeof(MxUndo));
    u = &w->aUndo[w->nUndo++];
    u->iTab = iTab;
    u->bNew = 1;
    memset(&u->old, 0, sizeof(u->old));
    u->old.id = id;
  }
  memset(r, 0, sizeof(*r));
  r->id = id;
  r->parent = parent;
  r->state = MX_LIVE;
  snprintf(r->a, sizeof(r->a), "%s", zA);
  snprintf(r->b, sizeof(r->b), "%s", zB ? zB : "");
  if( id>=w->idNext ) w->idNext = id+1;
  return r;
}

typedef struct MxMark { int nUndo, nPurge; } MxMark;

static MxMark mxMark(MxWorker *w){
  MxMark m;
  m.nUndo = w->nUndo;
  m.nPurge = w->nPurge;
  return m;
}

static void mxUndoTo(MxWorker *w, MxMark m){
  while( w->nUndo>m.nUndo ){
    MxUndo *u = &w->aUndo[--w->nUndo];
    MxTable *t = &w->t[u->iTab];
    int i = mxFind(t, u->old.id);
    if( i<0 ) continue;
    if( u->bNew ){
      memmove(&t->a[i], &t->a[i+1], sizeof(MxRow)*(size_t)(t->n-i-1));
      t->n--;
    }else{
      t->a[i] = u->old;
    }
  }
  if( w->nPurge>m.nPurge ) w->nPurge = m.nPurge;
}

static int mxPresent(const MxRow *r){
  return r->state==MX_LIVE || r->state==MX_DELETED;
}

/* A random row of table iTab in state eState, or 0. */
static MxRow *mxPick(MxWorker *w, int iTab, int eState){
  MxTable *t = &w->t[iTab];
  int i, iStart;
  if( t->n==0 ) return 0;
  for(i=0; i<8; i++){
    MxRow *r = &t->a[mxRandInt(&w->rng, t->n)];
    if( r->state==eState ) return r;
  }
  iStart = mxRandInt(&w->rng, t->n);
  for(i=0; i<t->n; i++){
    MxRow *r = &t->a[(iStart+i)%t->n];
    if( r->state==eState ) return r;
  }
  return 0;
}

/* A live user other than id holding email zEmail, or 0. */
static MxRow *mxEmailHolder(MxWorker *w, const char *zEmail, i64 id){
  MxTable *t = &w->t[MX_USERS];
  int i;
  for(i=0; i<t->n; i++){
    if( t->a[i].state==MX_LIVE && t->a[i].id!=id && strcmp(t->a[i].a, zEmail)==0 ){
      return &t->a[i];
    }
  }
  return 0;
}

/* Soft-delete a live row and, recursively, its live children (ON DELETE
** CASCADE), all under operation op. Returns the number of rows marked. */
static int mxModelDelete(MxWorker *w, int iTab, i64 id, i64 op, i64 ns){
  MxRow *r = mxGet(w, iTab, id);
  int n = 1, i;
  if( r==0 || r->state!=MX_LIVE ) return 0;
  r = mxTouch(w, iTab, id);
  r->state = MX_DELETED;
  r->op = op;
  r->tDel = w->tNow;
  r->nsDel = ns;
  if( iTab+1<MX_NTAB ){
    MxTable *c = &w->t[iTab+1];
    for(i=0; i<c->n; i++){
      if( c->a[i].parent==id && c->a[i].state==MX_LIVE ){
        n += mxModelDelete(w, iTab+1, c->a[i].id, op, ns);
      }
    }
  }
  return n;
}

/* Remove a row and everything under it for good (eState MX_GONE), or mark
** them found gone (MX_GONE_OTHER). Returns the number of live rows met
** under a row another worker's purge removed: there must be none. */
static int mxModelRemove(MxWorker *w, int iTab, i64 id, int eState, i64 ns){
  MxRow *r = mxGet(w, iTab, id);
  int nLive = 0, i;
  if( r==0 || !mxPresent(r) ) return 0;
  if( eState==MX_GONE_OTHER && r->state==MX_LIVE ) nLive++;
  r = mxTouch(w, iTab, id);
  r->state = eState;
  r->nsGone = ns;
  if( iTab+1<MX_NTAB ){
    MxTable *c = &w->t[iTab+1];
    for(i=0; i<c->n; i++){
      if( c->a[i].parent==id ) nLive += mxModelRemove(w, iTab+1, c->a[i].id, eState, ns);
    }
  }
  return nLive;
}

/* The rows sd_restore() brings back: the row, and recursively its deleted
** children carrying the same operation. */
typedef struct MxRef { int iTab; i64 id; } MxRef;
static MxRef *aSet = 0;
static int nSet = 0, nSetAlloc = 0;

static void mxRestoreSet(MxWorker *w, int iTab, i64 id, i64 op){
  int i;
  aSet = mxGrow(aSet, &nSetAlloc, nSet, sizeof(MxRef));
  aSet[nSet].iTab = iTab;
  aSet[nSet].id = id;
  nSet++;
  if( iTab+1<MX_NTAB ){
    MxTable *c = &w->t[iTab+1];
    for(i=0; i<c->n; i++){
      if( c->a[i].parent==id && c->a[i].state==MX_DELETED && c->a[i].op==op ){
        mxRestoreSet(w, iTab+1, c->a[i].id, op);
      }
    }
  }
}

/* Fresh texts. Each worker tags its emails with its seed, so that a worker
** started again on the same database (crash.c) never reuses one. */
static void mxText(MxWorker *w, char *z, int n, const char *zPrefix){
  static const char *const azWord[] = {
    "alpha", "O'Brien", "na\xc3\xafve", "quote\"d", "x", "lorem ipsum",
    "\xc3\xbcn\xc3\xaf", "semi;colon", "100%", "tab\there",
  };
  snprintf(z, (size_t)n, "%s %s %lld", zPrefix,
           azWord[mxRandInt(&w->rng, (int)(sizeof(azWord)/sizeof(azWord[0])))],
           ++w->nName);
}
static void mxEmail(MxWorker *w, char *z, int n){
  snprintf(z, (size_t)n, "p%d.%x.%lld@example.com", w->iProc,
           (unsigned)(w->seed & 0xfffff), ++w->nName);
}

static i64 mxFreshId(MxWorker *w){
  if( w->idNext>=w->idHi ){
    fprintf(stderr, "worker %d ran out of ids\n", w->iProc);
    exit(2);
  }
  return w->idNext++;
}

static i64 mxNewOp(MxWorker *w){ return w->opNext++; }

/* ---- Running a statement ----------------------------------------------- */

typedef struct MxRes {
  int rc;                   /* Extended result code */
  int bBusy;                /* BUSY or "database is locked" */
  int bRow;                 /* A row came back */
  int bNull;                /* ... whose first column is NULL */
  i64 iVal;                 /* ... its first column */
  char zText[64];           /* ... as text */
  int nChange;              /* sqlite3_changes() after a success */
  double ms;                /* Time taken */
  char zErr[600];           /* Error message */
} MxRes;

static int mxIsBusy(int rc, const char *zErr){
  return (rc&0xff)==SQLITE_BUSY || (rc&0xff)==SQLITE_LOCKED
      || strstr(zErr, "database is locked")!=0
      || strstr(zErr, "database table is locked")!=0
      || strstr(zErr, "database schema is locked")!=0;
}

/* Run one statement, count it under eKind, and tell a wait that was lost
** (BUSY sooner than busy_timeout) from one that timed out. */
static void mxExec(MxWorker *w, int eKind, const char *zSql, MxRes *r){
  sqlite3_stmt *pStmt = 0;
  MxStat *s = &w->aStat[eKind];
  i64 t0 = mxNowNs();
  int rc;
  memset(r, 0, sizeof(*r));
  snprintf(w->zLast, sizeof(w->zLast), "%s", zSql);
  rc = sqlite3_prepare_v2(w->db, zSql, -1, &pStmt, 0);
  if( rc==SQLITE_OK ){
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
      if( !r->bRow ){
        const char *z = (const char*)sqlite3_column_text(pStmt, 0);
        r->bRow = 1;
        r->bNull = sqlite3_column_type(pStmt, 0)==SQLITE_NULL;
        r->iVal = sqlite3_column_int64(pStmt, 0);
        snprintf(r->zText, sizeof(r->zText), "%s", z ? z : "");
      }
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    if( rc ) snprintf(r->zErr, sizeof(r->zErr), "%s", sqlite3_errmsg(w->db));
    sqlite3_finalize(pStmt);
  }else{
    snprintf(r->zErr, sizeof(r->zErr), "%s", sqlite3_errmsg(w->db));
  }
  r->rc = rc;
  r->ms = (double)(mxNowNs()-t0)/1e6;
  if( rc==SQLITE_OK ) r->nChange = sqlite3_changes(w->db);
  s->nRun++;
  if( r->ms>s->msMax ) s->msMax = r->ms;
  if( rc && mxIsBusy(rc, r->zErr) ){
    r->bBusy = 1;
    if( r->ms < 0.9*w->busyMs ){
      s->nLost++;
      mxFail(w, "lost wait: %s failed after %.1f ms (busy_timeout %d ms) with "
             "rc=%d (%s): %s", mxKindName(eKind), r->ms, w->busyMs, rc,
             r->zErr, zSql);
    }else{
      s->nBusy++;
    }
  }
  if( !w->bTxn && eKind!=MX_K_BEGIN && !sqlite3_get_autocommit(w->db) ){
    mxFail(w, "a statement in autocommit mode left a transaction open: %s", zSql);
    mxRollback(w);
  }
  if( w->bTxn && rc && sqlite3_get_autocommit(w->db) ) w->bTxnLost = 1;
}

/* What a statement must do. */
typedef struct MxExp {
  const char *zErr;         /* Expected error (a part of it), or NULL */
  int eCount;               /* What to compare nCount with */
  i64 nCount;
  int iTab; i64 id;         /* The target row */
  int bNoRowOk;             /* "has no row" is fine: another worker's purge */
  int bReconcile;           /* sd_restore with others around: see mxRun */
  int bAtLeast;             /* nCount is a lower bound */
  int bTrash;               /* A restore through the trash table: changes()
                            ** counts the row matched, and a row another
                            ** worker purged is simply not matched */
  i64 iRowid;               /* Expected last_insert_rowid(), or 0 */
} MxExp;
#define MX_C_NONE    0
#define MX_C_CHANGES 1      /* sqlite3_changes() */
#define MX_C_VALUE   2      /* the integer the statement returns */

/* After a successful sd_restore() with other workers around: the rows
** predicted restored that another worker had purged are gone; all others
** must be live. Returns how many are live, or -1 after a failure. */
static int mxReconcile(MxWorker *w, int eKind){
  int i, nLive = 0;
  for(i=0; i<nSet; i++){
    sqlite3_stmt *pStmt = 0;
    char *zSql = sqlite3_mprintf("SELECT deleted_at IS NULL FROM \"%w\" WHERE id=%lld",
                                 azBase[aSet[i].iTab], aSet[i].id);
    int rc = sqlite3_prepare_v2(w->db, zSql, -1, &pStmt, 0);
    sqlite3_free(zSql);
    if( rc ){
      mxFatal(w, "reconcile: %s", sqlite3_errmsg(w->db));
      return -1;
    }
    rc = sqlite3_step(pStmt);
    if( rc==SQLITE_ROW ){
      if( sqlite3_column_int(pStmt, 0) ){
        nLive++;
      }else{
        mxFatal(w, "sd_restore left row %lld of %s deleted, although its "
                "operation cascaded to it: %s", aSet[i].id, azTab[aSet[i].iTab],
                w->zLast);
      }
    }else if( rc==SQLITE_DONE ){
      MxRow *r = mxTouch(w, aSet[i].iTab, aSet[i].id);
      r->state = MX_GONE_OTHER;
      r->nsGone = mxNowNs();
      w->aStat[eKind].nNoRow++;
    }else{
      mxFatal(w, "reconcile: %s", sqlite3_errmsg(w->db));
    }
    sqlite3_finalize(pStmt);
    if( w->bFatal ) return -1;
  }
  return nLive;
}

/* Run zSql (freed here) and check it against e; m is the undo mark taken
** before the model was changed. Returns 1 if it succeeded as predicted. */
static int mxRun(MxWorker *w, int eKind, char *zSql, MxMark m, MxExp *e){
  MxRes r;
  int bOk = 0;
  if( zSql==0 ){ fprintf(stderr, "out of memory\n"); exit(2); }
  w->nOp++;
  if( !w->bTxn && w->xPending ) w->xPending(w->pHook, mxModelSum(w), zSql);
  mxExec(w, eKind, zSql, &r);
  if( r.rc!=SQLITE_OK ){
    mxUndoTo(w, m);
    if( r.bBusy ){
      /* Counted by mxExec; the statement must have changed nothing. */
    }else if( e->zErr && strstr(r.zErr, e->zErr) ){
      w->aStat[eKind].nErr++;
      bOk = 1;
    }else if( e->bNoRowOk && strstr(r.zErr, "has no row") ){
      if( mxModelRemove(w, e->iTab, e->id, MX_GONE_OTHER, mxNowNs()) ){
        mxFatal(w, "row %lld of %s is gone (another worker's purge?) but the "
                "model has live rows under it: %s", e->id, azTab[e->iTab], zSql);
      }
      w->aStat[eKind].nNoRow++;
      bOk = 1;
    }else{
      mxFatal(w, "%s: expected %s%s, got error rc=%d: %s", zSql,
              e->zErr ? "the error " : "success", e->zErr ? e->zErr : "",
              r.rc, r.zErr);
    }
  }else if( e->zErr && e->bTrash && e->bNoRowOk && r.nChange==0 ){
    /* Not matched: another worker purged the row. */
    if( mxModelRemove(w, e->iTab, e->id, MX_GONE_OTHER, mxNowNs()) ){
      mxFatal(w, "row %lld of %s is gone (another worker's purge?) but the "
              "model has live rows under it: %s", e->id, azTab[e->iTab], zSql);
    }
    w->aStat[eKind].nNoRow++;
    bOk = 1;
  }else if( e->zErr ){
    mxFatal(w, "%s: expected the error \"%s\", but it succeeded", zSql, e->zErr);
  }else{
    i64 nGot = e->eCount==MX_C_CHANGES ? r.nChange : r.iVal;
    i64 nWant = e->nCount;
    if( e->bReconcile ){
      int n = mxReconcile(w, eKind);
      if( n>=0 ) nWant = n;
      if( n>=0 && e->bTrash ){
        /* The statement matched the row unless another worker purged it. */
        MxRow *pRoot = mxGet(w, e->iTab, e->id);
        nWant = pRoot && pRoot->state==MX_LIVE;
      }
    }
    if( w->bFatal ){
      /* reported by mxReconcile */
    }else if( e->eCount==MX_C_VALUE && (!r.bRow || r.bNull) ){
      mxFatal(w, "%s: expected the value %lld, got %s", zSql, nWant,
              r.bRow ? "NULL" : "no row");
    }else if( e->eCount!=MX_C_NONE
           && (e->bAtLeast ? nGot<nWant : nGot!=nWant) ){
      mxFatal(w, "%s: expected %s %s%lld, got %lld", zSql,
              e->eCount==MX_C_CHANGES ? "changes()" : "the value",
              e->bAtLeast ? ">= " : "", nWant, nGot);
    }else if( e->iRowid && sqlite3_last_insert_rowid(w->db)!=e->iRowid ){
      mxFatal(w, "%s: expected last_insert_rowid() %lld, got %lld", zSql,
              e->iRowid, sqlite3_last_insert_rowid(w->db));
    }else{
      w->aStat[eKind].nOk++;
      bOk = 1;
    }
  }
  if( bOk && !w->bTxn ){
    int i;
    for(i=m.nPurge; i<w->nPurge; i++){
      if( w->aPurge[i].nsEnd==0 ) w->aPurge[i].nsEnd = mxNowNs();
    }
    if( r.rc==SQLITE_OK ) w->nTxn++;
    if( w->xCommit ) w->xCommit(w->pHook, mxModelSum(w), zSql);
  }
  sqlite3_free(zSql);
  return bOk;
}

static void mxHint(MxWorker *w, int nRow, const char *zWhat){
  if( w->xHint && nRow>=8 ) w->xHint(w->pHook, MX_HINT_CASCADE, zWhat);
}

/* ---- The operations ---------------------------------------------------- */

static void mxOpInsUser(MxWorker *w){
  MxMark m = mxMark(w);
  MxExp e;
  char zEmail[48], zName[48];
  MxRow *pDup = mxRandInt(&w->rng, 10)==0 ? mxPick(w, MX_USERS, MX_LIVE) : 0;
  memset(&e, 0, sizeof(e));
  mxText(w, zName, 40, "user");
  if( pDup ){
    /* The email of a live user: the live-unique index refuses it. */
    e.zErr = "UNIQUE constraint failed: users_data.email";
    mxRun(w, MX_K_INS_USER, sqlite3_mprintf(
          "INSERT INTO \"%w\"(id, email, name) VALUES(%lld, %Q, %Q)",
          azTab[MX_USERS], mxFreshId(w), pDup->a, zName), m, &e);
    return;
  }
  mxEmail(w, zEmail, sizeof(zEmail));
  e.eCount = MX_C_CHANGES;
  e.nCount = 1;
  if( w->bSole && mxRandInt(&w->rng, 3)==0 ){
    /* An automatic rowid: one more than the largest rowid in the base. */
    MxTable *t = &w->t[MX_USERS];
    i64 iMax = 0;
    int i;
    for(i=0; i<t->n; i++) if( mxPresent(&t->a[i]) ) iMax = t->a[i].id;
    e.iRowid = iMax+1;
    mxAdd(w, MX_USERS, iMax+1, 0, zEmail, zName);
    mxRun(w, MX_K_INS_USER, sqlite3_mprintf(
          "INSERT INTO \"%w\"(email, name) VALUES(%Q, %Q)", azTab[MX_USERS],
          zEmail, zName), m, &e);
  }else{
    i64 id = mxFreshId(w);
    mxAdd(w, MX_USERS, id, 0, zEmail, zName);
    mxRun(w, MX_K_INS_USER, sqlite3_mprintf(
          "INSERT INTO \"%w\"(id, email, name) VALUES(%lld, %Q, %Q)",
          azTab[MX_USERS], id, zEmail, zName), m, &e);
  }
}

/* A multi-row INSERT of posts under a live user, or of comments under a
** live post. */
static void mxOpInsChildren(MxWorker *w, int iTab){
  MxMark m = mxMark(w);
  MxExp e;
  MxRow *pParent = mxPick(w, iTab-1, MX_LIVE);
  sqlite3_str *s;
  i64 parent;
  int i, n;
  if( pParent==0 ){
    if( iTab==MX_POSTS ) mxOpInsUser(w); else mxOpInsChildren(w, MX_POSTS);
    return;
  }
  parent = pParent->id;
  n = 1 + mxRandInt(&w->rng, iTab==MX_POSTS ? 4 : 8);
  s = sqlite3_str_new(0);
  sqlite3_str_appendf(s, "INSERT INTO \"%w\"(id, %s, %s) VALUES", azTab[iTab],
                      iTab==MX_POSTS ? "author_id" : "post_id",
                      iTab==MX_POSTS ? "title" : "body");
  for(i=0; i<n; i++){
    char zText[48];
    i64 id = mxFreshId(w);
    mxText(w, zText, 40, iTab==MX_POSTS ? "post" : "comment");
    mxAdd(w, iTab, id, parent, zText, 0);
    sqlite3_str_appendf(s, "%s(%lld, %lld, %Q)", i ? ", " : "", id, parent, zText);
  }
  memset(&e, 0, sizeof(e));
  e.eCount = MX_C_CHANGES;
  e.nCount = n;
  mxRun(w, iTab==MX_POSTS ? MX_K_INS_POSTS : MX_K_INS_COMMENTS,
        sqlite3_str_finish(s), m, &e);
}

/* INSERT OR REPLACE with the email of a live user: that user is
** soft-deleted, with its cascade, and the new row takes the email. */
static void mxOpReplaceEmail(MxWorker *w){
  MxMark m = mxMark(w);
  MxExp e;
  MxRow *pOld = mxPick(w, MX_USERS, MX_LIVE);
  char zEmail[48], zName[48];
  i64 id, op;
  int n;
  if( pOld==0 ){ mxOpInsUser(w); return; }
  snprintf(zEmail, sizeof(zEmail), "%s", pOld->a);
  mxText(w, zName, 40, "replacer");
  id = mxFreshId(w);
  op = mxNewOp(w);
  n = mxModelDelete(w, MX_USERS, pOld->id, op, mxNowNs());
  mxAdd(w, MX_USERS, id, 0, zEmail, zName);
  memset(&e, 0, sizeof(e));
  e.eCount = MX_C_CHANGES;
  e.nCount = 1;
  mxHint(w, n, "INSERT OR REPLACE");
  mxRun(w, MX_K_REPLACE_EMAIL, sqlite3_mprintf(
        "INSERT OR REPLACE INTO \"%w\"(id, email, name) VALUES(%lld, %Q, %Q)",
        azTab[MX_USERS], id, zEmail, zName), m, &e);
}

/* INSERT OR REPLACE onto the rowid of an existing user or post, live or
** deleted: its values are replaced in place and it is live afterwards. A
** live user holding the new email is soft-deleted. */
static void mxOpReplaceRowid(MxWorker *w){
  MxMark m = mxMark(w);
  MxExp e;
  int iTab = mxRandInt(&w->rng, 2) ? MX_POSTS : MX_USERS;
  MxRow *pRow = mxPick(w, iTab, mxRandInt(&w->rng, 2) ? MX_LIVE : MX_DELETED);
  char zA[48], zB[48];
  i64 id, parent = 0;
  if( pRow==0 ) pRow = mxPick(w, iTab, MX_LIVE);
  if( pRow==0 ){ mxOpInsChildren(w, MX_POSTS); return; }
  id = pRow->id;
  memset(&e, 0, sizeof(e));
  e.eCount = MX_C_CHANGES;
  e.nCount = 1;
  if( iTab==MX_USERS ){
    MxRow *pHolder;
    if( mxRandInt(&w->rng, 2) ) snprintf(zA, sizeof(zA), "%s", pRow->a);
    else mxEmail(w, zA, sizeof(zA));
    mxText(w, zB, 40, "renamed");
    pHolder = mxEmailHolder(w, zA, id);
    if( pHolder ){
      int n = mxModelDelete(w, MX_USERS, pHolder->id, mxNewOp(w), mxNowNs());
      mxHint(w, n, "INSERT OR REPLACE");
    }
    pRow = mxTouch(w, MX_USERS, id);
    pRow->state = MX_LIVE;
    pRow->op = pRow->tDel = pRow->nsDel = 0;
    snprintf(pRow->a, sizeof(pRow->a), "%s", zA);
    snprintf(pRow->b, sizeof(pRow->b), "%s", zB);
    mxRun(w, MX_K_REPLACE_ROWID, sqlite3_mprintf(
          "INSERT OR REPLACE INTO \"%w\"(id, email, name) VALUES(%lld, %Q, %Q)",
          azTab[MX_USERS], id, zA, zB), m, &e);
  }else{
    MxRow *pAuthor = mxPick(w, MX_USERS, MX_LIVE);
    if( pAuthor==0 ){ mxOpInsUser(w); return; }
    parent = pAuthor->id;
    mxText(w, zA, 40, "replaced");
    pRow = mxTouch(w, MX_POSTS, id);
    pRow->state = MX_LIVE;
    pRow->op = pRow->tDel = pRow->nsDel = 0;
    pRow->parent = parent;
    snprintf(pRow->a, sizeof(pRow->a), "%s", zA);
    mxRun(w, MX_K_REPLACE_ROWID, sqlite3_mprintf(
          "INSERT OR REPLACE INTO \"%w\"(id, author_id, title) VALUES(%lld, %lld, %Q)",
          azTab[MX_POSTS], id, parent, zA), m, &e);
  }
}

static void mxOpUpdUser(MxWorker *w){
  MxMark m = mxMark(w);
  MxExp e;
  MxRow *r = mxPick(w, MX_USERS, mxRandInt(&w->rng, 7) ? MX_LIVE : MX_DELETED);
  char zName[48];
  i64 id;
  if( r==0 ){ mxOpInsUser(w); return; }
  id = r->id;
  mxText(w, zName, 40, "name");
  memset(&e, 0, sizeof(e));
  e.eCount = MX_C_CHANGES;
  e.nCount = r->state==MX_LIVE;     /* a deleted row is not seen */
  if( r->state==MX_LIVE ){
    r = mxTouch(w, MX_USERS, id);
    snprintf(r->b, sizeof(r->b), "%s", zName);
  }
  mxRun(w, MX_K_UPD_USER, sqlite3_mprintf(
        "UPDATE \"%w\" SET name=%Q WHERE id=%lld", azTab[MX_USERS], zName, id),
        m, &e);
}

static void mxOpUpdEmail(MxWorker *w){
  MxMark m = mxMark(w);
  MxExp e;
  MxRow *r = mxPick(w, MX_USERS, MX_LIVE), *pOther = 0;
  char zEmail[48];
  int x = mxRandInt(&w->rng, 100);
  i64 id;
  if( r==0 ){ mxOpInsUser(w); return; }
  id = r->id;
  if( x<15 ) pOther = mxPick(w, MX_USERS, MX_LIVE);
  else if( x<30 ) pOther = mxPick(w, MX_USERS, MX_DELETED);
  memset(&e, 0, sizeof(e));
  if( pOther && pOther->id!=id ){
    snprintf(zEmail, sizeof(zEmail), "%s", pOther->a);
  }else{
    mxEmail(w, zEmail, sizeof(zEmail));
  }
  if( mxEmailHolder(w, zEmail, id) ){
    e.zErr = "UNIQUE constraint failed: users_data.email";
  }else{
    e.eCount = MX_C_CHANGES;
    e.nCount = 1;
    r = mxTouch(w, MX_USERS, id);
    snprintf(r->a, sizeof(r->a), "%s", zEmail);
  }
  mxRun(w, MX_K_UPD_EMAIL, sqlite3_mprintf(
        "UPDATE \"%w\" SET email=%Q WHERE id=%lld", azTab[MX_USERS], zEmail, id),
        m, &e);
}

/* Retitle a post, and often move it to another live user. */
static void mxOpUpdPost(MxWorker *w){
  MxMark m = mxMark(w);
  MxExp e;
  MxRow *r = mxPick(w, MX_POSTS, MX_LIVE), *pAuthor;
  char zTitle[48];
  i64 id, author;
  if( r==0 ){ mxOpInsChildren(w, MX_POSTS); return; }
  id = r->id;
  author = r->parent;
  if( mxRandInt(&w->rng, 2) && (pAuthor = mxPick(w, MX_USERS, MX_LIVE))!=0 ){
    author = pAuthor->id;
  }
  mxText(w, zTitle, 40, "title");
  r = mxTouch(w, MX_POSTS, id);
  r->parent = author;
  snprintf(r->a, sizeof(r->a), "%s", zTitle);
  memset(&e, 0, sizeof(e));
  e.eCount = MX_C_CHANGES;
  e.nCount = 1;
  mxRun(w, MX_K_UPD_POST, sqlite3_mprintf(
        "UPDATE \"%w\" SET title=%Q, author_id=%lld WHERE id=%lld",
        azTab[MX_POSTS], zTitle, author, id), m, &e);
}

/* Rewrite every live comment of a post (a multi-row UPDATE), or move one
** live comment to another live post. */
static void mxOpUpdComments(MxWorker *w){
  MxMark m = mxMark(w);
  MxExp e;
  char zBody[48];
  memset(&e, 0, sizeof(e));
  e.eCount = MX_C_CHANGES;
  mxText(w, zBody, 40, "edited");
  if( mxRandInt(&w->rng, 2) ){
    MxRow *p = mxPick(w, MX_POSTS, mxRandInt(&w->rng, 5) ? MX_LIVE : MX_DELETED);
    MxTable *c = &w->t[MX_COMMENTS];
    i64 post;
    int i;
    if( p==0 ){ mxOpInsChildren(w, MX_COMMENTS); return; }
    post = p->id;
    for(i=0; i<c->n; i++){
      if( c->a[i].parent==post && c->a[i].state==MX_LIVE ){
        MxRow *r = mxTouch(w, MX_COMMENTS, c->a[i].id);
        snprintf(r->a, sizeof(r->a), "%s", zBody);
        e.nCount++;
      }
    }
    mxRun(w, MX_K_UPD_COMMENTS, sqlite3_mprintf(
          "UPDATE \"%w\" SET body=%Q WHERE post_id=%lld", azTab[MX_COMMENTS],
          zBody, post), m, &e);
  }else{
    MxRow *r = mxPick(w, MX_COMMENTS, MX_LIVE);
    MxRow *p = mxPick(w, MX_POSTS, MX_LIVE);
    i64 id;
    if( r==0 || p==0 ){ mxOpInsChildren(w, MX_COMMENTS); return; }
    id = r->id;
    r = mxTouch(w, MX_COMMENTS, id);
    r->parent = p->id;
    snprintf(r->a, sizeof(r->a), "%s", zBody);
    e.nCount = 1;
    mxRun(w, MX_K_UPD_COMMENTS, sqlite3_mprintf(
          "UPDATE \"%w\" SET post_id=%lld, body=%Q WHERE id=%lld",
          azTab[MX_COMMENTS], p->id, zBody, id), m, &e);
  }
}

/* DELETE one row by id (live, or already deleted: then nothing happens). */
static void mxOpDelete(MxWorker *w, int iTab){
  static const int aKind[] = { MX_K_DEL_USER, MX_K_DEL_POST, MX_K_DEL_COMMENTS };
  MxMark m = mxMark(w);
  MxExp e;
  MxRow *r = mxPick(w, iTab, mxRandInt(&w->rng, 10) ? MX_LIVE : MX_DELETED);
  i64 id;
  int n;
  if( r==0 ) r = mxPick(w, iTab, MX_LIVE);
  if( r==0 ){ mxOpInsChildren(w, MX_COMMENTS); return; }
  id = r->id;
  memset(&e, 0, sizeof(e));
  e.eCount = MX_C_CHANGES;
  e.nCount = r->state==MX_LIVE;
  n = mxModelDelete(w, iTab, id, mxNewOp(w), mxNowNs());
  mxHint(w, n, "DELETE");
  mxRun(w, aKind[iTab], sqlite3_mprintf("DELETE FROM \"%w\" WHERE id=%lld",
        azTab[iTab], id), m, &e);
}

/* DELETE FROM posts WHERE author_id=?: several roots, one operation. */
static void mxOpDelPostsOf(MxWorker *w){
  MxMark m = mxMark(w);
  MxExp e;
  MxRow *u = mxPick(w, MX_USERS, MX_LIVE);
  MxTable *p = &w->t[MX_POSTS];
  i64 author, op = mxNewOp(w), ns = mxNowNs();
  int i, n = 0;
  if( u==0 ){ mxOpInsUser(w); return; }
  author = u->id;
  memset(&e, 0, sizeof(e));
  e.eCount = MX_C_CHANGES;
  for(i=0; i<p->n; i++){
    if( p->a[i].parent==author && p->a[i].state==MX_LIVE ){
      e.nCount++;
      n += mxModelDelete(w, MX_POSTS, p->a[i].id, op, ns);
    }
  }
  mxHint(w, n, "DELETE posts of a user");
  mxRun(w, MX_K_DEL_POSTS_OF, sqlite3_mprintf(
        "DELETE FROM \"%w\" WHERE author_id=%lld", azTab[MX_POSTS], author), m, &e);
}

/* DELETE some comments of a post by a condition SQLite evaluates. */
static void mxOpDelComments(MxWorker *w){
  MxMark m = mxMark(w);
  MxExp e;
  MxRow *p = mxPick(w, MX_POSTS, MX_LIVE);
  MxTable *c = &w->t[MX_COMMENTS];
  i64 post, op = mxNewOp(w), ns = mxNowNs();
  int i;
  if( p==0 || mxRandInt(&w->rng, 2) ){ mxOpDelete(w, MX_COMMENTS); return; }
  post = p->id;
  memset(&e, 0, sizeof(e));
  e.eCount = MX_C_CHANGES;
  for(i=0; i<c->n; i++){
    if( c->a[i].parent==post && c->a[i].state==MX_LIVE && c->a[i].id%2==0 ){
      e.nCount++;
      mxModelDelete(w, MX_COMMENTS, c->a[i].id, op, ns);
    }
  }
  mxRun(w, MX_K_DEL_COMMENTS, sqlite3_mprintf(
        "DELETE FROM \"%w\" WHERE post_id=%lld AND id%%2=0", azTab[MX_COMMENTS],
        post), m, &e);
}

static int mxPickTable(MxWorker *w){
  int x = mxRandInt(&w->rng, 100);
  return x<40 ? MX_USERS : x<75 ? MX_POSTS : MX_COMMENTS;
}

static void mxOpRestore(MxWorker *w){
  MxMark m = mxMark(w);
  MxExp e;
  int iTab = mxPickTable(w), x = mxRandInt(&w->rng, 100), i;
  MxRow *r = mxPick(w, iTab, x<90 ? MX_DELETED : x<97 ? MX_LIVE : MX_GONE);
  i64 id;
  if( r==0 ) r = mxPick(w, iTab, MX_DELETED);
  if( r==0 ){ mxOpDelete(w, iTab); return; }
  id = r->id;
  memset(&e, 0, sizeof(e));
  e.iTab = iTab;
  e.id = id;
  e.eCount = MX_C_VALUE;
  /* Half the restores are UPDATE <table>_trash SET deleted_at = NULL. */
  e.bTrash = mxRandInt(&w->rng, 2);
  if( e.bTrash ) e.eCount = MX_C_CHANGES;
  if( r->state==MX_LIVE ){
    e.nCount = 0;
  }else if( r->state!=MX_DELETED ){
    if( !e.bTrash ) e.zErr = "has no row";
    e.nCount = 0;
  }else{
    MxRow *pParent = iTab>0 ? mxGet(w, iTab-1, r->parent) : 0;
    e.bNoRowOk = !w->bSole;
    if( iTab>0 && (pParent==0 || pParent->state!=MX_LIVE) ){
      e.zErr = "restore the parent first";
    }else if( iTab==MX_USERS && mxEmailHolder(w, r->a, id) ){
      e.zErr = "is taken by live row";
    }else{
      nSet = 0;
      mxRestoreSet(w, iTab, id, r->op);
      for(i=0; i<nSet; i++){
        MxRow *p = mxTouch(w, aSet[i].iTab, aSet[i].id);
        p->state = MX_LIVE;
        p->op = p->tDel = p->nsDel = 0;
      }
      e.nCount = e.bTrash ? 1 : nSet;
      e.bReconcile = !w->bSole;
      mxHint(w, nSet, "sd_restore");
    }
  }
  mxRun(w, w->bTxn ? MX_K_RESTORE : MX_K_RESTORE_AUTO, e.bTrash
        ? sqlite3_mprintf("UPDATE \"%w_trash\" SET deleted_at = NULL WHERE id=%lld",
                          azTab[iTab], id)
        : sqlite3_mprintf("SELECT sd_restore(%Q, %lld)", azTab[iTab], id), m, &e);
}

static void mxOpHardDelete(MxWorker *w){
  MxMark m = mxMark(w);
  MxExp e;
  int iTab = mxPickTable(w), x = mxRandInt(&w->rng, 100);
  MxRow *r = mxPick(w, iTab, x<60 ? MX_DELETED : x<97 ? MX_LIVE : MX_GONE);
  i64 id;
  if( r==0 ) r = mxPick(w, iTab, MX_LIVE);
  if( r==0 ){ mxOpInsChildren(w, MX_POSTS); return; }
  id = r->id;
  memset(&e, 0, sizeof(e));
  e.iTab = iTab;
  e.id = id;
  e.eCount = MX_C_VALUE;
  e.nCount = 1;
  if( r->state==MX_DELETED && mxRandInt(&w->rng, 2) ){
    /* A purge through the trash table: changes() counts the row, unless
    ** another worker purged it first. */
    e.eCount = MX_C_CHANGES;
    e.bAtLeast = !w->bSole;
    e.nCount = w->bSole ? 1 : 0;
    mxModelRemove(w, iTab, id, MX_GONE, 0);
    mxRun(w, w->bTxn ? MX_K_HARD_DELETE : MX_K_HARD_DELETE_AUTO, sqlite3_mprintf(
          "DELETE FROM \"%w_trash\" WHERE id=%lld", azTab[iTab], id), m, &e);
    return;
  }
  if( !mxPresent(r) ){
    e.zErr = "has no row";
  }else{
    e.bNoRowOk = !w->bSole && r->state==MX_DELETED;
    mxModelRemove(w, iTab, id, MX_GONE, 0);
  }
  mxRun(w, w->bTxn ? MX_K_HARD_DELETE : MX_K_HARD_DELETE_AUTO, sqlite3_mprintf(
        "SELECT sd_hard_delete(%Q, %lld)", azTab[iTab], id), m, &e);
}

/* sd_purge(tbl) or sd_purge(tbl, before): every deleted row of the table
** (deleted before the time), with its children (SQLite's ON DELETE CASCADE). */
static void mxOpPurge(MxWorker *w){
  MxMark m = mxMark(w);
  MxExp e;
  int iTab = mxPickTable(w), i, n = 0;
  MxTable *t = &w->t[iTab];
  i64 tBefore = 0;
  char zBefore[48];
  MxPurge *p;
  if( mxRandInt(&w->rng, 2) ){
    tBefore = w->tNow - mxRandInt(&w->rng, 40);
    mxFmtTime(tBefore, zBefore, 0);
  }
  memset(&e, 0, sizeof(e));
  e.eCount = MX_C_VALUE;
  for(i=0; i<t->n; i++){
    MxRow *r = &t->a[i];
    if( r->state==MX_DELETED && (tBefore==0 || r->tDel<tBefore) ){
      n++;
      mxModelRemove(w, iTab, r->id, MX_GONE, 0);
    }
  }
  /* Others' deleted rows go too, and some of ours may be gone already. */
  e.nCount = w->bSole ? n : 0;
  e.bAtLeast = !w->bSole;
  w->aPurge = mxGrow(w->aPurge, &w->nPurgeAlloc, w->nPurge, sizeof(MxPurge));
  p = &w->aPurge[w->nPurge++];
  p->iTab = iTab;
  p->nsStart = mxNowNs();
  p->nsEnd = 0;
  mxHint(w, n, "sd_purge");
  mxRun(w, w->bTxn ? MX_K_PURGE : MX_K_PURGE_AUTO,
        tBefore ? sqlite3_mprintf("SELECT sd_purge(%Q, %Q)", azTab[iTab], zBefore)
                : sqlite3_mprintf("SELECT sd_purge(%Q)", azTab[iTab]), m, &e);
}

/* The invariants, seen from this worker: in its transaction, or in a read
** transaction of its own. */
static void mxOpRead(MxWorker *w){
  char *zBroken = 0, *zErr = 0;
  i64 t0 = mxNowNs();
  int rc = mxCheckInvariants(w->db, &zBroken, &zErr);
  MxStat *s = &w->aStat[MX_K_READ];
  double msRun = (double)(mxNowNs()-t0)/1e6;
  s->nRun++;
  if( msRun>s->msMax ) s->msMax = msRun;
  w->nCheck++;
  if( zBroken ){
    mxFatal(w, "invariant broken%s: %s", w->bTxn ? " inside a transaction" : "",
            zBroken);
  }else if( rc ){
    double ms = (double)(mxNowNs()-t0)/1e6;
    if( zErr && mxIsBusy(rc, zErr) ){
      if( ms<0.9*w->busyMs ){
        s->nLost++;
        mxFail(w, "lost wait in a read check after %.1f ms: %s", ms, zErr);
      }else{
        s->nBusy++;
      }
    }else{
      mxFatal(w, "read check: %s", zErr ? zErr : "?");
    }
  }else{
    s->nOk++;
  }
  sqlite3_free(zBroken);
  sqlite3_free(zErr);
}

/* Rows still around (live or deleted) in the model. */
static int mxPresentRows(MxWorker *w){
  int i, j, n = 0;
  for(i=0; i<MX_NTAB; i++){
    for(j=0; j<w->t[i].n; j++) n += mxPresent(&w->t[i].a[j]);
  }
  return n;
}

/* One random operation. Past nTarget rows, removing ones are favoured. */
static void mxOneOp(MxWorker *w){
  /* weights: below the target, above it */
  static const struct { int eKind; int aW[2]; } aOp[] = {
    { MX_K_INS_USER,      { 5,  1 } },
    { MX_K_INS_POSTS,     { 8,  2 } },
    { MX_K_INS_COMMENTS,  { 14, 3 } },
    { MX_K_REPLACE_EMAIL, { 3,  3 } },
    { MX_K_REPLACE_ROWID, { 3,  3 } },
    { MX_K_UPD_USER,      { 4,  4 } },
    { MX_K_UPD_EMAIL,     { 4,  4 } },
    { MX_K_UPD_POST,      { 5,  5 } },
    { MX_K_UPD_COMMENTS,  { 5,  5 } },
    { MX_K_DEL_USER,      { 4,  6 } },
    { MX_K_DEL_POST,      { 5,  6 } },
    { MX_K_DEL_POSTS_OF,  { 2,  3 } },
    { MX_K_DEL_COMMENTS,  { 5,  6 } },
    { MX_K_RESTORE,       { 10, 6 } },
    { MX_K_HARD_DELETE,   { 3,  6 } },
    { MX_K_PURGE,         { 2,  4 } },
    { MX_K_READ,          { 2,  2 } },
  };
  int nOp = (int)(sizeof(aOp)/sizeof(aOp[0]));
  int bBig = mxPresentRows(w)>w->nTarget, i, x, tot = 0;
  for(i=0; i<nOp; i++) tot += aOp[i].aW[bBig];
  x = mxRandInt(&w->rng, tot);
  for(i=0; i<nOp-1 && x>=aOp[i].aW[bBig]; i++) x -= aOp[i].aW[bBig];
  switch( aOp[i].eKind ){
    case MX_K_INS_USER:      mxOpInsUser(w); break;
    case MX_K_INS_POSTS:     mxOpInsChildren(w, MX_POSTS); break;
    case MX_K_INS_COMMENTS:  mxOpInsChildren(w, MX_COMMENTS); break;
    case MX_K_REPLACE_EMAIL: mxOpReplaceEmail(w); break;
    case MX_K_REPLACE_ROWID: mxOpReplaceRowid(w); break;
    case MX_K_UPD_USER:      mxOpUpdUser(w); break;
    case MX_K_UPD_EMAIL:     mxOpUpdEmail(w); break;
    case MX_K_UPD_POST:      mxOpUpdPost(w); break;
    case MX_K_UPD_COMMENTS:  mxOpUpdComments(w); break;
    case MX_K_DEL_USER:      mxOpDelete(w, MX_USERS); break;
    case MX_K_DEL_POST:      mxOpDelete(w, MX_POSTS); break;
    case MX_K_DEL_POSTS_OF:  mxOpDelPostsOf(w); break;
    case MX_K_DEL_COMMENTS:  mxOpDelComments(w); break;
    case MX_K_RESTORE:       mxOpRestore(w); break;
    case MX_K_HARD_DELETE:   mxOpHardDelete(w); break;
    case MX_K_PURGE:         mxOpPurge(w); break;
    default:                 mxOpRead(w); break;
  }
}

/* A sole worker compares its whole model with the database. */
static void mxVerify(MxWorker *w){
  char *zErr = 0, *zBroken = 0;
  int rc;
  w->nVerify++;
  if( mxCompare(w->db, &w, 1, &zErr) ){
    mxFatal(w, "the database differs from the model%s (last statement: %s):\n%s",
            w->bTxn ? " inside a transaction" : "", w->zLast, zErr);
  }
  sqlite3_free(zErr);
  zErr = 0;
  rc = mxCheckInvariants(w->db, &zBroken, &zErr);
  if( rc || zBroken ){
    mxFatal(w, "invariants: %s", zBroken ? zBroken : zErr);
  }
  sqlite3_free(zErr);
  sqlite3_free(zBroken);
}

/* A control statement (BEGIN, COMMIT, SAVEPOINT ...): 0 on success. */
static int mxControl(MxWorker *w, int eKind, const char *zSql){
  MxRes r;
  mxExec(w, eKind, zSql, &r);
  if( r.rc==SQLITE_OK ){
    w->aStat[eKind].nOk++;
    return 0;
  }
  if( !r.bBusy ) mxFatal(w, "%s: rc=%d: %s", zSql, r.rc, r.zErr);
  return r.rc;
}

/* The tag tables of the model, sorted by name, into a new array. */
static int mxTagCmp(const void *a, const void *b){
  return strcmp((const char*)a, (const char*)b);
}

/* A transaction that creates a tag table, writing through it for the
** first time, or drops the oldest one. */
static int mxSchemaTxn(MxWorker *w){
  char zName[40];
  char *azSql[6];
  int nSql = 0, bDrop = w->nTag>=3 && mxRandInt(&w->rng, 3), i, rc = SQLITE_OK;
  MxRes r;
  if( bDrop ){
    snprintf(zName, sizeof(zName), "%s", w->azTag[0]);
    azSql[nSql++] = sqlite3_mprintf("DROP TABLE \"%w\"", zName);
    azSql[nSql++] = sqlite3_mprintf("DROP TABLE \"%w_data\"", zName);
  }else{
    snprintf(zName, sizeof(zName), "tags_p%d_%x_%lld", w->iProc,
             (unsigned)(w->seed & 0xfffff), ++w->nTagNext);
    azSql[nSql++] = sqlite3_mprintf("CREATE TABLE \"%w_data\"(id INTEGER PRIMARY KEY,"
                                    " label TEXT)", zName);
    /* Every other one with guard=on: its triggers come with the columns. */
    azSql[nSql++] = sqlite3_mprintf("CREATE VIRTUAL TABLE \"%w\" USING "
                                    "softdelete(\"%w_data\"%s)", zName, zName,
                                    (w->nTagNext & 1) ? ", guard=on" : "");
    azSql[nSql++] = sqlite3_mprintf("INSERT INTO \"%w\"(label) VALUES('a'), ('b')",
                                    zName);
    azSql[nSql++] = sqlite3_mprintf("DELETE FROM \"%w\" WHERE label='a'", zName);
  }
  if( mxControl(w, MX_K_BEGIN, "BEGIN IMMEDIATE") ){
    for(i=0; i<nSql; i++) sqlite3_free(azSql[i]);
    return w->bFatal;
  }
  w->bTxn = 1;
  if( w->xHint ) w->xHint(w->pHook, MX_HINT_BEGIN, azSql[0]);
  for(i=0; i<nSql; i++){
    if( rc==SQLITE_OK ){
      w->nOp++;
      mxExec(w, MX_K_SCHEMA, azSql[i], &r);
      rc = r.rc;
      if( rc==SQLITE_OK ) w->aStat[MX_K_SCHEMA].nOk++;
      else if( !r.bBusy ) mxFatal(w, "%s: rc=%d: %s", azSql[i], r.rc, r.zErr);
    }
    sqlite3_free(azSql[i]);
  }
  if( rc ){
    mxRollback(w);
    w->bTxn = 0;
    return w->bFatal;
  }
  /* The model changes when COMMIT succeeds; the checksum sent before it
  ** already counts the change. */
  if( bDrop ){
    memmove(&w->azTag[0], &w->azTag[1], sizeof(w->azTag[0])*(size_t)(w->nTag-1));
    w->nTag--;
  }else{
    w->azTag = mxGrow(w->azTag, &w->nTagAlloc, w->nTag, sizeof(w->azTag[0]));
    snprintf(w->azTag[w->nTag++], sizeof(w->azTag[0]), "%s", zName);
  }
  if( w->xPending ) w->xPending(w->pHook, mxModelSum(w), "COMMIT (schema)");
  if( mxControl(w, MX_K_COMMIT, "COMMIT") ){
    mxRollback(w);
    if( bDrop ){
      w->azTag = mxGrow(w->azTag, &w->nTagAlloc, w->nTag, sizeof(w->azTag[0]));
      memmove(&w->azTag[1], &w->azTag[0], sizeof(w->azTag[0])*(size_t)w->nTag);
      snprintf(w->azTag[0], sizeof(w->azTag[0]), "%s", zName);
      w->nTag++;
    }else{
      w->nTag--;
    }
    w->bTxn = 0;
    return w->bFatal;
  }
  w->bTxn = 0;
  w->nTxn++;
  if( w->xCommit ) w->xCommit(w->pHook, mxModelSum(w), "COMMIT (schema)");
  return w->bFatal;
}

/* A one-time schema change of the shared tables, in autocommit mode,
** while other connections use them: an index over live rows (even
** workers), or a new column on a base (odd ones). */
static void mxSchemaEvent(MxWorker *w){
  MxRes r;
  char *zSql = (w->iProc%2)==0
    ? sqlite3_mprintf("SELECT sd_index('posts', 'title')")
    : sqlite3_mprintf("ALTER TABLE comments_data ADD COLUMN note_%d TEXT "
                      "DEFAULT 'n'", w->iProc);
  w->nOp++;
  mxExec(w, MX_K_SCHEMA, zSql, &r);
  if( r.rc==SQLITE_OK ){
    w->aStat[MX_K_SCHEMA].nOk++;
    w->nTxn++;
  }else if( !r.bBusy ){
    mxFatal(w, "%s: rc=%d: %s", zSql, r.rc, r.zErr);
  }
  sqlite3_free(zSql);
}

/* Drop the rows this worker removed for good from its model, between
** transactions: the model stays as small as the database, and a removed
** row that comes back still shows, as a row no model has. Rows found gone
** stay: the final check must explain them. */
static void mxCompact(MxWorker *w){
  int i, j, n;
  for(i=0; i<MX_NTAB; i++){
    MxTable *t = &w->t[i];
    for(j=n=0; j<t->n; j++){
      if( t->a[j].state!=MX_GONE ) t->a[n++] = t->a[j];
    }
    t->n = n;
  }
}

int mxTransaction(MxWorker *w){
  MxRes r;
  char zWant[48];
  char *zSql;
  if( w->bFatal ) return 1;
  if( w->nUndo==0 && mxRandInt(&w->rng, 50)==0 ) mxCompact(w);
  /* Each transaction deletes at its own pinned time. */
  w->tNow += 1 + mxRandInt(&w->rng, 3);
  zSql = sqlite3_mprintf("SELECT sd_clock(%lld)", w->tNow);
  mxExec(w, MX_K_CLOCK, zSql, &r);
  sqlite3_free(zSql);
  mxFmtTime(w->tNow, zWant, 1);
  if( r.rc || strcmp(r.zText, zWant)!=0 ){
    mxFatal(w, "sd_clock(%lld): expected %s, got rc=%d %s%s", w->tNow, zWant,
            r.rc, r.zText, r.zErr);
    return 1;
  }
  w->aStat[MX_K_CLOCK].nOk++;

  if( w->iSchemaAt>0 && w->nOp>=w->iSchemaAt ){
    w->iSchemaAt = 0;
    mxSchemaEvent(w);
    return w->bFatal;
  }
  if( w->schemaPerMille && mxRandInt(&w->rng, 1000)<w->schemaPerMille ){
    return mxSchemaTxn(w);
  }
  if( mxRandInt(&w->rng, 100)<45 ){
    /* One statement in autocommit mode. */
    mxOneOp(w);
    w->nUndo = 0;
    if( !w->bFatal && w->bSole && mxRandInt(&w->rng, 100)<w->verifyPct ) mxVerify(w);
    return w->bFatal;
  }

  if( mxControl(w, MX_K_BEGIN, "BEGIN IMMEDIATE") ) return w->bFatal;
  w->bTxn = 1;
  w->bTxnLost = 0;
  w->iTxnUndo = w->nUndo;
  w->iTxnPurge = w->nPurge;
  if( w->xHint ) w->xHint(w->pHook, MX_HINT_BEGIN, "BEGIN");
  {
    int i, n = 1 + mxRandInt(&w->rng, 6);
    for(i=0; i<n && !w->bFatal && !w->bTxnLost; i++){
      if( mxRandInt(&w->rng, 100)<10 ){
        /* A savepoint around one or two operations, sometimes undone. */
        MxMark m = mxMark(w);
        if( mxControl(w, MX_K_SAVEPOINT, "SAVEPOINT mx") ) break;
        mxOneOp(w);
        if( mxRandInt(&w->rng, 2) ) mxOneOp(w);
        if( w->bFatal || w->bTxnLost ) break;
        if( mxRandInt(&w->rng, 2) ){
          if( mxControl(w, MX_K_SAVEPOINT, "ROLLBACK TO mx") ) break;
          mxUndoTo(w, m);
        }
        if( mxControl(w, MX_K_SAVEPOINT, "RELEASE mx") ) break;
      }else{
        mxOneOp(w);
      }
    }
  }
  if( w->bFatal ) return 1;
  if( w->bTxnLost || !w->bTxn || sqlite3_get_autocommit(w->db) ){
    MxMark m;
    mxFail(w, "SQLite rolled the transaction back after: %s", w->zLast);
    m.nUndo = w->iTxnUndo;
    m.nPurge = w->iTxnPurge;
    mxUndoTo(w, m);
    w->bTxn = 0;
    return w->bFatal;
  }
  if( mxRandInt(&w->rng, 100)<12 ){
    MxMark m;
    m.nUndo = w->iTxnUndo;
    m.nPurge = w->iTxnPurge;
    if( mxControl(w, MX_K_ROLLBACK, "ROLLBACK") ) return 1;
    mxUndoTo(w, m);
    w->nRollback++;
  }else{
    int i;
    if( w->bSole && mxRandInt(&w->rng, 100)<w->verifyPct ){
      mxVerify(w);
      if( w->bFatal ) return 1;
    }
    if( w->holdPct && mxRandInt(&w->rng, 100)<w->holdPct ){
      struct timespec ts;
      ts.tv_sec = 0;
      ts.tv_nsec = 200000 + (long)mxRandInt(&w->rng, 3000)*1000;
      nanosleep(&ts, 0);
    }
    if( w->xPending ) w->xPending(w->pHook, mxModelSum(w), "COMMIT");
    if( mxControl(w, MX_K_COMMIT, "COMMIT") ){
      /* A COMMIT that could not get its lock leaves the transaction open. */
      MxMark m;
      m.nUndo = w->iTxnUndo;
      m.nPurge = w->iTxnPurge;
      mxRollback(w);
      mxUndoTo(w, m);
      w->bTxn = 0;
      return w->bFatal;
    }
    for(i=w->iTxnPurge; i<w->nPurge; i++) w->aPurge[i].nsEnd = mxNowNs();
    w->nTxn++;
    if( w->xCommit ) w->xCommit(w->pHook, mxModelSum(w), "COMMIT");
  }
  w->bTxn = 0;
  w->nUndo = 0;
  return w->bFatal;
}

/* ---- Oracles ----------------------------------------------------------- */

int mxCheckInvariants(sqlite3 *db, char **pzBroken, char **pzErr){
  static const char *const azCheck[] = {
    /* (b) a row is live exactly when both columns are NULL */
    "SELECT 'users_data row '||id||': deleted_at='||quote(deleted_at)||"
    " ' but deleted_at_op='||quote(deleted_at_op) FROM users_data"
    " WHERE (deleted_at IS NULL)<>(deleted_at_op IS NULL)",
    "SELECT 'posts_data row '||id||': deleted_at='||quote(deleted_at)||"
    " ' but deleted_at_op='||quote(deleted_at_op) FROM posts_data"
    " WHERE (deleted_at IS NULL)<>(deleted_at_op IS NULL)",
    "SELECT 'comments_data row '||id||': deleted_at='||quote(deleted_at)||"
    " ' but deleted_at_op='||quote(deleted_at_op) FROM comments_data"
    " WHERE (deleted_at IS NULL)<>(deleted_at_op IS NULL)",
    /* (a) no live child of a deleted parent: a cascade is all or nothing */
    "SELECT 'live post '||p.id||' of deleted user '||u.id||' (op '||"
    " u.deleted_at_op||')' FROM posts_data p JOIN users_data u"
    " ON u.id=p.author_id WHERE p.deleted_at IS NULL AND u.deleted_at IS NOT NULL",
    "SELECT 'live comment '||c.id||' of deleted post '||p.id||' (op '||"
    " p.deleted_at_op||')' FROM comments_data c JOIN posts_data p"
    " ON p.id=c.post_id WHERE c.deleted_at IS NULL AND p.deleted_at IS NOT NULL",
    /* the virtual tables show exactly the live rows */
    "SELECT 'users shows '||a||' rows (id total '||b||'), users_data has '||c||"
    " ' live rows (id total '||d||')' FROM (SELECT (SELECT count(*) FROM users) a,"
    " (SELECT total(id) FROM users) b, (SELECT count(*) FROM users_data WHERE"
    " deleted_at IS NULL) c, (SELECT total(id) FROM users_data WHERE deleted_at"
    " IS NULL) d) WHERE a<>c OR b<>d",
    "SELECT 'posts shows '||a||' rows (id total '||b||'), posts_data has '||c||"
    " ' live rows (id total '||d||')' FROM (SELECT (SELECT count(*) FROM posts) a,"
    " (SELECT total(id) FROM posts) b, (SELECT count(*) FROM posts_data WHERE"
    " deleted_at IS NULL) c, (SELECT total(id) FROM posts_data WHERE deleted_at"
    " IS NULL) d) WHERE a<>c OR b<>d",
    "SELECT 'comments shows '||a||' rows (id total '||b||'), comments_data has '||c||"
    " ' live rows (id total '||d||')' FROM (SELECT (SELECT count(*) FROM comments) a,"
    " (SELECT total(id) FROM comments) b, (SELECT count(*) FROM comments_data WHERE"
    " deleted_at IS NULL) c, (SELECT total(id) FROM comments_data WHERE deleted_at"
    " IS NULL) d) WHERE a<>c OR b<>d",
  };
  int bOwn = sqlite3_get_autocommit(db), rc = SQLITE_OK, i;
  *pzBroken = 0;
  *pzErr = 0;
  /* One snapshot for every query: a read transaction of our own. */
  if( bOwn ) rc = sqlite3_exec(db, "BEGIN", 0, 0, 0);
  for(i=0; rc==SQLITE_OK && *pzBroken==0 && i<(int)(sizeof(azCheck)/sizeof(azCheck[0])); i++){
    sqlite3_stmt *pStmt = 0;
    rc = sqlite3_prepare_v2(db, azCheck[i], -1, &pStmt, 0);
    if( rc==SQLITE_OK ){
      rc = sqlite3_step(pStmt);
      if( rc==SQLITE_ROW ){
        *pzBroken = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
        rc = SQLITE_OK;
      }else if( rc==SQLITE_DONE ){
        rc = SQLITE_OK;
      }
    }
    if( rc ) *pzErr = sqlite3_mprintf("%s: %s", azCheck[i], sqlite3_errmsg(db));
    sqlite3_finalize(pStmt);
  }
  if( bOwn && !sqlite3_get_autocommit(db) ){
    int rc2 = sqlite3_exec(db, rc ? "ROLLBACK" : "COMMIT", 0, 0, 0);
    if( rc==SQLITE_OK && rc2 ){
      rc = rc2;
      *pzErr = sqlite3_mprintf("COMMIT of a read check: %s", sqlite3_errmsg(db));
    }
  }else if( bOwn && rc && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("BEGIN of a read check: %s", sqlite3_errmsg(db));
  }
  return rc;
}

/* A map from 64-bit keys to small integers (open addressing). */
typedef struct MxMap { i64 *aKey; int *aVal; int n, nSlot; } MxMap;

static int *mxMapSlot(MxMap *p, i64 k){
  u64 h;
  if( p->n*2>=p->nSlot ){
    MxMap o = *p;
    int i;
    p->nSlot = o.nSlot ? o.nSlot*2 : 256;
    p->aKey = calloc((size_t)p->nSlot, sizeof(i64));
    p->aVal = calloc((size_t)p->nSlot, sizeof(int));
    if( p->aKey==0 || p->aVal==0 ){ fprintf(stderr, "out of memory\n"); exit(2); }
    p->n = 0;
    for(i=0; i<o.nSlot; i++){
      if( o.aVal[i] ) *mxMapSlot(p, o.aKey[i]) = o.aVal[i];
    }
    free(o.aKey);
    free(o.aVal);
  }
  h = (u64)k * 0x9e3779b97f4a7c15ULL;
  for(h = h % (u64)p->nSlot; ; h = (h+1) % (u64)p->nSlot){
    if( p->aVal[h]==0 ){ p->aKey[h] = k; p->n++; return &p->aVal[h]; }
    if( p->aKey[h]==k ) return &p->aVal[h];
  }
}

/* Its rank in order of first appearance, 1-based. */
static int mxMapRank(MxMap *p, i64 k){
  int *pv = mxMapSlot(p, k);
  if( *pv==0 ) *pv = p->n;
  return *pv;
}
static void mxMapFree(MxMap *p){
  free(p->aKey);
  free(p->aVal);
  memset(p, 0, sizeof(*p));
}

/* The canonical line of a row: the same for the model and the database,
** with operations numbered by first appearance. */
static u64 mxFnv(u64 h, const char *z){
  while( *z ){ h ^= (unsigned char)*z++; h *= 0x100000001b3ULL; }
  return h;
}
static u64 mxCanon(u64 h, int iTab, i64 id, i64 parent, const char *zDel,
                   int iRank, const char *zA, const char *zB){
  char *z = sqlite3_mprintf("%d|%lld|%lld|%s|%d|%s|%s\n", iTab, id, parent,
                            zDel ? zDel : "live", iRank, zA, zB);
  if( z==0 ){ fprintf(stderr, "out of memory\n"); exit(2); }
  h = mxFnv(h, z);
  sqlite3_free(z);
  return h;
}

/* Is tag table zName whole: both tables, the marker columns added at its
** first use, its rows? NULL if so, else what is wrong (sqlite3_malloc'ed). */
static char *mxTagBroken(sqlite3 *db, const char *zName){
  char *azSql[4], *zWhy = 0;
  static const char *const azWant[4] = {
    "1", "id,label,deleted_at,deleted_at_op", "b", "1"
  };
  int i;
  azSql[0] = sqlite3_mprintf("SELECT count(*) FROM sqlite_schema WHERE type='table'"
      " AND name=%Q AND sql LIKE 'CREATE VIRTUAL TABLE%%'", zName);
  azSql[1] = sqlite3_mprintf("SELECT group_concat(name) FROM (SELECT name FROM "
      "pragma_table_info('%q_data') ORDER BY cid)", zName);
  azSql[2] = sqlite3_mprintf("SELECT group_concat(label) FROM \"%w\"", zName);
  azSql[3] = sqlite3_mprintf("SELECT count(*) FROM \"%w_data\" WHERE label='a' AND"
      " deleted_at IS NOT NULL AND deleted_at_op IS NOT NULL AND (SELECT count(*)"
      " FROM \"%w_data\")=2", zName, zName);
  for(i=0; i<4; i++){
    sqlite3_stmt *p = 0;
    if( zWhy==0 ){
      int rc = sqlite3_prepare_v2(db, azSql[i], -1, &p, 0);
      if( rc==SQLITE_OK && sqlite3_step(p)==SQLITE_ROW ){
        const char *z = (const char*)sqlite3_column_text(p, 0);
        if( z==0 || strcmp(z, azWant[i]) ){
          zWhy = sqlite3_mprintf("tag table %s: %s gives %s, expected %s", zName,
                                 azSql[i], z ? z : "NULL", azWant[i]);
        }
      }else{
        zWhy = sqlite3_mprintf("tag table %s: %s: %s", zName, azSql[i],
                               sqlite3_errmsg(db));
      }
      sqlite3_finalize(p);
    }
    sqlite3_free(azSql[i]);
  }
  return zWhy;
}

/* The tag tables in the database: bases and virtual tables, sorted. */
static int mxDbTags(sqlite3 *db, char (**paz)[40], int *pn, char **pzErr){
  sqlite3_stmt *p = 0;
  int rc, nAlloc = 0;
  *paz = 0;
  *pn = 0;
  rc = sqlite3_prepare_v2(db, "SELECT substr(name, 1, length(name)-5) FROM "
      "sqlite_schema WHERE type='table' AND name GLOB 'tags_*_data' UNION "
      "SELECT name FROM sqlite_schema WHERE type='table' AND name GLOB 'tags_*'"
      " AND name NOT GLOB '*_data' ORDER BY 1", -1, &p, 0);
  while( rc==SQLITE_OK && sqlite3_step(p)==SQLITE_ROW ){
    *paz = mxGrow(*paz, &nAlloc, *pn, sizeof((*paz)[0]));
    snprintf((*paz)[(*pn)++], sizeof((*paz)[0]), "%s", sqlite3_column_text(p, 0));
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(p); else sqlite3_finalize(p);
  if( rc ) *pzErr = sqlite3_mprintf("listing tag tables: %s", sqlite3_errmsg(db));
  return rc;
}

static u64 mxSumTags(u64 h, char (*az)[40], int n){
  int i;
  if( n>1 ) qsort(az, (size_t)n, sizeof(az[0]), mxTagCmp);
  for(i=0; i<n; i++){
    h = mxFnv(h, "tag|");
    h = mxFnv(h, az[i]);
    h = mxFnv(h, "\n");
  }
  return h;
}

u64 mxModelSum(MxWorker *w){
  u64 h = 0xcbf29ce484222325ULL;
  MxMap map;
  int i, j;
  memset(&map, 0, sizeof(map));
  if( w->nTag ){
    char (*az)[40] = malloc(sizeof(az[0])*(size_t)w->nTag);
    if( az==0 ){ fprintf(stderr, "out of memory\n"); exit(2); }
    memcpy(az, w->azTag, sizeof(az[0])*(size_t)w->nTag);
    h = mxSumTags(h, az, w->nTag);
    free(az);
  }
  for(i=0; i<MX_NTAB; i++){
    for(j=0; j<w->t[i].n; j++){
      MxRow *r = &w->t[i].a[j];
      char zDel[48];
      if( !mxPresent(r) ) continue;
      if( r->state==MX_DELETED ) mxFmtTime(r->tDel, zDel, 1);
      h = mxCanon(h, i, r->id, r->parent, r->state==MX_DELETED ? zDel : 0,
                  r->state==MX_DELETED ? mxMapRank(&map, r->op) : 0, r->a, r->b);
    }
  }
  mxMapFree(&map);
  return h;
}

static const char *const azSelect[MX_NTAB] = {
  "SELECT id, 0, deleted_at, deleted_at_op, email, name,"
  " CAST(strftime('%s', deleted_at) AS INTEGER) FROM users_data ORDER BY id",
  "SELECT id, author_id, deleted_at, deleted_at_op, title, '',"
  " CAST(strftime('%s', deleted_at) AS INTEGER) FROM posts_data ORDER BY id",
  "SELECT id, post_id, deleted_at, deleted_at_op, body, '',"
  " CAST(strftime('%s', deleted_at) AS INTEGER) FROM comments_data ORDER BY id",
};

static const char *mxColText(sqlite3_stmt *p, int i){
  const char *z = (const char*)sqlite3_column_text(p, i);
  return z ? z : "";
}
static i64 mxColParent(sqlite3_stmt *p, int i){
  return sqlite3_column_type(p, i)==SQLITE_NULL ? -1 : sqlite3_column_int64(p, i);
}

int mxDbSum(sqlite3 *db, u64 *pSum, char **pzErr){
  u64 h = 0xcbf29ce484222325ULL;
  MxMap map;
  int i, rc = SQLITE_OK, nTag = 0;
  char (*azTag)[40] = 0;
  memset(&map, 0, sizeof(map));
  *pzErr = 0;
  rc = mxDbTags(db, &azTag, &nTag, pzErr);
  for(i=0; rc==SQLITE_OK && i<nTag; i++){
    if( (*pzErr = mxTagBroken(db, azTag[i]))!=0 ) rc = SQLITE_ERROR;
  }
  if( rc==SQLITE_OK ) h = mxSumTags(h, azTag, nTag);
  free(azTag);
  for(i=0; i<MX_NTAB && rc==SQLITE_OK; i++){
    sqlite3_stmt *p = 0;
    rc = sqlite3_prepare_v2(db, azSelect[i], -1, &p, 0);
    while( rc==SQLITE_OK && sqlite3_step(p)==SQLITE_ROW ){
      int bDel = sqlite3_column_type(p, 2)!=SQLITE_NULL;
      h = mxCanon(h, i, sqlite3_column_int64(p, 0), mxColParent(p, 1),
                  bDel ? mxColText(p, 2) : 0,
                  bDel ? mxMapRank(&map, sqlite3_column_int64(p, 3)) : 0,
                  mxColText(p, 4), mxColText(p, 5));
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(p); else sqlite3_finalize(p);
    if( rc ) *pzErr = sqlite3_mprintf("%s: %s", azSelect[i], sqlite3_errmsg(db));
  }
  mxMapFree(&map);
  *pSum = h;
  return rc;
}

int mxModelLoad(MxWorker *w){
  MxMap map;
  int i, rc = SQLITE_OK;
  i64 tMax = 0;
  memset(&map, 0, sizeof(map));
  for(i=0; i<MX_NTAB && rc==SQLITE_OK; i++){
    sqlite3_stmt *p = 0;
    rc = sqlite3_prepare_v2(w->db, azSelect[i], -1, &p, 0);
    while( rc==SQLITE_OK && sqlite3_step(p)==SQLITE_ROW ){
      MxRow *r = mxAdd(w, i, sqlite3_column_int64(p, 0), mxColParent(p, 1),
                       mxColText(p, 4), mxColText(p, 5));
      if( sqlite3_column_type(p, 2)!=SQLITE_NULL ){
        char zWant[48];
        int *pSym = mxMapSlot(&map, sqlite3_column_int64(p, 3));
        if( *pSym==0 ) *pSym = (int)(mxNewOp(w) & 0x7fffffff);
        r->state = MX_DELETED;
        r->op = ((i64)(w->iProc+1)<<32) + *pSym;
        r->tDel = sqlite3_column_int64(p, 6);
        mxFmtTime(r->tDel, zWant, 1);
        if( strcmp(zWant, mxColText(p, 2))!=0 ){
          mxFatal(w, "row %lld of %s: deleted_at %s is not a time this suite "
                  "writes (%s)", r->id, azTab[i], mxColText(p, 2), zWant);
        }
        if( r->tDel>tMax ) tMax = r->tDel;
      }
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(p); else sqlite3_finalize(p);
    if( rc ) mxFatal(w, "loading the model: %s", sqlite3_errmsg(w->db));
  }
  mxMapFree(&map);
  if( rc==SQLITE_OK ){
    char *zErr = 0;
    free(w->azTag);
    w->azTag = 0;
    rc = mxDbTags(w->db, &w->azTag, &w->nTag, &zErr);
    w->nTagAlloc = w->nTag;
    if( rc ) mxFatal(w, "%s", zErr);
    sqlite3_free(zErr);
  }
  w->nUndo = 0;
  if( tMax>=w->tNow ) w->tNow = tMax + 10;
  return rc ? rc : (w->bFatal ? SQLITE_ERROR : SQLITE_OK);
}

/* One row of the database, as mxCompare reads it. */
typedef struct MxDbRow {
  i64 id, parent, op;
  int bDel, bOpNull;
  char zDel[40];
  char a[48], b[48];
  int bLongText;
} MxDbRow;

typedef struct MxPair { i64 sym, dbop; int iTab; i64 id; } MxPair;
static int mxPairBySym(const void *a, const void *b){
  const MxPair *x = a, *y = b;
  return x->sym<y->sym ? -1 : x->sym>y->sym ? 1 : 0;
}
static int mxPairByOp(const void *a, const void *b){
  const MxPair *x = a, *y = b;
  return x->dbop<y->dbop ? -1 : x->dbop>y->dbop ? 1 : 0;
}

/* Did a worker other than w commit a purge of table iTab or of an ancestor
** after the row was deleted (nsDel) and before it was found gone? */
static int mxPurgedByOther(MxWorker **apW, int nW, MxWorker *w, int iTab,
                           i64 nsDel, i64 nsGone){
  int i, j;
  for(i=0; i<nW; i++){
    if( apW[i]==w ) continue;
    for(j=0; j<apW[i]->nPurge; j++){
      MxPurge *p = &apW[i]->aPurge[j];
      if( p->iTab<=iTab && p->nsEnd>nsDel && p->nsStart<nsGone ) return 1;
    }
  }
  return 0;
}

/* Compare the database with the models of all workers (their id ranges
** together cover every row). Returns the number of differences; the first
** ones are described in *pzErr. */
int mxCompare(sqlite3 *db, MxWorker **apW, int nW, char **pzErr){
  sqlite3_str *pOut = sqlite3_str_new(0);
  MxPair *aPair = 0;
  int nPair = 0, nPairAlloc = 0, nDiff = 0, iTab, i, k;
  char **aSeen = calloc((size_t)nW*MX_NTAB, sizeof(char*));
#define MX_DIFF(...) do{ if( nDiff++<20 ){ sqlite3_str_appendf(pOut, __VA_ARGS__); \
                         sqlite3_str_appendall(pOut, "\n"); } }while(0)
  if( aSeen==0 ){ fprintf(stderr, "out of memory\n"); exit(2); }
  for(k=0; k<nW; k++){
    for(iTab=0; iTab<MX_NTAB; iTab++){
      aSeen[k*MX_NTAB+iTab] = calloc((size_t)apW[k]->t[iTab].n+1, 1);
    }
  }
  for(iTab=0; iTab<MX_NTAB; iTab++){
    sqlite3_stmt *p = 0;
    int rc = sqlite3_prepare_v2(db, azSelect[iTab], -1, &p, 0);
    while( rc==SQLITE_OK && (rc = sqlite3_step(p))==SQLITE_ROW ){
      MxDbRow d;
      MxWorker *w = 0;
      MxRow *r;
      int iRow;
      rc = SQLITE_OK;
      memset(&d, 0, sizeof(d));
      d.id = sqlite3_column_int64(p, 0);
      d.parent = mxColParent(p, 1);
      d.bDel = sqlite3_column_type(p, 2)!=SQLITE_NULL;
      snprintf(d.zDel, sizeof(d.zDel), "%s", mxColText(p, 2));
      d.bOpNull = sqlite3_column_type(p, 3)==SQLITE_NULL;
      d.op = sqlite3_column_int64(p, 3);
      d.bLongText = strlen(mxColText(p, 4))>=sizeof(d.a) || strlen(mxColText(p, 5))>=sizeof(d.b);
      snprintf(d.a, sizeof(d.a), "%s", mxColText(p, 4));
      snprintf(d.b, sizeof(d.b), "%s", mxColText(p, 5));
      for(k=0; k<nW; k++){
        if( d.id>=apW[k]->idLo && d.id<apW[k]->idHi ){ w = apW[k]; break; }
      }
      if( w==0 ){
        MX_DIFF("%s row %lld: in no worker's id range (a row no worker inserted)",
                azTab[iTab], d.id);
        continue;
      }
      iRow = mxFind(&w->t[iTab], d.id);
      if( iRow<0 ){
        MX_DIFF("%s row %lld (%s): not in worker %d's model: inserted by no "
                "committed statement, or duplicated", azTab[iTab], d.id,
                d.bDel ? "deleted" : "live", w->iProc);
        continue;
      }
      aSeen[k*MX_NTAB+iTab][iRow] = 1;
      r = &w->t[iTab].a[iRow];
      if( !mxPresent(r) ){
        MX_DIFF("%s row %lld is in the database (%s), but worker %d removed it "
                "for good%s", azTab[iTab], d.id, d.bDel ? "deleted" : "live",
                w->iProc, r->state==MX_GONE_OTHER ? " (found it gone once)" : "");
        continue;
      }
      if( d.parent!=r->parent || strcmp(d.a, r->a) || strcmp(d.b, r->b) || d.bLongText ){
        MX_DIFF("%s row %lld: values (%lld, %s, %s), expected (%lld, %s, %s)",
                azTab[iTab], d.id, d.parent, d.a, d.b, r->parent, r->a, r->b);
      }
      if( r->state==MX_LIVE && (d.bDel || !d.bOpNull) ){
        MX_DIFF("%s row %lld: expected live, found deleted_at=%s, deleted_at_op=%s",
                azTab[iTab], d.id, d.bDel ? d.zDel : "NULL",
                d.bOpNull ? "NULL" : "set");
      }else if( r->state==MX_DELETED ){
        char zWant[48];
        mxFmtTime(r->tDel, zWant, 1);
        if( !d.bDel || d.bOpNull ){
          MX_DIFF("%s row %lld: expected deleted at %s, found deleted_at=%s, "
                  "deleted_at_op=%s", azTab[iTab], d.id, zWant,
                  d.bDel ? d.zDel : "NULL", d.bOpNull ? "NULL" : "set");
        }else{
          if( strcmp(zWant, d.zDel) ){
            MX_DIFF("%s row %lld: deleted_at %s, expected %s", azTab[iTab],
                    d.id, d.zDel, zWant);
          }
          aPair = mxGrow(aPair, &nPairAlloc, nPair, sizeof(MxPair));
          aPair[nPair].sym = r->op;
          aPair[nPair].dbop = d.op;
          aPair[nPair].iTab = iTab;
          aPair[nPair].id = d.id;
          nPair++;
        }
      }
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    if( rc ) MX_DIFF("%s: %s", azSelect[iTab], sqlite3_errmsg(db));
    sqlite3_finalize(p);
  }
  /* Rows of the models that the database does not have. */
  for(k=0; k<nW; k++){
    MxWorker *w = apW[k];
    for(iTab=0; iTab<MX_NTAB; iTab++){
      for(i=0; i<w->t[iTab].n; i++){
        MxRow *r = &w->t[iTab].a[i];
        if( aSeen[k*MX_NTAB+iTab][i] ) continue;
        if( r->state==MX_LIVE ){
          MX_DIFF("%s row %lld (worker %d): live in the model, missing from "
                  "the database", azTab[iTab], r->id, w->iProc);
        }else if( r->state==MX_DELETED
               && !mxPurgedByOther(apW, nW, w, iTab, r->nsDel, INT64_MAX) ){
          MX_DIFF("%s row %lld (worker %d): deleted in the model, missing from "
                  "the database, and no purge by another worker explains it",
                  azTab[iTab], r->id, w->iProc);
        }else if( r->state==MX_GONE_OTHER
               && !mxPurgedByOther(apW, nW, w, iTab, r->nsDel, r->nsGone) ){
          MX_DIFF("%s row %lld (worker %d): found gone, but no purge by another "
                  "worker between its deletion and then explains it",
                  azTab[iTab], r->id, w->iProc);
        }
      }
    }
  }
  /* Operations: one database id per operation, one operation per id. */
  if( nPair>1 ){
    qsort(aPair, (size_t)nPair, sizeof(MxPair), mxPairBySym);
    for(i=1; i<nPair; i++){
      if( aPair[i].sym==aPair[i-1].sym && aPair[i].dbop!=aPair[i-1].dbop ){
        MX_DIFF("one operation, two ids: %s row %lld has deleted_at_op %lld, "
                "%s row %lld has %lld (a cascade or a statement split in two)",
                azTab[aPair[i-1].iTab], aPair[i-1].id, aPair[i-1].dbop,
                azTab[aPair[i].iTab], aPair[i].id, aPair[i].dbop);
      }
    }
    qsort(aPair, (size_t)nPair, sizeof(MxPair), mxPairByOp);
    for(i=1; i<nPair; i++){
      if( aPair[i].dbop==aPair[i-1].dbop && aPair[i].sym!=aPair[i-1].sym ){
        MX_DIFF("two operations, one id %lld: %s row %lld and %s row %lld were "
                "deleted by different statements", aPair[i].dbop,
                azTab[aPair[i-1].iTab], aPair[i-1].id, azTab[aPair[i].iTab],
                aPair[i].id);
      }
    }
  }
  /* Tag tables: those the workers committed, each whole. */
  {
    char (*azDb)[40] = 0, (*azModel)[40] = 0, *zErr = 0;
    int nDb = 0, nModel = 0, nAlloc = 0, a = 0, b = 0;
    if( mxDbTags(db, &azDb, &nDb, &zErr) ){
      MX_DIFF("%s", zErr);
    }
    sqlite3_free(zErr);
    for(k=0; k<nW; k++){
      for(i=0; i<apW[k]->nTag; i++){
        azModel = mxGrow(azModel, &nAlloc, nModel, sizeof(azModel[0]));
        memcpy(azModel[nModel++], apW[k]->azTag[i], sizeof(azModel[0]));
      }
    }
    if( nModel ) qsort(azModel, (size_t)nModel, sizeof(azModel[0]), mxTagCmp);
    while( a<nDb || b<nModel ){
      int c = a>=nDb ? 1 : b>=nModel ? -1 : strcmp(azDb[a], azModel[b]);
      if( c<0 ){
        MX_DIFF("tag table %s is in the database but no committed transaction "
                "created it (or one dropped it)", azDb[a]);
        a++;
      }else if( c>0 ){
        MX_DIFF("tag table %s was created by a committed transaction but is "
                "missing", azModel[b]);
        b++;
      }else{
        char *zWhy = mxTagBroken(db, azDb[a]);
        if( zWhy ) MX_DIFF("%s", zWhy);
        sqlite3_free(zWhy);
        a++;
        b++;
      }
    }
    free(azDb);
    free(azModel);
  }
  if( nDiff>20 ) sqlite3_str_appendf(pOut, "... and %d more\n", nDiff-20);
#undef MX_DIFF
  free(aPair);
  for(i=0; i<nW*MX_NTAB; i++) free(aSeen[i]);
  free(aSeen);
  *pzErr = sqlite3_str_finish(pOut);
  return nDiff;
}

/* ---- Results files ----------------------------------------------------- */

typedef struct MxFileHdr {
  unsigned int magic;
  int iProc, bSole;
  i64 idLo, idHi;
  u64 seed;
  int nRow[MX_NTAB];
  int nPurge;
  int nTag;
  MxStat aStat[MX_NKIND];
  int nOp, nTxn, nRollback, nCheck, nVerify, nFail, bFatal;
  char zFail[4000];
} MxFileHdr;
#define MX_MAGIC 0x6d786431

int mxWorkerWrite(MxWorker *w, const char *zFile){
  FILE *f = fopen(zFile, "wb");
  MxFileHdr h;
  int i, ok;
  if( f==0 ) return 1;
  memset(&h, 0, sizeof(h));
  h.magic = MX_MAGIC;
  h.iProc = w->iProc;
  h.bSole = w->bSole;
  h.idLo = w->idLo;
  h.idHi = w->idHi;
  h.seed = w->seed;
  for(i=0; i<MX_NTAB; i++) h.nRow[i] = w->t[i].n;
  h.nPurge = w->nPurge;
  h.nTag = w->nTag;
  memcpy(h.aStat, w->aStat, sizeof(h.aStat));
  h.nOp = w->nOp; h.nTxn = w->nTxn; h.nRollback = w->nRollback;
  h.nCheck = w->nCheck; h.nVerify = w->nVerify; h.nFail = w->nFail;
  h.bFatal = w->bFatal;
  memcpy(h.zFail, w->zFail, sizeof(h.zFail));
  ok = fwrite(&h, sizeof(h), 1, f)==1;
  for(i=0; i<MX_NTAB && ok; i++){
    ok = w->t[i].n==0 || fwrite(w->t[i].a, sizeof(MxRow), (size_t)w->t[i].n, f)==(size_t)w->t[i].n;
  }
  if( ok && w->nPurge ) ok = fwrite(w->aPurge, sizeof(MxPurge), (size_t)w->nPurge, f)==(size_t)w->nPurge;
  if( ok && w->nTag ) ok = fwrite(w->azTag, sizeof(w->azTag[0]), (size_t)w->nTag, f)==(size_t)w->nTag;
  if( fclose(f) ) ok = 0;
  return !ok;
}

int mxWorkerRead(MxWorker *w, const char *zFile){
  FILE *f = fopen(zFile, "rb");
  MxFileHdr h;
  int i, ok;
  if( f==0 ) return 1;
  ok = fread(&h, sizeof(h), 1, f)==1 && h.magic==MX_MAGIC;
  if( ok ){
    mxWorkerInit(w, 0, h.iProc, h.bSole, h.seed);
    w->idLo = h.idLo;
    w->idHi = h.idHi;
    memcpy(w->aStat, h.aStat, sizeof(h.aStat));
    w->nOp = h.nOp; w->nTxn = h.nTxn; w->nRollback = h.nRollback;
    w->nCheck = h.nCheck; w->nVerify = h.nVerify; w->nFail = h.nFail;
    w->bFatal = h.bFatal;
    memcpy(w->zFail, h.zFail, sizeof(h.zFail));
    w->zFail[sizeof(w->zFail)-1] = 0;
  }
  for(i=0; i<MX_NTAB && ok; i++){
    w->t[i].n = w->t[i].nAlloc = h.nRow[i];
    w->t[i].a = malloc(sizeof(MxRow)*(size_t)(h.nRow[i]+1));
    ok = w->t[i].a && (h.nRow[i]==0
         || fread(w->t[i].a, sizeof(MxRow), (size_t)h.nRow[i], f)==(size_t)h.nRow[i]);
  }
  if( ok ){
    w->nPurge = w->nPurgeAlloc = h.nPurge;
    w->aPurge = malloc(sizeof(MxPurge)*(size_t)(h.nPurge+1));
    ok = w->aPurge && (h.nPurge==0
         || fread(w->aPurge, sizeof(MxPurge), (size_t)h.nPurge, f)==(size_t)h.nPurge);
  }
  if( ok ){
    w->nTag = w->nTagAlloc = h.nTag;
    w->azTag = malloc(sizeof(w->azTag[0])*(size_t)(h.nTag+1));
    ok = w->azTag && (h.nTag==0
         || fread(w->azTag, sizeof(w->azTag[0]), (size_t)h.nTag, f)==(size_t)h.nTag);
  }
  fclose(f);
  return !ok;
}
