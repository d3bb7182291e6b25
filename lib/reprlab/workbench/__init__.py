"""The workbench: command line, papermill runner, parameter contracts, run directories, the
notebook prelude, figures style and the HTML report."""
