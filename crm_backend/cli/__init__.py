"""Command line of the CRM service, one tree for every job: `python -m crm_backend --help`.

python -m crm_backend migrate | seed-demo | token | link-code | create-agent | ...
python -m crm_backend import transactions FILE
python -m crm_backend insights run | conversations
python -m crm_backend transcripts index
python -m crm_backend catalogue lookups OUTPUT
python -m crm_backend annotations export
python -m crm_backend jobs work | retrain
python -m crm_backend kb import DIR | export DIR
"""

import argparse
import logging

from crm_backend.cli import data, insights, kb, shop, training


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m crm_backend", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    shop.add_commands(commands)
    data.add_commands(commands)
    insights.add_commands(commands)
    training.add_commands(commands)
    kb.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=getattr(args, "log_level", logging.INFO), format="%(levelname)s %(name)s: %(message)s")
    return args.handler(args)
