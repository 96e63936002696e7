"""SQLite connections of the CRM: foreign keys and the write-ahead log."""

import sqlite3

from sqlalchemy import text

from crm_backend.core.db import make_engine


def test_sqlite_connections_enforce_foreign_keys_and_use_the_write_ahead_log(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'crm.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_a_reader_does_not_wait_for_an_exclusive_writer(tmp_path):
    path = tmp_path / "crm.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")  # with the rollback journal this locks readers out
    writer.execute("INSERT INTO t VALUES (2)")
    try:
        with engine.connect() as reader:
            reader.exec_driver_sql("PRAGMA busy_timeout = 100")
            assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 1
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        engine.dispose()
