/*
** softdelete.h: the structures shared by the parts of the softdelete module.
** The parts form layers; each calls only the ones below it:
**
**   softdelete.c   entry point, module table, life cycle of a virtual
**                  table (create, connect, disconnect, destroy, rename,
**                  commit), per-connection state
**   sd_func.c      the SQL functions sd_*
**   sd_write.c     the write path (xUpdate): insert, update, soft delete
**   sd_plan.c      the planner (xBestIndex) and cursors (xFilter ... xRowid)
**   sd_oplog.c     the eponymous table sd_operations
**   sd_cascade.c   operations, cascades along foreign keys, exact restore
**   sd_table.c     the description of a table: module arguments, the base
**                  table's columns and indexes, the columns to add
**   sd_text.c      reading SQL text: tokens, module arguments, index WHERE
**   sd_util.c      time formats, identifiers, error helpers
*/
#ifndef SOFTDELETE_H
#define SOFTDELETE_H

#include "sqlite3ext.h"
#ifndef SD_MAIN
SQLITE_EXTENSION_INIT3
#endif

#include <string.h>

#ifndef SD_VERSION
# define SD_VERSION "unknown"
#endif

/* Oldest host library that runs the extension, and the one that adds
** sqlite3_vtab_in(), sqlite3_vtab_rhs_value(), LIMIT/OFFSET constraints. */
#define SD_MIN_VERSION   3031000
#define SD_VTAB_IN_VERSION 3038000

/* Before these, SQLite offers xBestIndex constraints it must not: LIMIT and
** OFFSET while a WHERE term on the table is not offered, or for the first
** arm of a compound SELECT (fixed in 3.51.1; 3.46.0 for compounds); and the
** "auxiliary" operators (LIKE, GLOB, REGEXP, !=, IS NOT, IS NOT NULL) of a
** LEFT JOIN's ON clause on its left-hand table (right in 3.52.0, wrong in
** 3.41.1 and before; versions between were not checked). Forwarding them
** then gives wrong rows, so they are only forwarded from these versions on;
** before, SQLite evaluates them itself. */
#define SD_LIMIT_VERSION 3051001
#define SD_AUX_VERSION   3052000

typedef sqlite3_int64 i64;
typedef unsigned char u8;

typedef struct SdConn SdConn;
typedef struct SdPending SdPending;
typedef struct SdCol SdCol;
typedef struct SdIndex SdIndex;
typedef struct SdFkey SdFkey;
typedef struct SdVtab SdVtab;
typedef struct SdCursor SdCursor;
typedef struct SdStmt SdStmt;
typedef struct SdGraph SdGraph;
typedef struct SdJournal SdJournal;
typedef struct SdBufPool SdBufPool;
typedef struct SdIdSet SdIdSet;

/* A set of rowids (sd_util.c). */
struct SdIdSet {
  int n;                    /* Rowids in the set */
  int nSlot;                /* Slots in a[] (0, or a power of two) */
  i64 *a;                   /* Open addressing; SD_ID_EMPTY marks a free slot */
  int bEmpty;               /* SD_ID_EMPTY itself is in the set */
};
#define SD_ID_EMPTY ((i64)0x8000000000000001LL)

/* Marker formats: what a soft delete writes into the marker column. */
#define SD_FMT_DATETIME     0   /* 'YYYY-MM-DD HH:MM:SS.SSS' UTC text */
#define SD_FMT_UNIXEPOCH    1   /* integer seconds */
#define SD_FMT_UNIXEPOCH_MS 2   /* integer milliseconds */
#define SD_FMT_JULIANDAY    3   /* real */
#define SD_FMT_BOOLEAN      4   /* integer 1 */
#define SD_FMT_ACTIVE       5   /* integer 0: an inverse flag, live is 1 */
#define SD_FMT_IS_FLAG(e) ((e)>=SD_FMT_BOOLEAN) /* records no deletion time */

/* show=: which rows a softdelete table shows (SdVtab.eShow). */
#define SD_SHOW_LIVE    0   /* live rows; DELETE soft-deletes (the default) */
#define SD_SHOW_DELETED 1   /* deleted rows: the trash; UPDATE restores,
                            ** DELETE purges */
#define SD_SHOW_ALL     2   /* every row; read-only */

/* What a column of the base is to the extension (SdCol.eRole). */
#define SD_ROLE_MARKER 1    /* column=: the deletion time; live= when live */
#define SD_ROLE_OP     2    /* <marker>_op: the operation that deleted it */
#define SD_ROLE_ACTOR  3    /* actor=: who deleted it */

/* Cold paths kept out of the hot function that calls them. */
#if defined(__GNUC__) || defined(__clang__)
# define SD_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
# define SD_NOINLINE __declspec(noinline)
#else
# define SD_NOINLINE
#endif

/* Text handed over as SQLITE_UTF8_ZT (terminated, length known) needs no
** strlen(); hosts before 3.52.0 do not know the encoding. */
#ifndef SQLITE_UTF8_ZT
# define SQLITE_UTF8_ZT 16
#endif
#define SD_UTF8_ZT_VERSION 3052000
#define SD_UTF8_ZT 2
#define SD_TEXT_POOL 3      /* SdCursor.eText: in buffers of the pool */

/* Column affinities, in the letters SQLite itself uses. */
#define SD_AFF_BLOB    'A'
#define SD_AFF_TEXT    'B'
#define SD_AFF_NUMERIC 'C'
#define SD_AFF_INTEGER 'D'
#define SD_AFF_REAL    'E'

/*
** One per database connection that loaded the extension; the client data of
** the module and of every function. It holds the deletion clock and the
** current soft-delete operation.
*/
struct SdConn {
  sqlite3 *db;              /* The connection */
  int bPinned;              /* True if sd_clock() pinned the clock */
  i64 iPinned;              /* The pinned time, Unix milliseconds */
  unsigned int iGen;        /* Bumped at every statement boundary we can see */
  unsigned int iOpGen;      /* Value of iGen when the current operation began */
  int bOp;                  /* True if iOp/iOpTime are valid for iOpGen */
  i64 iOp;                  /* Current operation id */
  i64 iOpTime;              /* Its deletion time, Unix milliseconds */
  void *pOpStmt;            /* Writing statement it belongs to (sdWriterOp) */
  int nOpRun;               /* ... and that statement's run count */
  char *zOpSql;             /* ... and its SQL text */
  SdPending *pPending;      /* Tables created here whose columns are to come */
  SdBufPool *pBufs;         /* Buffers of column values handed to SQLite */
  sqlite3_value *pActor;    /* sd_actor(): who deletes, or NULL */
  int nGuard;               /* >0 while softdelete itself writes base tables:
                            ** sd_guard() is then 1 (guard=on triggers) */
  SdStmt *pKeptFirst;       /* Idle read statements, most recently kept first */
  SdStmt *pKeptLast;        /* ... and the least recently kept */
  sqlite3_int64 nKept;      /* Their memory, in bytes */
  sqlite3_int64 nKeptMax;   /* The budget: sd_statement_memory() */
};

/* Default budget of the memory of idle read statements, per connection. */
#ifndef SD_STATEMENT_MEMORY
# define SD_STATEMENT_MEMORY (1024*1024)
#endif

/*
** A softdelete table created in the current transaction of this connection
** whose base still lacks the marker or operation column (sdEnsureColumns()
** adds them). Only such a table may have the columns added: a base that
** lost them later is refused, never repaired (sdInit).
*/
struct SdPending {
  char *zDb;                /* Schema */
  char *zName;              /* Virtual table */
  SdPending *pNext;         /* Next in SdConn.pPending */
};

/* One column of the virtual table, mapped onto a column of the base. */
struct SdCol {
  char *zName;              /* Column name, as in the base */
  char *zType;              /* Declared type, or NULL */
  char *zColl;              /* Collation sequence name, or NULL for BINARY */
  char *zDflt;              /* DEFAULT expression text, or NULL */
  char eAff;                /* Affinity (SD_AFF_*) */
  u8 bGenerated;            /* Generated in the base: readable, never written */
  u8 eRole;                 /* SD_ROLE_* for the columns softdelete manages */
  u8 bHidden;               /* HIDDEN and reads NULL: the marker and the
                            ** actor of a show=live table */
  u8 bNotNull;              /* Declared NOT NULL in the base */
  u8 bPk;                   /* Part of the base's PRIMARY KEY */
};

/* One index of the base table, as the planner and the write path see it. */
struct SdIndex {
  char *zName;              /* Index name */
  int bUnique;              /* UNIQUE index (or PRIMARY KEY / UNIQUE constraint) */
  int bPartial;             /* Has a WHERE clause */
  int bLive;                /* Partial with WHERE <marker> IS NULL only */
  int bOpIdx;               /* Partial with WHERE <marker>_op IS NOT NULL only */
  char *zWhere;             /* Text of the WHERE expression, or NULL */
  int nCol;                 /* Number of key columns */
  int *aiCol;               /* Vtab column of each key column; -1 rowid, -2 expr */
  char **azColl;            /* Collation of each key column */
  u8 *aDesc;                /* 1 where the key column is DESC */
  i64 *aiRowEq;             /* Estimated rows per distinct prefix of 1..nCol */
};

/* A foreign key of one wrapped table onto another (see sd_cascade.c). */
struct SdFkey {
  char *zChildDb;           /* Schema of the child */
  char *zChildBase;         /* Child base table */
  char *zChildVtab;         /* Child virtual table */
  char *zChildMarker;       /* Marker column of the child */
  char *zChildOp;           /* Operation column of the child */
  char *zParentBase;        /* Parent base table */
  int nCol;                 /* Number of key columns */
  char **azFrom;            /* Child columns */
  char **azTo;              /* Parent columns (NULL entries: the parent's PK) */
  int eAction;              /* SD_FK_CASCADE, SD_FK_RESTRICT, SD_FK_NOACTION, ... */
  SdFkey *pNext;            /* Next in list */
};
#define SD_FK_NONE      0   /* SET NULL, SET DEFAULT: children stay as they are */
#define SD_FK_CASCADE   1
#define SD_FK_RESTRICT  2
#define SD_FK_NOACTION  3   /* RESTRICT while PRAGMA foreign_keys is on */

/*
** A prepared read statement, keyed by its SQL text. While no cursor runs it
** it is kept for reuse (idle): in its table's pool, or held by an idle
** cursor (SdVtab.pSpare or a parked plan), and in the connection's list of
** idle statements, which the memory budget trims (sdKeep).
*/
struct SdStmt {
  char *zSql;               /* SQL text: the key */
  sqlite3_stmt *pStmt;      /* The statement */
  int iSkip;                /* Parameter ":sd_skip" (an OFFSET hint), or 0 */
  SdStmt *pNext;            /* Next idle statement in SdVtab.pPool */
  SdVtab *pTab;             /* The table it reads */
  sqlite3_int64 nMem;       /* Its memory, measured once prepared */
  int bKept;                /* In SdConn's list of idle statements */
  SdCursor *pHolder;        /* Idle cursor holding it, or NULL: in the pool */
  SdStmt *pKeptPrev;        /* SdConn list, most recently kept first */
  SdStmt *pKeptNext;
};

/* Write statements cached per set of columns. */
#define SD_NUPDATE 8
#define SD_NINSERT 4

struct SdVtab {
  sqlite3_vtab base;        /* Base class. Must be first */
  SdConn *pConn;            /* Connection state */
  sqlite3 *db;              /* The connection */
  char *zDb;                /* Schema holding the vtab and its base */
  char *zName;              /* Name of the virtual table */
  char *zBase;              /* Name of the base table */
  char *zMarker;            /* Marker column name */
  char *zOpCol;             /* Operation column name: <marker>_op */
  char *zActor;             /* actor= column name, or NULL */
  char *zRetain;            /* retain= duration ("30 days"), or NULL */
  int eShow;                /* SD_SHOW_*: which rows it shows */
  char *zLive;              /* show=deleted|all: the show=live table of the
                            ** base, which cascades follow; else NULL */
  const char *zOpWhy;       /* Why the operation column is unusable, or NULL */
  int eFormat;              /* SD_FMT_* */
  int bGuard;               /* guard=on: triggers on the base (sd_table.c) */
  char *zLiveSql;           /* live=: the marker of a live row, as an SQL
                            ** literal ("NULL", "0", "'x'"); generated SQL
                            ** tests "<marker> IS <zLiveSql>" */
  sqlite3_value *pLiveVal;  /* ... and as a value; NULL when live=NULL */
  char *zMissing;           /* Non-NULL: the base is gone; the error to give */
  int bPending;             /* Marker or op column still to be added */
  int nCol;                 /* Columns of the virtual table */
  SdCol *aCol;              /* The columns */
  int iMarker;              /* Vtab column of the marker */
  int iOp;                  /* Vtab column of the operation, or -1 (live) */
  int iActor;               /* Vtab column of the actor, or -1 */
  int iPk;                  /* Vtab column aliasing the rowid, or -1 */
  char *zRowid;             /* Name that reaches the base rowid */
  int nIdx;                 /* Indexes on the base */
  SdIndex *aIdx;            /* The indexes */
  i64 nRowEst;              /* Estimated rows in the base */
  int bUtf8;                /* The database text encoding is UTF-8: 1, or
                            ** SD_UTF8_ZT if the host takes SQLITE_UTF8_ZT */
  int bLikeNoBlob;          /* Host built with LIKE_DOESNT_MATCH_BLOBS */
  SdCursor *pSpare;         /* A closed cursor kept for the next xOpen */
  SdCursor *pParked;        /* Plans parked by xFilter, most recent first */
  int nParked;              /* Number of them */
  SdStmt *pPool;            /* Idle read statements */
  int nPool;                /* Number of them */
  struct SdUpdCache {       /* Write statements per set of columns */
    u8 *aMask;              /* aMask[i] set if vtab column i is written */
    sqlite3_stmt *pStmt;    /* The statement */
  } aUpd[SD_NUPDATE],       /* UPDATE, per set of changed columns */
    aIns[SD_NINSERT];       /* INSERT, per set of columns left to defaults */
  int iUpdNext;             /* Next slot of aUpd to reuse */
  int iInsNext;             /* Next slot of aIns to reuse */
  SdGraph *pGraph;          /* Foreign keys among wrapped tables, or NULL */
  SdIdSet matched;          /* show=deleted: the rows the scan of the running
                            ** UPDATE matched (sd_plan.c), which come back
                            ** together (sdTrashUpdate) */
  sqlite3_stmt *pSchemaVersion; /* PRAGMA schema_version of zDb */
  int rcDeferred;           /* Error of xBestIndex, for xOpen or xUpdate */
  char *zDeferred;          /* ... and its message */
  int iSchema;              /* Schema version aIdx was read at */
  int iFkSchema;            /* Schema version + 1 bHasFk was read at, or 0 */
  int bHasFk;               /* The base declares a foreign key */
};

/* A cursor: one forwarded SELECT on the base. */
#define SD_MAX_ARG 31       /* Most argv[] values a plan uses (bits of a u32) */
struct SdCursor {
  sqlite3_vtab_cursor base; /* Base class. Must be first */
  SdStmt *pS;               /* The statement in use, or NULL */
  const char *zPlan;        /* idxStr the header below was parsed from */
  const char *zSql;         /* The SQL part of zPlan */
  int nArg;                 /* argv[] values the plan takes */
  char aFlag[SD_MAX_ARG];   /* Per value: binding flag (see sd_plan.c) */
  int aStart[SD_MAX_ARG];   /* Per value: start of its term in zSql */
  int aEnd[SD_MAX_ARG];     /* Per value: end of its term */
  int aLeft[SD_MAX_ARG];    /* Per value: length of its left-hand side in
                            ** zSql after " AND ", 0 if it may match NULL */
  unsigned int mIn;         /* Values that are whole IN lists */
  int bCheck;               /* Some value may need its term dropped */
  unsigned int mDrop;       /* Terms dropped from the statement in use */
  int bUpdate;              /* The plan marks every column used (an UPDATE) */
  char *zPlanCopy;          /* Copy of zPlan, to recognise it after reuse */
  int *aiOut;               /* Result column of each vtab column, -1 if not read */
  int nOut;                 /* Entries allocated in aiOut */
  int bEof;                 /* True at end of results */
  int bOne;                 /* The plan yields at most one row */
  int bReset;               /* pS is reset (not mid-scan) */
  int bFresh;               /* No filter yet since xOpen */
  int eText;                /* How sdColumn hands text over: SdVtab.bUtf8,
                            ** or SD_TEXT_POOL for this row */
  int iHint;                /* argv[] index of an OFFSET hint, or -1 */
  i64 nSkip;                /* Stand-in rows before those of pS (the hint) */
  i64 iRow;                 /* Current row; below nSkip a stand-in */
  int bMainDone;            /* pS has no row after the stand-ins */
  SdStmt *pCatch;           /* Loads stand-ins that are read (sdHintRow) */
  i64 iCatch;               /* Row pCatch is on, -1 before the first */
  SdCursor *pNextParked;    /* Next in SdVtab.pParked */
};

/*
** The rows one write changed in base tables, with their previous marker and
** operation, so that a write that fails part-way can be undone (sd_cascade.c).
*/
struct SdJournal {
  int n;                    /* Entries used */
  int nAlloc;               /* Entries allocated */
  struct SdJEntry {
    SdVtab *pTab;           /* Table of the row (a graph node) */
    int eKind;              /* SD_J_DELETE, SD_J_GROUP or SD_J_RESTORE */
    i64 iRowid;             /* The row (not for SD_J_GROUP) */
    i64 iOp;                /* The operation a delete wrote */
    sqlite3_value *pMarker; /* SD_J_RESTORE: the marker before */
    sqlite3_value *pOp;     /* SD_J_RESTORE: the operation id before */
    sqlite3_value *pActor;  /* SD_J_RESTORE: the actor before */
  } *a;
};
#define SD_J_DELETE  1      /* Live row iRowid soft-deleted by operation iOp */
#define SD_J_GROUP   2      /* Live rows of pTab soft-deleted by operation iOp */
#define SD_J_RESTORE 3      /* Deleted row iRowid made live */

/* sd_plan.c */
void sdKeptTrim(SdConn*);
SdBufPool *sdBufPoolNew(void);
void sdBufPoolClose(SdBufPool*);

/* sd_util.c */
void sdVtabError(SdVtab *p, const char *zFmt, ...);
int sdStrICmp(const char *a, const char *b);
i64 sdNow(SdConn *pConn);
void sdResultTime(sqlite3_context *ctx, int eFormat, i64 ms);
int sdBindTime(sqlite3_stmt *pStmt, int iParam, int eFormat, i64 ms);
void sdFormatDatetime(i64 ms, char *zOut);
const char *sdFormatName(int eFormat);
int sdParseFormat(const char *z);
int sdPrepare(sqlite3 *db, sqlite3_stmt **pp, int bPersist, const char *zFmt, ...);
char *sdMprintfStr(sqlite3_str *p, int *pRc);
const char *sdColumnText(sqlite3_stmt *pStmt, int i, int *pRc);
const char *sdErrMsg(sqlite3 *db, int rc);
int sdExec(sqlite3 *db, char **pzErr, const char *zFmt, ...);
void sdNewOp(SdConn *pConn);
void sdFreshOp(SdConn *pConn, i64 *piOp, i64 *piTime);
void sdWriterOp(SdConn *pConn, i64 *piOp, i64 *piTime);
int sdCurrentOp(SdConn *pConn, i64 *piOp, i64 *piTime);
char *sdQuoteValue(sqlite3_value *v);
int sdSameValue(sqlite3_value *a, sqlite3_value *b);
int sdIsLiveValue(const SdVtab *p, sqlite3_value *v);
int sdTextInteger(const char *z, i64 *piVal);
int sdIdSetAdd(SdIdSet *p, i64 iRowid);
int sdIdSetHas(const SdIdSet *p, i64 iRowid);
void sdIdSetClear(SdIdSet *p);

/* sd_text.c: token types of sdToken() */
#define SD_TK_SPACE   1     /* white space or a comment */
#define SD_TK_WORD    2     /* keyword, bare identifier or number */
#define SD_TK_QUOTED  3     /* "name", `name` or [name] */
#define SD_TK_STRING  4     /* 'text' */
#define SD_TK_PUNCT   5     /* any other character */
int sdIsSpace(char c);
int sdToken(const char *z, int *peType);
int sdNextToken(const char *z, int n, int *pi, int *piTok, int *pnTok);
char *sdDequote(const char *z, int n);
char *sdArgText(const char *z, int n);
int sdArgLiteral(const char *z, char **pzSql);
int sdArgSplit(const char *z, char **pzKey, char **pzValue, int *pbEq);
int sdArgName(const char *z, char **pzName, int *pbDot);
int sdSplitCreate(const char *zSql, int *pnArg, char ***pazArg, char **pzModule);
char *sdFindWhere(const char *zSql, int *pRc);
int sdIsLiveWhere(const char *zWhere, const char *zMarker, const char *zLiveSql);
int sdIsNotNullWhere(const char *zWhere, const char *zCol);
int sdIsWithoutRowid(const char *zSql);
int sdFindCall(const char *zSql, const char *const *azName, int nName);

/* sd_table.c: how sdTableInit() is called. */
#define SD_MODE_CREATE  0   /* xCreate: may add columns; errors are fatal */
#define SD_MODE_CONNECT 1   /* xConnect: a missing base gives a placeholder */
#define SD_MODE_LOOKUP  2   /* SQL functions: no declaration, errors fatal */
#define SD_MODE_GRAPH   3   /* As LOOKUP, from inside a write: never alters */
int sdTableInit(sqlite3 *db, SdConn *pConn, const char *zDb, const char *zName,
                int nArg, const char *const *azArg, int eMode,
                SdVtab **ppOut, char **pzErr);
void sdTableFree(SdVtab *p);
void sdPendingRemove(SdConn *pConn, const char *zDb, const char *zName);
int sdWrapperOf(sqlite3 *db, const char *zDb, const char *zBase, int eShow,
                const char *zSelf, char **pzName);
typedef struct SdTableOptions SdTableOptions;
struct SdTableOptions {     /* A live table's options, as its text gives them */
  const char *zBase, *zMarker, *zActor, *zRetain;
  const char *zLiveSql;     /* live= as an SQL literal ("NULL" by default) */
};
typedef int (*SdTableFn)(void *pArg, const char *zDb, const char *zName,
                         const SdTableOptions *pOpt);
int sdForEachLiveTable(sqlite3 *db, SdTableFn xTable, void *pArg);
int sdFindVtab(sqlite3 *db, SdConn *pConn, const char *zArg, int bGraph,
               SdVtab **ppVtab, char **pzErr);
int sdVtabFromSql(sqlite3 *db, SdConn *pConn, const char *zDb, const char *zName,
                  const char *zSql, int bGraph, SdVtab **ppVtab, char **pzErr);
void sdPendingClear(SdConn *pConn);
int sdEnsureColumns(SdVtab *p);
int sdSyncColumns(SdVtab *p);
int sdGuardInstall(SdVtab *p, const char *zVtab);
int sdGuardRemove(SdVtab *p, const char *zVtab);
int sdSchemaVersion(SdVtab *p, int *piVersion);
int sdRefreshIndexes(SdVtab *p);
void sdBaseError(SdVtab *p, const char *zVerb, int rc);
const char *sdIndexColName(SdVtab *p, int iCol);
char *sdLiveKeyOf(SdVtab *p, SdIndex *pIdx, i64 iRowid, int *pRc);

/* sd_plan.c */
int sdBestIndex(sqlite3_vtab*, sqlite3_index_info*);
int sdOpen(sqlite3_vtab*, sqlite3_vtab_cursor**);
int sdClose(sqlite3_vtab_cursor*);
int sdFilter(sqlite3_vtab_cursor*, int, const char*, int, sqlite3_value**);
int sdNext(sqlite3_vtab_cursor*);
int sdEof(sqlite3_vtab_cursor*);
int sdColumn(sqlite3_vtab_cursor*, sqlite3_context*, int);
int sdRowid(sqlite3_vtab_cursor*, sqlite_int64*);
void sdPoolClear(SdVtab *p);
int sdDeferredError(SdVtab *p);
void sdCursorFree(SdVtab *p, SdCursor *pCur);

/* sd_write.c */
int sdUpdate(sqlite3_vtab*, int, sqlite3_value**, sqlite_int64*);
void sdWriteClear(SdVtab *p);

/* sd_cascade.c */
int sdSoftDelete(SdVtab *p, i64 iRowid, i64 iOp, i64 iTime, SdJournal *pJ,
                 char **pzErr);
int sdRestore(SdVtab *p, i64 iRowid, int bCascade, const SdIdSet *pComing,
              SdJournal *pJ, int *pnRestored, char **pzErr);
int sdPurge(SdVtab *p, i64 iRowid, int bDeletedOnly, int bOneWrite,
            i64 *pnTable, char **pzErr);
int sdCheckParents(SdVtab *p, sqlite3_value **aVal, sqlite3_value *pNewRowid,
                   int bUpdate, i64 iOld, const char *zVerb, char **pzErr);
void sdJournalInit(SdJournal *pJ);
void sdJournalClear(SdJournal *pJ);
int sdJournalUndo(sqlite3 *db, SdJournal *pJ);
void sdGraphFree(SdGraph *pGraph);

/* sd_func.c */
int sdRegisterFunctions(sqlite3 *db, SdConn *pConn);

/* sd_oplog.c: the eponymous table sd_operations */
extern sqlite3_module sdOperationsModule;

#endif /* SOFTDELETE_H */
