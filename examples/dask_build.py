"""Parse a corpus with Dask and write the same tables Parquet as ``xxgk build``.

    pip install -e '.[dask]'      # dask[bag]
    python examples/dask_build.py --corpus DIR --out OUT [--workers 2] [--compare BUILD/tables.parquet]

Each report is parsed by :func:`toolkit.data.workers.parse_path` (the worker
``xxgk build`` uses) in a ``dask.bag`` on the local multiprocessing scheduler (or
on a ``distributed.LocalCluster`` when ``distributed`` is installed and
``--distributed`` is given).  The parsed reports are then turned into the tidy
tables frame by :func:`toolkit.data.frames.tables_frame`, the builder
``load_tables`` itself uses, so the Parquet is the same as the one ``xxgk build``
writes; with ``--compare`` the two are checked for equality with pandas.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def parse_with_dask(root: Path, workers: int, distributed: bool = False):
    """One :class:`toolkit.data.frames.ReportRecord` per listed report, as parse_corpus returns."""
    import dask
    import dask.bag as db

    from toolkit.corpus import MetadataError, metadata_records, resolve_report_path
    from toolkit.data.frames import ReportRecord, apply_metadata
    from toolkit.data.workers import parse_path

    metas = metadata_records(root)
    paths: dict[str, str] = {}
    for meta in metas:
        try:
            paths[meta["report_id"]] = str(resolve_report_path(root, meta.get("file") or ""))
        except MetadataError:
            pass
    bag = db.from_sequence(list(paths.values()), npartitions=max(1, min(len(paths), workers * 8)))
    if distributed:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True) as cluster, Client(cluster):
            outcomes = bag.map(parse_path).compute()
    else:
        with dask.config.set(scheduler="processes", num_workers=workers):
            outcomes = bag.map(parse_path).compute()
    by_path = dict(zip(paths.values(), outcomes))
    results = []
    for meta in metas:
        path = paths.get(meta["report_id"])
        if path is None:
            results.append(ReportRecord(meta, None, f"{meta['report_id']}: metadata.csv names no file inside the corpus"))
            continue
        outcome = by_path[path]
        if outcome.report is not None:
            results.append(ReportRecord(meta, apply_metadata(meta, outcome.report), None))
        else:
            results.append(ReportRecord(meta, None, f"{path}: {outcome.error}"))
    return results


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", help="corpus folder (default: $XXGK_CORPUS or the shipped corpus)")
    p.add_argument("--out", required=True, help="output folder for tables.parquet")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--distributed", action="store_true", help="use distributed.LocalCluster")
    p.add_argument("--compare", help="a tables.parquet written by xxgk build to compare with")
    args = p.parse_args(argv)

    import pandas as pd

    from toolkit.corpus import corpus_dir
    from toolkit.fileio import OutputInCorpus, outside_corpus
    from toolkit.data.frames import tables_frame

    root = corpus_dir(args.corpus)
    try:
        out = outside_corpus(args.out, root)  # the one check every xxgk command makes
    except OutputInCorpus as exc:
        print(exc, file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    results = parse_with_dask(root, args.workers, args.distributed)
    t_parse = time.perf_counter() - t0
    tables = tables_frame(results)  # load_tables' own frame builder
    out.mkdir(parents=True, exist_ok=True)
    tables.to_parquet(out / "tables.parquet", index=False)
    errors = sum(r.report is None for r in results)
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
