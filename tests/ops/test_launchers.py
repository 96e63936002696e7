"""The launchers take their secrets from the environment, never from the command line."""

import pytest

from actions.settings import load_server_settings
from bot.launch import rasa_argv

TOKEN = "-starts-with-a-dash-0123456789abcdef"


@pytest.mark.attack("secrets_in_argv_and_logs")
def test_rasa_gets_the_api_token_in_process_and_refuses_it_on_the_command_line():
    args = ["run", "--model", "m.tar.gz", "--enable-api", "--port", "5005"]
    assert rasa_argv(args, {"RASA_API_TOKEN": TOKEN}) == ["rasa", *args, f"--auth-token={TOKEN}"]
    assert rasa_argv(["run", "--port", "5005"], {"RASA_API_TOKEN": TOKEN}) == ["rasa", "run", "--port", "5005"]
    with pytest.raises(SystemExit, match="RASA_API_TOKEN"):
        rasa_argv(args, {})
    for given in (["--auth-token", TOKEN], [f"--auth-token={TOKEN}"]):
        with pytest.raises(SystemExit, match="not on the command line"):
            rasa_argv([*args, *given], {"RASA_API_TOKEN": TOKEN})


def test_the_action_server_binds_loopback_unless_told_and_needs_a_long_token(monkeypatch):
    monkeypatch.delenv("ACTION_SERVER_HOST", raising=False)
    monkeypatch.setenv("ACTION_SERVER_TOKEN", TOKEN)
    assert load_server_settings().host == "127.0.0.1" and load_server_settings().token == TOKEN
    monkeypatch.setenv("ACTION_SERVER_HOST", "0.0.0.0")
    assert load_server_settings().host == "0.0.0.0"
    for short in ("", "too-short"):
        monkeypatch.setenv("ACTION_SERVER_TOKEN", short)
        with pytest.raises(RuntimeError, match="ACTION_SERVER_TOKEN"):
            load_server_settings()
