"""Build the softdelete Python package.

The package ships the SQLite extension compiled from the repository's C
sources, as a plain shared library (not a CPython extension module: it is
not linked against libpython nor against libsqlite3; it reaches SQLite
through the sqlite3_api pointer that sqlite3_load_extension() hands it).

Where the C sources come from, first found wins:
  csrc/ext/*.c, csrc/VERSION     building from an sdist: `setup.py sdist`
                                 copies them there (never present in the
                                 repository)
  ../../ext/*.c, ../../VERSION   building from the repository (pip 21.3+
                                 builds a local folder in place, so these
                                 are found)

Nothing is downloaded. Environment: CC (default: cc), CFLAGS (default:
-O2), CPPFLAGS, LDFLAGS, like the Makefile; SOFTDELETE_NO_PRELOAD=1 skips
the LD_PRELOAD shim.
"""
import glob
import os
import shlex
import shutil
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.develop import develop
from setuptools.command.sdist import sdist
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
CSRC = os.path.join(HERE, "csrc")


def source_root():
    """The folder holding ext/*.c and VERSION: the repository or csrc/."""
    for root in (CSRC, REPO):
        if glob.glob(os.path.join(root, "ext", "*.c")) and \
                os.path.isfile(os.path.join(root, "VERSION")):
            return root
    sys.exit("softdelete: C sources not found in %s/ext nor in %s/ext; build "
             "from the repository's bindings/python folder or from an sdist "
             "made there" % (REPO, CSRC))


def read_version():
    with open(os.path.join(source_root(), "VERSION")) as f:
        return f.read().strip()


def library_name():
    if sys.platform == "win32":
        return "softdelete.dll"
    if sys.platform == "darwin":
        return "softdelete.dylib"
    return "softdelete.so"


def env_flags(name, default=""):
    return shlex.split(os.environ.get(name, default))


def start(cmd):
    """Start a compiler command, echoed like make does."""
    print(" ".join(shlex.quote(c) for c in cmd), flush=True)
    return subprocess.Popen(cmd)


class BinaryDistribution(Distribution):
    """Holds a compiled library: platform-specific wheel, installed in
    platlib."""

    def has_ext_modules(self):
        return True


class build_py_with_lib(build_py):
    """build_py, then compile softdelete.so (and, on Linux, the LD_PRELOAD
    shim) into the built package (or into the source package for an
    editable install)."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            outdir = os.path.join(HERE, "softdelete")
        else:
            outdir = os.path.join(self.build_lib, "softdelete")
        os.makedirs(outdir, exist_ok=True)
        build_libraries(outdir)

    def get_outputs(self, include_bytecode=1):
        outdir = os.path.join(self.build_lib, "softdelete")
        extra = [os.path.join(outdir, library_name())]
        if sys.platform.startswith("linux") and \
                os.path.exists(os.path.join(outdir, PRELOAD)):
            extra.append(os.path.join(outdir, PRELOAD))
        return super().get_outputs(include_bytecode) + extra


PRELOAD = "libsoftdelete_preload.so"


def build_libraries(outdir):
    root = source_root()
    version = read_version()
    sources = sorted(glob.glob(os.path.join(root, "ext", "*.c")))
    cc = env_flags("CC", "cc")
    # The Makefile's flags for $(LIB); never -lsqlite3.
    cflags = (["-std=c11", "-Wall", "-Wextra"] + env_flags("CPPFLAGS")
              + env_flags("CFLAGS", "-O2")
              + ['-DSD_VERSION="%s"' % version])
    ldflags = env_flags("LDFLAGS")
    lib = os.path.join(outdir, library_name())
    if sys.platform == "win32":      # MinGW gcc; MSVC is not supported
        shared = ["-shared", os.path.join(root, "softdelete.def")]
        pic = []
    elif sys.platform == "darwin":
        shared, pic = ["-dynamiclib"], ["-fPIC"]
    else:
        shared, pic = ["-shared", "-Wl,-z,defs"], ["-fPIC"]
    try:
        main = start(cc + cflags + pic + ["-o", lib] + sources + shared
                     + ldflags)
    except OSError as e:
        sys.exit("softdelete: cannot run the C compiler %r: %s (set CC, or "
                 "on Debian: apt-get install gcc libsqlite3-dev)" % (cc[0], e))

    # The LD_PRELOAD shim (Linux only), compiled meanwhile: the extension
    # with -DSQLITE_CORE, its symbols hidden so that they cannot interpose
    # on a softdelete.so loaded later, linked with the system's libsqlite3.
    shim, shim_proc, shim_error = None, None, None
    if sys.platform.startswith("linux") and \
            os.environ.get("SOFTDELETE_NO_PRELOAD") != "1":
        shim = os.path.join(outdir, PRELOAD)
        if os.path.exists(shim):
            os.remove(shim)          # no stale shim if this build fails
        try:
            shim_proc = start(cc + cflags + pic + [
                "-fvisibility=hidden", "-DSQLITE_CORE", "-shared", "-o", shim,
                os.path.join(HERE, "preload.c")] + sources + ldflags
                + ["-lsqlite3", "-lm"])
        except OSError as e:
            shim_error = e
    if main.wait() != 0:
        if shim_proc:
            shim_proc.wait()
        sys.exit("softdelete: compiling %s failed (exit status %d); it needs "
                 "a C compiler (CC, default cc) and sqlite3ext.h (Debian: "
                 "apt-get install gcc libsqlite3-dev)"
                 % (library_name(), main.returncode))
    built = [lib]
    if shim_proc and shim_proc.wait() == 0:
        built.append(shim)
    elif shim:
        # softdelete.load() does not need it: warn, do not fail.
        print("softdelete: WARNING: the LD_PRELOAD shim %s was not built (%s);"
              " is libsqlite3-dev installed?" % (PRELOAD, shim_error or
              "exit status %d" % shim_proc.returncode), file=sys.stderr)
    return built


class sdist_with_sources(sdist):
    """Copy the C sources into the sdist (csrc/), where the sdist's
    setup.py finds them."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        root = source_root()
        dest = os.path.join(base_dir, "csrc")
        os.makedirs(os.path.join(dest, "ext"), exist_ok=True)
        for f in glob.glob(os.path.join(root, "ext", "*.[ch]")):
            shutil.copy2(f, os.path.join(dest, "ext"))
        for f in ("VERSION", "softdelete.def", "LICENSE"):
            if os.path.isfile(os.path.join(root, f)):
                shutil.copy2(os.path.join(root, f), dest)


class develop_with_lib(develop):
    """Legacy editable install (pip install -e without a wheel package):
    compile the libraries into the source package folder."""

    def run(self):
        if not getattr(self, "uninstall", False):
            build_libraries(os.path.join(HERE, "softdelete"))
        super().run()


cmdclass = {"build_py": build_py_with_lib, "sdist": sdist_with_sources,
            "develop": develop_with_lib}

try:
    from wheel.bdist_wheel import bdist_wheel
except ImportError:      # no wheel package: pip installs with setup.py install
    pass
else:
    class bdist_wheel_any_python(bdist_wheel):
        """The libraries do not depend on the Python version or ABI: tag
        the wheel py3-none-<platform>."""

        def get_tag(self):
            return ("py3", "none") + tuple(super().get_tag()[2:])

    cmdclass["bdist_wheel"] = bdist_wheel_any_python


def long_description():
    with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
        return f.read()


setup(
    name="softdelete",
    version=read_version(),
    description="Soft deletion for SQLite: loads the softdelete extension "
                "into sqlite3 connections",
    long_description=long_description(),
    long_description_content_type="text/markdown",
    packages=["softdelete"],
    python_requires=">=3.7",
    zip_safe=False,
    distclass=BinaryDistribution,
    cmdclass=cmdclass,
)
