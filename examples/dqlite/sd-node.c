/*
** sd-node: a dqlite node whose every SQLite connection has softdelete.
**
**   sd-node ID ADDRESS DIR [LATENCY_MS]
**
** ID is the node's Raft id (node 1 bootstraps a new cluster, the others
** join through a client's Add request), ADDRESS the host:port it serves on,
** DIR its data directory (created if missing), LATENCY_MS the network round
** trip dqlite tunes its Raft timeouts to (default 20: loopback; dqlite's own
** default suits a WAN and makes a failover take seconds).
**
** Two lines matter for softdelete:
**   sqlite3_auto_extension(sqlite3_softdelete_init): the module and the sd_*
**     functions on every connection dqlite opens, leader and followers alike
**     (a node without them answers "no such module: softdelete" the moment
**     it leads);
**   signal(SIGPIPE, SIG_IGN): a peer that dies mid-write must cost an EPIPE,
**     not the process (without it, killing the leader kills its followers).
**
** The node prints "ready ID ADDRESS" once it serves, and stops cleanly on
** SIGTERM or SIGINT. Built by examples/dqlite/run.sh against libdqlite and
** the static libsoftdelete.a, which calls the SQLite that libdqlite uses.
** Built with -DSD_NODE_WITHOUT_SOFTDELETE it leaves the extension out: the
** test runs such a node to show what a voter without it answers once it
** leads. Never deploy that build.
*/
#include <dqlite.h>
#include <sqlite3.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int sqlite3_softdelete_init(sqlite3 *db, char **pzErrMsg,
                            const sqlite3_api_routines *pApi);

static void die(const char *zWhat, const char *zWhy){
  fprintf(stderr, "sd-node: %s: %s\n", zWhat, zWhy);
  exit(1);
}

int main(int argc, char **argv){
  dqlite_node *node = 0;
  unsigned long long id;
  unsigned latency = 20;
  sigset_t set;
  char *zEnd = 0;
  int rc, sig = 0;

  if( argc<4 || argc>5 ){
    fprintf(stderr, "usage: sd-node ID ADDRESS DIR [LATENCY_MS]\n");
    return 2;
  }
  id = strtoull(argv[1], &zEnd, 10);
  if( id==0 || *zEnd ) die("bad id", argv[1]);
  if( argc==5 ){
    latency = (unsigned)strtoul(argv[4], &zEnd, 10);
    if( latency==0 || *zEnd ) die("bad latency", argv[4]);
  }
  if( mkdir(argv[3], 0755)!=0 && errno!=EEXIST ) die(argv[3], strerror(errno));

  signal(SIGPIPE, SIG_IGN);
#ifndef SD_NODE_WITHOUT_SOFTDELETE
  /* Before dqlite opens any connection. */
  rc = sqlite3_auto_extension((void(*)(void))sqlite3_softdelete_init);
  if( rc!=SQLITE_OK ) die("sqlite3_auto_extension", sqlite3_errstr(rc));
#endif

  /* SIGTERM and SIGINT are waited for below, not delivered. */
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  if( sigprocmask(SIG_BLOCK, &set, 0)!=0 ) die("sigprocmask", strerror(errno));

  rc = dqlite_node_create(id, argv[2], argv[3], &node);
  if( rc ){
    die("dqlite_node_create", node ? dqlite_node_errmsg(node) : "out of memory");
  }
  rc = dqlite_node_set_bind_address(node, argv[2]);
  if( rc ) die("dqlite_node_set_bind_address", dqlite_node_errmsg(node));
  rc = dqlite_node_set_network_latency_ms(node, latency);
  if( rc ) die("dqlite_node_set_network_latency_ms", dqlite_node_errmsg(node));
  rc = dqlite_node_start(node);
  if( rc ) die("dqlite_node_start", dqlite_node_errmsg(node));

  printf("ready %llu %s\n", id, argv[2]);
  fflush(stdout);

  while( sigwait(&set, &sig)!=0 ){}
  rc = dqlite_node_stop(node);
  dqlite_node_destroy(node);
  if( rc ){
    fprintf(stderr, "sd-node: dqlite_node_stop: error %d\n", rc);
    return 1;
  }
  return 0;
}
