"""What the analytics benchmarks share: their common arguments, and `main` run under a
BLAS/OpenMP thread limit (`--threads N`, default 1).

On 2 shared cores, gradient boosting slowed down badly with two threads; one is the default.
The limit is read before `main` parses its other arguments.
"""

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from threadpoolctl import threadpool_limits


def run_with_thread_limit(main: Callable[[], None]) -> None:
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1
    with threadpool_limits(limits=threads):
        main()


def bench_parser(doc: str, out: Path) -> argparse.ArgumentParser:
    """The arguments every analytics benchmark takes: `--out` and `--threads`."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", type=Path, default=out)
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads (the machine is shared)")
    return parser


def parse_for(parser: argparse.ArgumentParser, data: Path) -> argparse.Namespace:
    """Parse the arguments, log to stderr, and stop clearly when the data set is missing."""
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if not data.exists():
        raise SystemExit(f"data set not found: {data} (needs ../shared/datasets)")
    return args
