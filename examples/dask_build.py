"""Parse a corpus with Dask and write the same tables Parquet as ``xxgk build``.

    pip install -e '.[dask]'      # dask[bag]
    python examples/dask_build.py --corpus DIR --out OUT [--workers 2] [--compare build/tables.parquet]

Each report is parsed by ``toolkit.loaders._parse_path`` (the worker ``xxgk
build`` uses) in a ``dask.bag`` on the local multiprocessing scheduler (or on a
``distributed.LocalCluster`` when ``distributed`` is installed and
``--distributed`` is given).  The parsed reports are then turned into the tidy
tables frame by the function ``load_tables`` itself uses, so the Parquet is the same
as the one ``xxgk build`` writes; with ``--compare`` the two are checked for
equality with pandas.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def parse_with_dask(root: Path, workers: int, distributed: bool = False):
    """(metadata dict, Report or None, error or None) per listed report, as parse_corpus returns."""
    import dask
    import dask.bag as db

    from toolkit import loaders
    from toolkit.metadata import read_metadata

    frame = read_metadata(root)
    metas = [{k: loaders._none(v) for k, v in row.items()} for row in frame.to_dict("records")]
    paths = [str(root / m["file"]) for m in metas if m.get("file")]
    bag = db.from_sequence(paths, npartitions=max(1, min(len(paths), workers * 8)))
    if distributed:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True) as cluster, Client(cluster):
            outcomes = bag.map(loaders._parse_path).compute()
    else:
        with dask.config.set(scheduler="processes", num_workers=workers):
            outcomes = bag.map(loaders._parse_path).compute()
    by_path = dict(zip(paths, outcomes))
    results = []
    for meta in metas:
        if not meta.get("file"):
            results.append((meta, None, f"{meta.get('report_id')}: metadata.csv lists no file"))
            continue
        status, payload = by_path[str(root / meta["file"])]
        if status == "ok":
            results.append((meta, loaders._apply_metadata(meta, payload), None))
        else:
            results.append((meta, None, f"{root / meta['file']}: {payload}"))
    return results


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", help="corpus folder (default: $XXGK_CORPUS or the shipped corpus/)")
    p.add_argument("--out", required=True, help="output folder for tables.parquet")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--distributed", action="store_true", help="use distributed.LocalCluster")
    p.add_argument("--compare", help="a tables.parquet written by xxgk build to compare with")
    args = p.parse_args(argv)

    import pandas as pd

    from toolkit import loaders

    root = loaders.corpus_dir(args.corpus)
    out = Path(args.out).resolve()
    if out == root or root in out.parents:
        print(f"refusing to write into the corpus folder {root}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    results = parse_with_dask(root, args.workers, args.distributed)
    t_parse = time.perf_counter() - t0
    tables = loaders._tables_frame(results)  # load_tables' own frame builder
    out.mkdir(parents=True, exist_ok=True)
    tables.to_parquet(out / "tables.parquet", index=False)
    errors = sum(r is None for _, r, _ in results)
    print(f"parsed {len(results)} reports ({errors} unreadable) with dask, {args.workers} workers, "
          f"in {t_parse:.1f} s; wrote {len(tables):,} rows to {out / 'tables.parquet'} "
          f"({time.perf_counter() - t0:.1f} s in all)")
    if args.compare:
        if not Path(args.compare).is_file():
            print(f"{args.compare}: not found (run xxgk build first)", file=sys.stderr)
            return 2
        mine = pd.read_parquet(out / "tables.parquet")
        theirs = pd.read_parquet(args.compare)
        try:
            pd.testing.assert_frame_equal(mine, theirs)
        except AssertionError as exc:
            print(f"DIFFERENT from {args.compare}: {exc}")
            return 1
        print(f"identical to {args.compare} (pandas.testing.assert_frame_equal)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
