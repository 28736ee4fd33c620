"""Reading incidentdesk.toml: the file's safety, TOML, the schema, every error as one line.

`load_config` is called once per process, when a command starts (cli.main, before the command
runs; the console and the receiver are commands too). A bad file is a `ConfigError`: one line
per problem, each naming the file, the table and the key; the CLI prints them and exits 2.
"""

from __future__ import annotations

import os
import stat
import sys
import tomllib
from pathlib import Path

from incidentdesk.config.base import SECRET_KEYS
from incidentdesk.config.effective import Config
from incidentdesk.config.paths import config_path
from incidentdesk.domain.errors import ValidationError



class ConfigError(ValidationError):
    """incidentdesk.toml cannot be used: `lines` says why, one problem a line, each naming the file."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines), field="config")
        self.lines = lines


def read_toml(path: Path) -> dict:
    """The file's tables, or ConfigError (missing, a directory, unreadable, writable by others, bad TOML)."""
    from incidentdesk.store.files import who_may

    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise ConfigError([f"{path}: is a directory, not a config file: name the file (incidentdesk.toml)"])
        if st.st_mode & stat.S_IWOTH:
            raise ConfigError([
                f"{path}: refusing to read it: it is {who_may(stat.S_IMODE(st.st_mode) & 0o002)} (mode "
                f"{stat.S_IMODE(st.st_mode):04o}), so anyone could have changed what it says (the database, "
                f"allow_acting_as, ...): run `chmod o-w {path}` and check it"])
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file"]) from None
    except PermissionError:
        raise ConfigError([f"{path}: cannot read it (permission denied)"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read it ({exc.strerror})"]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: is not UTF-8 text; save it as UTF-8"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: is not valid TOML ({exc}); fix the file and retry"]) from None


def parse_config(data: dict, source: str = "incidentdesk.toml") -> Config:
    """Validate `data` (the file's tables) against the schema; every problem as one ConfigError line."""
    from incidentdesk.config.errors import all_errors
    from incidentdesk.config.schema import Schema

    lines, schema = all_errors(data, Schema)
    if lines:
        raise ConfigError([f"{source}: {line}" for line in lines])
    try:
        return Config.from_schema(schema, source)
    except ValidationError as exc:  # a rule across sections the schema's checks do not see
        raise ConfigError([f"{source}: {exc}"]) from None


def load_config(path: Path | None = None, *, required: bool = False) -> Config:
    """The config from `path` (default: INCIDENTDESK_CONFIG, else the user config dir); defaults when
    there is no file (unless `required`)."""
    path = path or config_path()
    if not required and not path.exists() and not path.is_symlink():
        return Config()
    data = read_toml(path)
    warn_if_secrets_exposed(path, data)
    return parse_config(data, str(path))


def _secrets_in(data, where: str = "") -> list[str]:
    """Where `data` holds a secret: a token/password/... value, or a database URL with a password."""
    found = []
    for key, value in (data.items() if isinstance(data, dict) else ()):
        name = f"{where}.{key}" if where else str(key)
        if isinstance(value, dict):
            found += _secrets_in(value, name)
        elif isinstance(value, str) and value and (
                str(key).lower() in SECRET_KEYS or (str(key).lower() == "url" and url_has_password(value))):
            found.append(name)
    return found


def url_has_password(url: str) -> bool:
    authority = url.split("://", 1)[-1].split("/", 1)[0]
    return "@" in authority and ":" in authority.rsplit("@", 1)[0]


def warn_if_secrets_exposed(path: Path, data: dict, stream=None) -> bool:
    """Warn (one line on stderr) when the config holds secrets and others may read it.

    A warning, not a refusal: every command reads this file, and a console that will not start
    helps nobody on call. The tokens are exposed already, so the line says to rotate them too.
    (A file others may *write* is refused outright, by read_toml.)
    """
    from incidentdesk.store.files import loose_bits, who_may

    secrets = _secrets_in(data)
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    bits = loose_bits(mode, 0o600)
    if not secrets or not bits:
        return False
    print(f"incidentdesk: warning: {path} holds secrets ({', '.join(secrets[:3])}) and is {who_may(bits)} "
          f"(mode {stat.S_IMODE(mode):04o}): run `chmod 600 {path}`, and replace the tokens others could read",
          file=stream or sys.stderr)
    return True


def resolve_database_url(cli_url: str | None, config: Config) -> str:
    """--db wins over the environment, which wins over the file, which wins over the default."""
    from incidentdesk.config.paths import ENV_DB, default_database_url

    return cli_url or os.environ.get(ENV_DB) or config.database_url or default_database_url()
