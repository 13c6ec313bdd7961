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
**   softdelete.c   this file: entry point, per-connection state, version gate
**   sd_schema.c    life cycle (create/connect/disconnect/destroy/rename)
**   sd_plan.c      planner and cursors: each scan is one SELECT on the base
**   sd_write.c     xUpdate: insert, update, delete, conflict modes
**   sd_cascade.c   operations, cascades, exact restore, undo journal
**   sd_func.c      the sd_* SQL functions
**   sd_util.c      time formats, identifiers, errors
*/
#define SD_MAIN
#include "softdelete.h"
SQLITE_EXTENSION_INIT1

/* Free the per-connection state when the module is unregistered. */
static void sdConnFree(void *p){
  if( p ){
    sqlite3_free(((SdConn*)p)->zOpSql);
    sdPendingClear((SdConn*)p);
    sdBufPoolClose(((SdConn*)p)->pBufs);
  }
  sqlite3_free(p);
}

#ifdef _WIN32
__declspec(dllexport)
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
