"""Start the Rasa server with its API token from the environment, never on the command line.

`rasa run --auth-token=...` shows the token to anyone on the host (`ps`, /proc/<pid>/cmdline)
and to the run log. This launcher takes the other arguments as given, adds the token from
RASA_API_TOKEN to Rasa's own argument list inside this process, and calls Rasa's entry point.

Usage (in Rasa's environment): python -m bot.launch run --model ... --enable-api [...]
"""

import os
import sys

TOKEN_VARIABLE = "RASA_API_TOKEN"


def rasa_argv(args: list[str], environ: dict[str, str]) -> list[str]:
    """Rasa's argv: `args`, plus `--auth-token` when the HTTP API is enabled."""
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in args):
        raise SystemExit("error: pass the API token in RASA_API_TOKEN, not on the command line")
    if "--enable-api" not in args:
        return ["rasa", *args]
    token = environ.get(TOKEN_VARIABLE, "")
    if not token:
        raise SystemExit(f"error: --enable-api needs {TOKEN_VARIABLE} in the environment")
    # One argument: a random token may start with "-", which argparse takes for an option.
    return ["rasa", *args, f"--auth-token={token}"]


def main() -> None:
    sys.argv = rasa_argv(sys.argv[1:], dict(os.environ))
    from rasa.__main__ import main as rasa_main  # imported late: it takes seconds

    rasa_main()


if __name__ == "__main__":
    main()
