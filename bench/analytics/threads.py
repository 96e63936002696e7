"""Run a benchmark's `main` under a BLAS/OpenMP thread limit (`--threads N`, default 1).

On 2 shared cores, gradient boosting slowed down badly with two threads; one is the default.
The limit is read before `main` parses its other arguments.
"""

import sys
from collections.abc import Callable

from threadpoolctl import threadpool_limits


def run_with_thread_limit(main: Callable[[], None]) -> None:
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1
    with threadpool_limits(limits=threads):
        main()
