"""The baseline of `submit_ratio`: a bare Flask + SQLAlchemy endpoint that reads a JSON body and
inserts one row, served by gunicorn with the same settings and the same database as the service.

    gunicorn --config gunicorn.conf.py 'benchmarks.bare:create_app()'
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import BigInteger, DateTime, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class BareReport(Base):
    __tablename__ = "bench_bare_reports"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    db.init_app(app)  # the table is made before the server starts (benchmarks.servers)

    @app.post("/bare/reports")
    def insert() -> tuple[object, int]:
        payload = request.get_json()
        row = BareReport(body=str(payload.get("description", "")), created_at=datetime.now(UTC))
        db.session.add(row)
        db.session.flush()  # INSERT … RETURNING id
        row_id = row.id
        db.session.commit()
        return jsonify(id=row_id), 201

    return app
