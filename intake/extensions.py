"""Unbound extension instances; `create_app` binds them (cookiecutter-flask pattern)."""

import hashlib
import hmac
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so that Alembic can drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# Models subclass `Model`: Flask-SQLAlchemy's db.Model at run time, the typed Base for mypy.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()


def limit_key(*parts: str) -> str:
    """What the limiter counts under: the client's address (and whatever else is given), keyed-hashed
    with SECRET_KEY, so that its store (memory or Redis) holds no address or e-mail."""
    text = "|".join(("rate limit", get_remote_address(), *parts))  # the purpose first: a key of its own
    return hmac.new(current_app.config["SECRET_KEY"].encode(), text.encode(), hashlib.sha256).hexdigest()[:32]


# Anti-automation (ASVS 2.2.1, 11.1.4): limits per client address on the citizen's POSTs and on
# tracking. State lives in Redis when REDIS_URL is set, in memory otherwise.
limiter = Limiter(limit_key)
