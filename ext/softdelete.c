/*
** softdelete: soft deletion as a property of the database.
**
** A SQLite loadable extension. The virtual-table module "softdelete" wraps
** an ordinary table, the base table:
**
**   CREATE TABLE posts_data(id INTEGER PRIMARY KEY, slug TEXT, title TEXT);
**   CREATE VIRTUAL TABLE posts USING softdelete(posts_data);
**   INSERT INTO posts(slug, title) VALUES('hello', 'Hello');
**   DELETE FROM posts WHERE id=1;          -- sets posts_data.deleted_at
**   SELECT count(*) FROM posts;            -- 0: only live rows are seen
**   SELECT sd_restore('posts', 1);         -- 1: the row is live again
**
** Reading through the virtual table shows only the rows whose marker column
** (deleted_at) is NULL. DELETE sets the marker instead of removing the row,
** cascading along foreign keys between wrapped tables. INSERT and UPDATE go
** straight to the base. SQL functions restore, hard-delete, purge, and
** create indexes that count live rows only.
**
** How it works, and where:
**   softdelete.c   this file: the module table and the life cycle of a
**                  virtual table, the entry point, per-connection state
**   sd_func.c      the sd_* SQL functions
**   sd_write.c     xUpdate: insert, update, delete, conflict modes
**   sd_plan.c      planner and cursors: each scan is one SELECT on the base
**   sd_oplog.c     the eponymous table sd_operations
**   sd_cascade.c   operations, cascades, exact restore, undo journal
**   sd_table.c     the description of a table: base columns and indexes
**   sd_text.c      reading SQL text
**   sd_util.c      time formats, identifiers, errors
** Each file calls only those listed below it (softdelete.h).
*/
#define SD_MAIN
#include "softdelete.h"
SQLITE_EXTENSION_INIT1

/* ---- The module: life cycle of a virtual table --------------------------- */

/*
** Free a virtual table: each layer frees what it keeps in the SdVtab (the
** planner's statements and cursors, the write path's statements, the
** cascade graph), then the description itself.
*/
static void sdRelease(SdVtab *p){
  if( p==0 ) return;
  sdPoolClear(p);
  sdWriteClear(p);
  sdGraphFree(p->pGraph);
  p->pGraph = 0;
  sdTableFree(p);
}

/* xSync: the commit of the CREATE VIRTUAL TABLE adds missing columns. */
static int sdSync(sqlite3_vtab *pVtab){
  return sdSyncColumns((SdVtab*)pVtab);
}

/* ---- xCreate, xConnect, xDisconnect, xDestroy, xRename ------------------ */

static int sdCreateOrConnect(sqlite3 *db, void *pAux, int argc,
                             const char *const *argv, sqlite3_vtab **ppVtab,
                             char **pzErr, int eMode){
  SdVtab *p = 0;
  char *zName = sqlite3_mprintf("%s", argv[2]);
  int rc = zName ? sdTableInit(db, (SdConn*)pAux, argv[1], argv[2], argc-3, &argv[3],
                          eMode, &p, pzErr) : SQLITE_NOMEM;
  /* argv[] may be gone now: xCreate's ALTER TABLE reloads the schema. */
  if( rc && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("softdelete: cannot %s %s: %s",
        eMode==SD_MODE_CREATE ? "create" : "connect", zName ? zName : "",
        sdErrMsg(db, rc));
  }
  sqlite3_free(zName);
  if( rc ) return rc;
  /* Conflict modes are honoured by returning SQLITE_CONSTRAINT (sd_write.c). */
  sqlite3_vtab_config(db, SQLITE_VTAB_CONSTRAINT_SUPPORT, 1);
  /* Reading live rows has no side effect: allow use in views and triggers
  ** under PRAGMA trusted_schema=OFF. */
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  *ppVtab = &p->base;
  return SQLITE_OK;
}

static int sdCreate(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                    sqlite3_vtab **ppVtab, char **pzErr){
  return sdCreateOrConnect(db, pAux, argc, argv, ppVtab, pzErr, SD_MODE_CREATE);
}

static int sdConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                     sqlite3_vtab **ppVtab, char **pzErr){
  return sdCreateOrConnect(db, pAux, argc, argv, ppVtab, pzErr, SD_MODE_CONNECT);
}

/* xDisconnect: the base table and its rows stay. */
static int sdDisconnect(sqlite3_vtab *pVtab){
  sdRelease((SdVtab*)pVtab);
  return SQLITE_OK;
}

/* xDestroy: DROP TABLE of the virtual table; the base table and its rows
** stay. The triggers of guard=on go with it. */
static int sdDestroy(sqlite3_vtab *pVtab){
  SdVtab *p = (SdVtab*)pVtab;
  if( p->bGuard ){
    int rc = sdGuardRemove(p, p->zName);
    if( rc ) return rc;
  }
  sdPendingRemove(p->pConn, p->zDb, p->zName);
  return sdDisconnect(pVtab);
}

/* xCommit and xRollback reach only a table created in this transaction: its
** columns are no longer to come (added by xSync, or gone with the table). */
static int sdTxnEnd(sqlite3_vtab *pVtab){
  SdVtab *p = (SdVtab*)pVtab;
  sdPendingRemove(p->pConn, p->zDb, p->zName);
  return SQLITE_OK;
}

/* ALTER TABLE vtab RENAME TO: only the virtual table's name changes (and
** the names of the triggers of guard=on, which are named after it). */
static int sdRename(sqlite3_vtab *pVtab, const char *zNew){
  SdVtab *p = (SdVtab*)pVtab;
  char *z = sqlite3_mprintf("%s", zNew);
  if( z==0 ) return SQLITE_NOMEM;
  if( p->bGuard && !p->zMissing ){
    /* The new names first: a name taken fails the rename, guard intact. */
    int rc = sdGuardInstall(p, zNew);
    if( rc==SQLITE_OK ) rc = sdGuardRemove(p, p->zName);
    if( rc ){ sqlite3_free(z); return rc; }
  }
  sqlite3_free(p->zName);
  p->zName = z;
  return SQLITE_OK;
}


/*
** The virtual-table module. xCreate and xConnect differ, so the module is
** not eponymous: "SELECT * FROM softdelete" is "no such table".
*/
sqlite3_module sdModule = {
  2,                  /* iVersion: xSavepoint..xRollbackTo slots present */
  sdCreate,           /* xCreate: check base, add marker/op columns, declare */
  sdConnect,          /* xConnect: read base, declare; never alters it */
  sdBestIndex,        /* xBestIndex: sd_plan.c */
  sdDisconnect,       /* xDisconnect */
  sdDestroy,          /* xDestroy: the base table stays */
  sdOpen,             /* xOpen: sd_plan.c */
  sdClose,            /* xClose */
  sdFilter,           /* xFilter */
  sdNext,             /* xNext */
  sdEof,              /* xEof */
  sdColumn,           /* xColumn */
  sdRowid,            /* xRowid */
  sdUpdate,           /* xUpdate: sd_write.c */
  0,                  /* xBegin: nested writes share the caller's transaction */
  sdSync,             /* xSync: adds missing columns as CREATE commits */
  sdTxnEnd,           /* xCommit: a created table's columns are settled */
  sdTxnEnd,           /* xRollback: or gone with it */
  0,                  /* xFindFunction: LIKE etc. are forwarded, not overloaded */
  sdRename,           /* xRename: the vtab only */
  0,                  /* xSavepoint: statement journal covers nested writes */
  0,                  /* xRelease */
  0,                  /* xRollbackTo */
  0                   /* xShadowName */
};

/* ---- Entry point ------------------------------------------------------- */

/* Free the per-connection state when the module is unregistered. */
static void sdConnFree(void *p){
  if( p ){
    sqlite3_free(((SdConn*)p)->zOpSql);
    sqlite3_value_free(((SdConn*)p)->pActor);
    sdPendingClear((SdConn*)p);
    sdBufPoolClose(((SdConn*)p)->pBufs);
  }
  sqlite3_free(p);
}

/* The one exported symbol: the library is built with hidden visibility
** (Makefile), so that two SQLite libraries in one process (two Node.js
** clients, say), each loading the extension with RTLD_GLOBAL, cannot bind
** one copy's sqlite3_api or functions to the other's. */
#ifdef _WIN32
__declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
__attribute__((visibility("default")))
#endif
int sqlite3_softdelete_init(sqlite3 *db, char **pzErrMsg,
                            const sqlite3_api_routines *pApi){
  SdConn *pConn;
  int rc;
  SQLITE_EXTENSION_INIT2(pApi);
  /* Routines newer than the host would be read past the end of its table:
  ** check the version before calling anything else. */
  if( sqlite3_libversion_number()<SD_MIN_VERSION ){
    if( pzErrMsg ){
      *pzErrMsg = sqlite3_mprintf("softdelete: SQLite 3.31.0 or later is "
          "required; this program uses SQLite %s", sqlite3_libversion());
    }
    return SQLITE_ERROR;
  }
  {
    /* Loaded twice on one connection (load_extension() again): already
    ** registered, and functions cannot be replaced while the SELECT that
    ** loads runs. PRAGMA module_list reads no schema: from
    ** sqlite3_auto_extension() this runs inside sqlite3_open(), before the
    ** application could set a busy timeout, and a lock held elsewhere
    ** must not fail the open. */
    sqlite3_stmt *pStmt = 0;
    int bLoaded = 0;
    if( sqlite3_prepare_v2(db, "PRAGMA module_list", -1, &pStmt, 0)==SQLITE_OK ){
      while( !bLoaded && sqlite3_step(pStmt)==SQLITE_ROW ){
        const char *z = (const char*)sqlite3_column_text(pStmt, 0);
        bLoaded = z && strcmp(z, "softdelete")==0;
      }
    }
    sqlite3_finalize(pStmt);
    if( bLoaded ) return SQLITE_OK;
  }
  pConn = sqlite3_malloc64(sizeof(*pConn));
  if( pConn==0 ) return SQLITE_NOMEM;
  memset(pConn, 0, sizeof(*pConn));
  pConn->db = db;
  pConn->nKeptMax = SD_STATEMENT_MEMORY;
  pConn->pBufs = sdBufPoolNew();
  if( pConn->pBufs==0 ){ sqlite3_free(pConn); return SQLITE_NOMEM; }
  /* The module owns pConn; the functions borrow it. The module is created
  ** last so that a failure before it can free pConn directly. */
  rc = sdRegisterFunctions(db, pConn);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_module_v2(db, "softdelete", &sdModule, pConn, sdConnFree);
    /* The module owns pConn from here; sd_operations borrows it. */
    if( rc==SQLITE_OK ){
      rc = sqlite3_create_module_v2(db, "sd_operations", &sdOperationsModule,
                                    pConn, 0);
    }
  }else{
    sdBufPoolClose(pConn->pBufs);
    sqlite3_free(pConn);
  }
  if( rc && pzErrMsg ){
    *pzErrMsg = sqlite3_mprintf("softdelete: cannot register: %s",
                                sqlite3_errmsg(db));
  }
  return rc;
}
