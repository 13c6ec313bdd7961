/*
** mixed.h: the random workload and the oracle shared by the reliability
** suites test/crash.c and test/concurrency.c.
**
** A worker (MxWorker) holds one connection and an in-memory model of the
** rows it owns in a blog schema (mxCreateSchema: users -> posts -> comments,
** ON DELETE CASCADE, each base wrapped by a softdelete table, a live-unique
** email, indexes over live rows, comments_data guarded by guard=on triggers
** that every soft delete, restore and purge reaching it runs through,
** PRAGMA foreign_keys on). It runs random
** transactions of mixed operations through the virtual tables and the sd_*
** functions; before each statement it applies to its model what the
** statement must do (rows soft-deleted with their cascade under one
** operation, rows restored, purged, ...), and after it checks the result
** (changes(), the function's return value, the expected error). The model
** knows the deletion times too: each transaction pins the connection's clock
** with sd_clock(). Rows removed for good leave the model between
** transactions: one that comes back shows as a row that no model has.
**
** Operation ids are random 63-bit numbers chosen by the extension, so the
** model gives each operation a symbol of its own; a comparison with the
** database then requires a one-to-one map between symbols and the ids found
** in the rows (every row of one operation shares its root's id, no two
** operations share one).
**
** Some transactions change the schema: they create a "tag table"
** (tags_..._data wrapped by tags_..., two rows written through it, one
** soft-deleted: the marker columns are added at that first use inside the
** transaction; every other one has guard=on, whose triggers come with the
** columns) or drop one again. The model lists the tag tables; each
** must exist whole (both tables, the marker columns, its rows) or not at
** all.
**
** A worker is "sole" when no other connection writes (crash.c): every
** prediction is then exact. With several writers (concurrency.c) each
** worker owns the rows whose ids lie in its own range; only sd_purge()
** crosses ranges, removing deleted rows of other workers. A worker that
** finds one of its deleted rows gone marks it MX_GONE_OTHER with the time,
** and the final check (mxCompare) accepts a missing deleted row only if
** another worker committed a purge of that table (or of an ancestor table)
** after the row was deleted.
*/
#ifndef MIXED_H
#define MIXED_H

#include <sqlite3.h>
#include <stdio.h>

typedef sqlite3_int64 i64;
typedef sqlite3_uint64 u64;

int sqlite3_softdelete_init(sqlite3*, char**, const sqlite3_api_routines*);

/* Tables, in parent-to-child order. */
#define MX_USERS     0
#define MX_POSTS     1
#define MX_COMMENTS  2
#define MX_NTAB      3

/* Row states in a model. */
#define MX_LIVE       0
#define MX_DELETED    1
#define MX_GONE       2     /* removed for good by this worker */
#define MX_GONE_OTHER 3     /* found removed: another worker purged it */

/* Operation kinds, for statistics (BUSY counts are kept per kind). */
enum {
  MX_K_BEGIN, MX_K_COMMIT, MX_K_ROLLBACK, MX_K_SAVEPOINT, MX_K_CLOCK, MX_K_READ,
  MX_K_INS_USER, MX_K_INS_POSTS, MX_K_INS_COMMENTS,
  MX_K_REPLACE_EMAIL, MX_K_REPLACE_ROWID,
  MX_K_UPD_USER, MX_K_UPD_EMAIL, MX_K_UPD_POST, MX_K_UPD_COMMENTS,
  MX_K_DEL_USER, MX_K_DEL_POST, MX_K_DEL_POSTS_OF, MX_K_DEL_COMMENTS,
  MX_K_RESTORE, MX_K_RESTORE_AUTO, MX_K_HARD_DELETE, MX_K_HARD_DELETE_AUTO,
  MX_K_PURGE, MX_K_PURGE_AUTO,
  MX_K_SCHEMA, MX_K_OPEN,
  MX_NKIND
};

typedef struct MxStat {
  int nRun;                 /* Statements run */
  int nOk;                  /* ... that succeeded as predicted */
  int nErr;                 /* ... that failed with the predicted error */
  int nNoRow;               /* ... whose target another worker had purged */
  int nBusy;                /* SQLITE_BUSY after waiting out busy_timeout */
  int nLost;                /* SQLITE_BUSY sooner: a lost wait (failure) */
  double msMax;             /* Longest time a statement took, waits included */
} MxStat;

typedef struct MxRow {
  i64 id;
  i64 parent;               /* author_id, post_id; 0 for users */
  int state;                /* MX_LIVE ... */
  i64 op;                   /* Operation symbol of the soft delete */
  i64 tDel;                 /* Deletion time, Unix seconds (pinned clock) */
  i64 nsDel;                /* Monotonic ns when the deleting statement began */
  i64 nsGone;               /* Monotonic ns when found gone (MX_GONE_OTHER) */
  char a[48];               /* email, title, body */
  char b[48];               /* name (users only) */
} MxRow;

typedef struct MxTable {
  MxRow *a;                 /* Rows, sorted by id */
  int n, nAlloc;
} MxTable;

typedef struct MxUndo {
  int iTab;
  int bNew;                 /* The row did not exist: undo removes it */
  MxRow old;                /* Otherwise its previous content */
} MxUndo;

typedef struct MxPurge {
  int iTab;                 /* Table purged (its descendants go with it) */
  i64 nsStart;              /* Before the sd_purge() statement began */
  i64 nsEnd;                /* After its transaction committed; 0 if not yet */
} MxPurge;

typedef struct MxWorker MxWorker;
struct MxWorker {
  sqlite3 *db;
  int iProc;                /* Worker number, 0-based */
  int bSole;                /* No other writer: predictions are exact */
  i64 idLo, idHi;           /* Ids this worker owns, in every table */
  i64 idNext;               /* Next fresh id */
  i64 opNext;               /* Next operation symbol */
  i64 tNow;                 /* The pinned clock, Unix seconds */
  i64 nName;                /* Counter for fresh emails and texts */
  u64 rng;                  /* Random state */
  u64 seed;                 /* Seed this worker started from */
  int busyMs;               /* busy_timeout in force */
  int nTarget;              /* Rows (live + deleted) to stay around */
  MxTable t[MX_NTAB];
  MxUndo *aUndo; int nUndo, nUndoAlloc;
  MxPurge *aPurge; int nPurge, nPurgeAlloc;
  char (*azTag)[40];        /* Committed tag tables, in creation order */
  int nTag, nTagAlloc;
  i64 nTagNext;             /* Counter for their names */
  int schemaPerMille;       /* Per mille of transactions that create or drop one */
  int iSchemaAt;            /* Run a schema event when nOp reaches this */
  int bTxn;                 /* Inside BEGIN ... COMMIT */
  int iTxnUndo, iTxnPurge;  /* Undo marks at BEGIN */
  int bTxnLost;             /* SQLite rolled the transaction back itself */
  MxStat aStat[MX_NKIND];
  int nOp;                  /* Workload statements run */
  int nTxn;                 /* Transactions committed (autocommit included) */
  int nRollback;            /* Transactions rolled back on purpose */
  int nCheck;               /* Invariant checks run */
  int nVerify;              /* Full model/database comparisons run */
  int nFail;                /* Failures found */
  int bFatal;               /* The model is out of step: stop this worker */
  int verifyPct;            /* Percent of transactions compared in full */
  int holdPct;              /* Percent of transactions that hold their lock
                            ** a few ms before COMMIT, so others must wait */
  char zFail[4000];         /* The first failures, one a line */
  char zLast[600];          /* The last statement, for reports */
  /* Hooks for crash.c: called around each commit, and before big cascades. */
  void *pHook;
  void (*xPending)(void*, u64 sum, const char *zWhat);
  void (*xCommit)(void*, u64 sum, const char *zWhat);
  void (*xHint)(void*, int eType, const char *zWhat);
};

/* Hint types passed to xHint. */
#define MX_HINT_BEGIN   1
#define MX_HINT_CASCADE 2

/* Setup. */
i64 mxNowNs(void);
int mxOpen(const char *zPath, int busyMs, sqlite3 **pDb, char **pzErr);
int mxCreateSchema(sqlite3 *db, char **pzErr);
void mxWorkerInit(MxWorker*, sqlite3*, int iProc, int bSole, u64 seed);
void mxWorkerFree(MxWorker*);
int mxModelLoad(MxWorker*);

/* Running the workload. mxTransaction returns non-zero once w->bFatal. */
int mxTransaction(MxWorker*);
void mxFail(MxWorker*, const char *zFmt, ...);
const char *mxKindName(int eKind);
void mxStatAdd(MxStat *pTo, const MxStat *pFrom);

/* Oracles. */
/* Runs in the caller's transaction, or in a read transaction of its own.
** Returns an SQLite error code; *pzBroken (sqlite3_malloc'ed) describes a
** broken invariant, *pzErr an SQL error. */
int mxCheckInvariants(sqlite3 *db, char **pzBroken, char **pzErr);
u64 mxModelSum(MxWorker*);
int mxDbSum(sqlite3 *db, u64 *pSum, char **pzErr);
int mxCompare(sqlite3 *db, MxWorker **apW, int nW, char **pzErr);

/* Moving a worker's model and results between processes. */
int mxWorkerWrite(MxWorker*, const char *zFile);
int mxWorkerRead(MxWorker*, const char *zFile);

/* Random numbers: splitmix64. */
u64 mxRand(u64 *pState);
int mxRandInt(u64 *pState, int n);

#endif /* MIXED_H */
