"""python -m softdelete [--preload]: print the path of the extension
(loadable_path()) or of the LD_PRELOAD shim (preload_path())."""
import sys

from . import loadable_path, preload_path


def main(argv):
    if argv in ([], ["--loadable"]):
        print(loadable_path())
    elif argv == ["--preload"]:
        try:
            print(preload_path())
        except FileNotFoundError as e:
            print("softdelete: %s" % e, file=sys.stderr)
            return 1
    else:
        print("usage: python -m softdelete [--loadable | --preload]",
              file=sys.stderr)
        return 2
    return 0


sys.exit(main(sys.argv[1:]))
