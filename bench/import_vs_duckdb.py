#!/usr/bin/env python3
"""Times `h2h bench import` against DuckDB loading the same generated return.

h2h checks every row (known metric and area, period forms, units, repeats), keeps the file
as received, compares each value with the one held and writes revisions in one transaction.
The peer does the least a database can: DuckDB (from PyPI) reads the same CSV into a table
with the same key, in a database file, and checkpoints it. The ratio says how far the
checking importer is from a bare columnar load on this machine in the same run.

Usage: python3 bench/import_vs_duckdb.py [--rows N] [--h2h target/release/h2h]
Needs: pip install duckdb
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--h2h", default="target/release/h2h")
    args = parser.parse_args()
    try:
        import duckdb
    except ImportError:
        print("DuckDB is not installed: pip install duckdb", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as work:
        csv_path = os.path.join(work, "return.csv")
        run = subprocess.run(
            [args.h2h, "bench", "import", "--rows", str(args.rows), "--keep", csv_path],
            capture_output=True,
            text=True,
            env={**os.environ, "H2H_LOG": "warn"},
        )
        print(run.stdout, end="")
        found = re.search(r"import: (\d+) rows .* in ([0-9.]+) s = (\d+) rows/s", run.stdout)
        if found is None:
            print(run.stderr, file=sys.stderr)
            print("h2h bench import printed no figures", file=sys.stderr)
            return 1
        rows, h2h_s = int(found.group(1)), float(found.group(2))

        database = duckdb.connect(os.path.join(work, "peer.duckdb"))
        started = time.perf_counter()
        database.execute(
            "CREATE TABLE observations (metric_id VARCHAR NOT NULL, area_code VARCHAR NOT NULL, "
            "period VARCHAR NOT NULL, numerator DOUBLE, denominator DOUBLE, "
            "PRIMARY KEY (metric_id, area_code, period))"
        )
        database.execute(
            "INSERT INTO observations SELECT * FROM read_csv(?, header = true, columns = "
            "{'metric_id': 'VARCHAR', 'area_code': 'VARCHAR', 'period': 'VARCHAR', "
            "'numerator': 'DOUBLE', 'denominator': 'DOUBLE'})",
            [csv_path],
        )
        database.execute("CHECKPOINT")
        duckdb_s = time.perf_counter() - started
        stored = database.execute("SELECT count(*) FROM observations").fetchone()[0]
        database.close()
        if stored != rows:
            print(f"DuckDB stored {stored} rows of {rows}", file=sys.stderr)
            return 1

    print(
        f"rows={rows} h2h_s={h2h_s:.2f} h2h_rows_per_s={rows / h2h_s:.0f} "
        f"duckdb_s={duckdb_s:.2f} ratio={duckdb_s / h2h_s:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
