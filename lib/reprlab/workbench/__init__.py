"""The workbench: command line, papermill runner, parameter contracts, run directories, the
notebook prelude, figures style and the HTML report."""

import sys


def skip_unused_imports() -> None:
    """For the launcher's and the workers' own processes (never a user's kernel): jsonschema,
    imported by nbformat, imports its optional IRI format checker ``rfc3987_syntax``, which builds
    38 lark grammars (about 1 s of every process that reads a notebook). nbformat never checks
    formats, so the import is made to fail, as if the package were not installed."""
    sys.modules.setdefault("rfc3987_syntax", None)
