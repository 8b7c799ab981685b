"""Rewrite one benchmark's table in the README, between its markers ``<!-- NAME table: written by
benchmarks/NAME/run -->`` and ``<!-- end of NAME table -->``. Used by the load and volume runs (as root,
without frappe): ``python3 benchmarks/readme_table.py README.md NAME TABLE_FILE``."""

import sys
from pathlib import Path


def replace_table(readme: Path, name: str, table: str) -> None:
	start, end = f"<!-- {name} table: written by benchmarks/{name}/run -->", f"<!-- end of {name} table -->"
	head, rest = readme.read_text().split(start, 1)
	readme.write_text(head + start + "\n" + table + end + rest.split(end, 1)[1])


if __name__ == "__main__":
	readme, name, table = sys.argv[1:]
	replace_table(Path(readme), name, Path(table).read_text())
