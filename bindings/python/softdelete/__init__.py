"""softdelete: soft deletion as a property of a SQLite database.

    import sqlite3, softdelete
    conn = sqlite3.connect("app.db")
    softdelete.load(conn)
    conn.execute("CREATE VIRTUAL TABLE posts USING softdelete(posts_data)")

The package ships the extension compiled at install time from the
repository's C sources (loadable_path()) and, on Linux, a shim for
LD_PRELOAD (preload_path()) for Pythons that cannot load extensions.
"""
import os
import sys

__all__ = ["load", "loadable_path", "preload_path", "LoadingUnavailable"]

_HERE = os.path.dirname(os.path.abspath(__file__))

if sys.platform == "win32":
    _LIB = "softdelete.dll"
elif sys.platform == "darwin":
    _LIB = "softdelete.dylib"
else:
    _LIB = "softdelete.so"
_PRELOAD = "libsoftdelete_preload.so"


class LoadingUnavailable(RuntimeError):
    """This Python's sqlite3 module cannot load extensions."""


def loadable_path():
    """Absolute path of the compiled extension inside the package, with its
    suffix (softdelete.so, .dylib or .dll): what conn.load_extension() and
    SQL load_extension() take (they accept it without the suffix too)."""
    return os.path.join(_HERE, _LIB)


def preload_path():
    """Absolute path of libsoftdelete_preload.so (Linux), for
    LD_PRELOAD=... python3: every connection then has the module, with no
    enable_load_extension needed. FileNotFoundError if it was not built."""
    path = os.path.join(_HERE, _PRELOAD)
    if not os.path.exists(path):
        raise FileNotFoundError(
            "%s was not built (Linux only; it needs libsqlite3-dev at "
            "install time)" % path)
    return path


def _has_module(conn):
    """True if the connection already has the softdelete module (the
    LD_PRELOAD shim, or an earlier load)."""
    try:
        rows = conn.execute("PRAGMA module_list").fetchall()
    except Exception:
        return False
    return any(r[0] == "softdelete" for r in rows)


def _unavailable_message():
    try:
        shim = preload_path()
    except FileNotFoundError:
        shim = "/path/to/libsoftdelete_preload.so"
    return (
        "this Python's sqlite3 module cannot load SQLite extensions: "
        "sqlite3.Connection has no enable_load_extension (%s). Python builds "
        "made without --enable-loadable-sqlite-extensions lack it; pyenv "
        "builds do unless PYTHON_CONFIGURE_OPTS=\"--enable-loadable-sqlite-"
        "extensions\" was set for 'pyenv install'. Either use a Python that "
        "has it (Debian's /usr/bin/python3, or a pyenv "
        "rebuild with that option), or give every connection the extension "
        "with the LD_PRELOAD shim: LD_PRELOAD=%s python3 ... (then "
        "softdelete.load() finds the module already there and returns)."
        % (sys.executable, shim))


def load(conn):
    """Load the extension into a sqlite3.Connection: enable extension
    loading, load loadable_path(), disable loading again (also on error).

    Load it into every connection that uses a softdelete table; loading it
    twice does nothing. If the Python cannot load extensions, returns when
    the connection already has the module (LD_PRELOAD shim) and raises
    LoadingUnavailable otherwise."""
    enable = getattr(conn, "enable_load_extension", None)
    if enable is None:
        if _has_module(conn):
            return
        raise LoadingUnavailable(_unavailable_message())
    path = loadable_path()
    if not os.path.exists(path):
        raise FileNotFoundError(
            "%s is missing: install the package (pip install "
            "bindings/python) rather than importing it from the source "
            "folder" % path)
    enable(True)
    try:
        conn.load_extension(path)
    finally:
        enable(False)
