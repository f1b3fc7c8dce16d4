"""The words of a notification, in the report's language: only that there is news on report
`BLG-…`, and the tracking page's address. Never the description, the question, an officer's name or
the secret code: a mailbox or a phone is often shared, sometimes with the person the report is about."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from intake.i18n import institution_name, text_direction
from intake.notifications.channels import Notice


def tracking_link(public_url: str, language: str) -> str:
    """Built from PUBLIC_URL only, never from the host a request happened to name."""
    return f"{public_url}/{language}/track"


def compose(reference: str, language: str, public_url: str) -> Notice:
    link = tracking_link(public_url, language)
    with force_locale(language):
        signature = institution_name()
        subject = _("News on your report %(reference)s", reference=reference)
        greeting = _("Hello,")
        news = _("There is news on your report %(reference)s.", reference=reference)
        how = _(
            "To read it, open the page below and enter the reference of your report and the secret code you were given when you filed it:"
        )
        automatic = _(
            "This message was sent automatically: do not reply to it. For your safety, it says nothing else about your report."
        )
        mistaken = _("If you did not file a report, ignore this message.")
        short = (
            signature
            + ": "
            + _(
                "There is news on your report %(reference)s. Read it on %(link)s with your secret code.",
                reference=reference,
                link=link,
            )
        )
        text = f"{greeting}\n\n{news}\n\n{how}\n{link}\n\n{automatic}\n{mistaken}\n\n{signature}\n"
        html = current_app.jinja_env.get_template("notifications/news.html").render(
            lang=language,
            text_dir=text_direction(language),
            subject=subject,
            greeting=greeting,
            # the catalogue's words escaped, the reference kept left to right inside Arabic text
            news=escape(_("There is news on your report %(reference)s."))
            % {"reference": Markup('<span dir="ltr">{}</span>').format(reference)},
            how=how,
            link=link,
            automatic=automatic,
            mistaken=mistaken,
            signature=signature,
        )
    return Notice(language=language, subject=subject, text=text, html=html, short=short)
