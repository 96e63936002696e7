"""What the command modules share."""

import logging


def group(commands, name: str, help_text: str):
    """A command with subcommands of its own (`python -m crm_backend insights run`)."""
    parser = commands.add_parser(name, help=help_text, description=help_text)
    return parser.add_subparsers(dest=f"{name}_command", required=True, metavar="COMMAND")


def quiet(parser) -> None:
    """Commands with their own output log only warnings."""
    parser.set_defaults(log_level=logging.WARNING)
