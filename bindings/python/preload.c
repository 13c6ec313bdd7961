/*
** preload.c: libsoftdelete_preload.so, for programs that cannot load
** extensions (Python builds without enable_load_extension, for one).
**
**   LD_PRELOAD=/path/to/libsoftdelete_preload.so python3 app.py
**
** The library holds the extension compiled with -DSQLITE_CORE and links the
** system's libsqlite3.so.0. When the dynamic loader maps it, before main(),
** its constructor registers the extension with sqlite3_auto_extension(), so
** every connection that this libsqlite3 opens afterwards has the softdelete
** module and the sd_* functions. It only helps programs that use that same
** libsqlite3.so.0 (check with ldd: the sqlite3 module of pyenv and Debian
** Pythons does; a program with SQLite compiled in does not).
**
** The Python package builds it (softdelete.preload_path()); by hand, from
** the repository's root:
**
**   cc -std=c11 -O2 -fPIC -fvisibility=hidden -DSQLITE_CORE \
**      -DSD_VERSION="\"$(cat VERSION)\"" -shared -o libsoftdelete_preload.so \
**      bindings/python/preload.c ext/*.c -lsqlite3 -lm
*/
#include <sqlite3.h>
#include <stdio.h>

int sqlite3_softdelete_init(sqlite3*, char**, const sqlite3_api_routines*);

__attribute__((constructor))
static void sdPreloadRegister(void){
  int rc = sqlite3_auto_extension((void(*)(void))sqlite3_softdelete_init);
  if( rc!=SQLITE_OK ){
    fprintf(stderr, "libsoftdelete_preload: sqlite3_auto_extension: %s\n",
            sqlite3_errstr(rc));
  }
}
