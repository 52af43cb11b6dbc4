#!/usr/bin/env python3
"""Times h2h's client-level records against DuckDB on the same generated extract.

Generates an extract of --referrals N for every local authority of England and Wales over ten
financial years (`h2h generate records`), then times, each as its own process on a fresh SQLite
store: `h2h import records` (read and check every row, encode, store in one transaction) and
`h2h scorecard grid` (every measure for every local authority and quarter; its own figure for
the computation, without loading the stored extract). In the same run DuckDB (from PyPI) reads
the same CSV files and computes the same figures with the SQL of `bench/records_duckdb.py`, and
every figure of both is compared. The last line is

    referrals=N import_rows_per_s=... h2h_scorecard_s=... duckdb_s=... ratio=<duckdb_s / h2h_scorecard_s>

where duckdb_s is DuckDB's query time over tables already loaded (its CSV load is printed
apart, as h2h's load is), so both sides time the computation alone.

Usage: python3 bench/records_vs_duckdb.py [--referrals N] [--seed S] [--h2h target/release/h2h] [--keep DIR]
Needs: pip install duckdb
"""

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import records_duckdb  # noqa: E402

FIRST_FY = 2015


def run(args, env):
    """Runs a command; gives its wall seconds, its peak resident memory (MiB) and its stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out, err = process.communicate()
    wall = time.perf_counter() - started
    # The largest peak of any child so far (ru_maxrss of RUSAGE_CHILDREN): the commands run
    # one after another, so after the import it is the import's (or the generator's) own.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if process.returncode not in (0, 1):
        print(err, file=sys.stderr)
        raise SystemExit(f"{' '.join(args[:4])} failed with exit code {process.returncode}")
    return wall, peak, out, err


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--h2h", default="target/release/h2h")
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temporary one, deleted)")
    args = parser.parse_args()
    try:
        import duckdb
    except ImportError:
        print("DuckDB is not installed: pip install duckdb", file=sys.stderr)
        return 2

    work = args.keep or tempfile.mkdtemp(prefix="h2h-records-bench-")
    os.makedirs(work, exist_ok=True)
    try:
        extract = os.path.join(work, "extract")
        long_csv = os.path.join(work, "long.csv")
        db = os.path.join(work, "h2h.db")
        for path in (db, db + "-wal", db + "-shm"):
            if os.path.exists(path):
                os.remove(path)
        env = {**os.environ, "H2H_LOG": "warn", "H2H_DATABASE_URL": f"sqlite://{db}"}
        cores = os.cpu_count()
        print(f"{args.referrals} referrals, seed {args.seed}, {cores} cores, load {os.getloadavg()[0]:.2f}")

        # A store with its reference data first, so the import's time is the import's.
        run([args.h2h, "areas", "--kind", "country"], env)
        wall, _, out, _ = run([args.h2h, "generate", "records", "--referrals", str(args.referrals),
                               "--seed", str(args.seed), "--out", extract, "--first-year", str(FIRST_FY)], env)
        print(out.strip().splitlines()[-1])

        import_s, import_peak, out, err = run([args.h2h, "import", "records", extract, "--service", "bench"], env)
        print(out, end="")
        saved = re.search(r"saved as version \d+ \((\d+) rows", out)
        if saved is None:
            print(err, file=sys.stderr)
            raise SystemExit("h2h import records printed no row count")
        rows = int(saved.group(1))
        print(f"h2h import: {rows} rows in {import_s:.2f} s = {rows / import_s:.0f} rows/s; peak memory so far {import_peak:.0f} MiB")

        grid_wall, grid_peak, out, _ = run([args.h2h, "scorecard", "grid", "--from", f"{FIRST_FY}/{(FIRST_FY + 1) % 100:02d}-Q1",
                                            "--to", f"{FIRST_FY + 9}/{(FIRST_FY + 10) % 100:02d}-Q4", "--out", long_csv], env)
        figures = dict(re.findall(r"(\w+)=([0-9.]+)", out))
        h2h_s = float(figures["grid_s"])
        print(f"h2h scorecard grid: {figures['areas']} areas x {figures['periods']} quarters, load {figures['load_s']} s, "
              f"computation {h2h_s:.3f} s, long CSV written in {figures['write_s']} s; process {grid_wall:.2f} s; "
              f"peak memory of the h2h processes {grid_peak:.0f} MiB")

        con = duckdb.connect()
        started = time.perf_counter()
        records_duckdb.load(con, extract)
        duck_load_s = time.perf_counter() - started
        started = time.perf_counter()
        records_duckdb.figures(con, FIRST_FY)
        duck_s = time.perf_counter() - started
        duck_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"duckdb {duckdb.__version__}: CSV load {duck_load_s:.2f} s, figures {duck_s:.3f} s; peak memory of this process (DuckDB) {duck_peak:.0f} MiB")
        diff = records_duckdb.compare(con, long_csv)
        if diff:
            print("the figures differ", file=sys.stderr)
            return 1
        print(f"peak memory: h2h {max(import_peak, grid_peak):.0f} MiB, duckdb {duck_peak:.0f} MiB")
        print(f"referrals={args.referrals} import_rows_per_s={rows / import_s:.0f} h2h_scorecard_s={h2h_s:.3f} "
              f"duckdb_s={duck_s:.3f} ratio={duck_s / h2h_s:.2f}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
