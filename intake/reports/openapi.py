"""The API contract, published at /api/v1/openapi.json; codes come from the same tables as validation."""

from __future__ import annotations

from typing import Any

from intake.i18n import LANGUAGES
from intake.reports.forms import (
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    EARLIEST_INCIDENT,
    MAX_SUSPECTS,
    NAME_MAX,
)
from intake.reports.identifiers import MAX_VALUE_LENGTH
from intake.reports.models import ReportStatus, SuspectKind
from intake.reports.uploads import evidence_limits
from intake.taxonomy import CATEGORIES, REGIONS

_ERRORS = {
    "type": "object",
    "properties": {
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
    },
    "required": ["errors"],
}
_LABELS = {"type": "object", "properties": {lang: {"type": "string"} for lang in LANGUAGES}}


def _report_fields(multipart: bool) -> dict[str, Any]:
    suspect = {
        "type": "object",
        "properties": {
            "kind": {"enum": [k.value for k in SuspectKind]},
            "value": {"type": "string", "maxLength": MAX_VALUE_LENGTH},
        },
        "required": ["kind", "value"],
    }
    properties: dict[str, Any] = {
        "category": {"enum": [c.code for c in CATEGORIES]},
        "incident_date": {
            "type": "string",
            "format": "date",
            "description": f"Not in the future, not before {EARLIEST_INCIDENT.year}.",
        },
        "description": {"type": "string", "minLength": DESCRIPTION_MIN, "maxLength": DESCRIPTION_MAX},
        "region": {"enum": [r.code for r in REGIONS]},
        "loss_amount": {"type": ["number", "string"], "description": "At least 0, two decimals at most."},
        "loss_currency": {"type": "string", "pattern": "^[A-Z]{3}$", "default": "MAD"},
        "anonymous": {"type": "boolean", "default": False},
        "reporter_name": {"type": "string", "maxLength": NAME_MAX},
        "reporter_email": {"type": "string", "format": "email"},
        "reporter_phone": {"type": "string", "description": "Read as Moroccan without a country code."},
        "consent": {"type": "boolean", "const": True, "description": "JSON true; strings are refused."},
        "notify": {
            "type": "boolean",
            "default": False,
            "description": "Tell the reporter by e-mail when there is news (needs reporter_email; not with "
            "anonymous). The message holds the reference and a link, nothing else.",
        },
        "notify_sms": {
            "type": "boolean",
            "default": False,
            "description": "The same by SMS (needs reporter_phone; not with anonymous).",
        },
        "language": {
            "enum": list(LANGUAGES),
            "description": "Language of the error messages and of the report.",
        },
    }
    if multipart:
        limits = evidence_limits()
        properties["suspects-0-kind"] = {
            "enum": [k.value for k in SuspectKind],
            "description": f"Rows suspects-0 to suspects-{MAX_SUSPECTS - 1}.",
        }
        properties["suspects-0-value"] = {"type": "string"}
        properties["evidence"] = {
            "type": "array",
            "maxItems": limits["files"],
            "items": {"type": "string", "format": "binary"},
            "description": "PNG, JPEG, PDF, plain text, EML or MP4 (detected from the content); "
            f"{limits['file_mb']} MiB each, {limits['total_mb']} MiB in total. "
            "Refused for child_sexual_exploitation, which takes `url` identifiers only.",
        }
    else:
        properties["suspects"] = {"type": "array", "items": suspect, "maxItems": MAX_SUSPECTS}
    return {
        "type": "object",
        "properties": properties,
        "required": ["category", "incident_date", "description", "consent"],
    }


def openapi_document() -> dict[str, Any]:
    status_enum = {"enum": [s.value for s in ReportStatus]}
    listing = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "label": _LABELS, "urgent": {"type": "boolean"}},
        },
    }
    tracked = {
        "type": "object",
        "properties": {
            "reference": {"type": "string", "pattern": "^BLG-[0-9A-Z]{4}-[0-9A-Z]{4}$"},
            "status": status_enum,
            "history": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "status": status_enum,
                        "at": {"type": "string", "format": "date-time"},
                        "note": {"type": ["string", "null"]},
                    },
                },
            },
            "messages": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "author": {"enum": ["officer", "citizen"]},
                        "body": {"type": "string"},
                        "at": {"type": "string", "format": "date-time"},
                    },
                },
            },
            "erased_at": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "When the personal data were erased (retention or the citizen's request).",
            },
        },
        "required": ["reference", "status", "history", "messages", "erased_at"],
    }

    def json(schema: dict[str, Any], description: str) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Blagh report intake API",
            "version": "1.0.0",
            "description": "File a cybercrime report and follow its status with the reference and the receipt.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/categories": {
                "get": {
                    "summary": "Report categories",
                    "responses": {"200": json(listing, "The 16 categories")},
                }
            },
            "/regions": {
                "get": {
                    "summary": "Regions of Morocco, and abroad",
                    "responses": {"200": json(listing, "The 13 regions")},
                }
            },
            "/reports": {
                "post": {
                    "summary": "File a report",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": _report_fields(multipart=False)},
                            "multipart/form-data": {"schema": _report_fields(multipart=True)},
                        },
                    },
                    "responses": {
                        "201": json(
                            {
                                "type": "object",
                                "properties": {
                                    "reference": {"type": "string"},
                                    "receipt": {
                                        "type": "string",
                                        "description": "Shown once; keep it secret.",
                                    },
                                    "status": status_enum,
                                },
                                "required": ["reference", "receipt", "status"],
                            },
                            "Report accepted and stored",
                        ),
                        "400": json(_ERRORS, "The body is not a JSON object"),
                        "413": json(_ERRORS, "Evidence over the size limits"),
                        "415": json(_ERRORS, "Neither JSON nor multipart"),
                        "422": json(_ERRORS, "Validation errors, per field, in the asker's language"),
                        "429": json(_ERRORS, "Too many reports from this address"),
                        "503": json(_ERRORS, "The evidence store is down: nothing was filed (Retry-After)"),
                    },
                }
            },
            "/reports/{reference}/status": {
                "get": {
                    "summary": "Follow a report",
                    "parameters": [
                        {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "X-Receipt", "in": "header", "required": True, "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": json(tracked, "The status and its history"),
                        "404": json(_ERRORS, "Unknown reference or wrong receipt (the same answer for both)"),
                        "429": json(_ERRORS, "Too many attempts from this address"),
                    },
                }
            },
        },
    }
