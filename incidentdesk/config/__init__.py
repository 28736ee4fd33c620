"""incidentdesk.toml as one typed schema, read and validated once when a command starts.

    schema.py     the root: one field per section
    general.py, database.py, console.py, keys.py, priority.py, sla.py, ingest.py, audit.py, pir.py
                  one module per section (a msgspec Struct: unknown keys refused, frozen)
    base.py       what a section is made of, and the helpers its checks use
    errors.py     msgspec's errors as one line each, in the file's words (all of them)
    load.py       reading the file (its safety, TOML), `load_config`, `ConfigError`
    effective.py  `Config`: the validated file as the domain objects the services use
    show.py       `config show`: the effective config as TOML, secrets masked
    reference.py  the README's table of every key, generated from the schema
    paths.py      where the files live (light: no msgspec)

To add a section, see schema.py's docstring: one module, one line in Schema.
"""

from incidentdesk.config.effective import Config, plain
from incidentdesk.config.load import (
    ConfigError, load_config, parse_config, read_toml, resolve_database_url, warn_if_secrets_exposed,
)
from incidentdesk.config.paths import (
    APP, ENV_CONFIG, ENV_DB, config_dir, config_path, data_dir, default_database_path, default_database_url,
    machine_time_zone,
)

__all__ = [
    "APP", "ENV_CONFIG", "ENV_DB", "Config", "ConfigError", "config_dir", "config_path", "data_dir",
    "default_database_path", "default_database_url", "load_config", "machine_time_zone", "parse_config", "plain",
    "read_toml", "resolve_database_url", "warn_if_secrets_exposed",
]
