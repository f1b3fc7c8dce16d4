"""Report categories and regions: the codes are a contract (API, exports, tests); labels are ours.

See ../shared/reference/taxonomy.md. Every label, help text and piece of advice is a lazy string so
that one definition serves the three catalogues.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Category:
    code: str
    label: LazyString
    help: LazyString
    advice: LazyString
    urgent: bool = False
    evidence_allowed: bool = True

    @property
    def links_only(self) -> bool:
        """A category that refuses files takes links as its only identifiers (child sexual exploitation)."""
        return not self.evidence_allowed


CATEGORIES: tuple[Category, ...] = (
    Category(
        "online_shopping_fraud",
        _l("Online shopping fraud"),
        _l(
            "You paid for something that never came, or sold something and were never paid: fake shops, classified-ad scams."
        ),
        _l(
            "Call your bank now to block or dispute the payment. Keep the ad, the messages and the payment receipt."
        ),
    ),
    Category(
        "investment_fraud",
        _l("Investment fraud"),
        _l("A fake trading platform, a crypto scheme or a promise of high returns."),
        _l(
            "Send no more money, even to unlock a withdrawal. Keep the platform's address, the transfers and the messages."
        ),
    ),
    Category(
        "romance_advance_fee_fraud",
        _l("Romance or advance-fee scam"),
        _l(
            "Someone met online asked for money: a romance, a lottery win, an inheritance or a fee to pay first."
        ),
        _l(
            "Stop sending money, whatever the reason given. Keep the conversations and the transfer receipts."
        ),
    ),
    Category(
        "phishing_impersonation",
        _l("Phishing or impersonation"),
        _l("A fake message or call from a bank, an administration, a delivery company or technical support."),
        _l(
            "If you gave a password or a card number, change the password and call your bank now. Do not open any more links from that message."
        ),
    ),
    Category(
        "account_takeover",
        _l("Hacked account or identity theft"),
        _l("Someone took over your account or your SIM card, or is using your identity."),
        _l(
            "Change your passwords, turn on two-step verification and warn your contacts. Call your phone operator if your SIM card stopped working."
        ),
    ),
    Category(
        "sextortion",
        _l("Sexual blackmail (sextortion)"),
        _l("Someone threatens to share intimate images of you, real or fake, unless you pay or obey."),
        _l(
            "Do not pay and send nothing more. Keep the conversation and take screenshots, then block the account. You are not to blame."
        ),
        urgent=True,
    ),
    Category(
        "intimate_image_abuse",
        _l("Intimate images shared without consent"),
        _l("Intimate images of you were shared, or someone threatens to share them."),
        _l(
            "Keep the links and screenshots, then ask the platform to remove the content. You are not to blame."
        ),
        urgent=True,
    ),
    Category(
        "child_sexual_exploitation",
        _l("Sexual exploitation of a child"),
        _l("Child sexual abuse material, grooming, or an adult seeking sexual contact with a minor."),
        _l(
            "Do not download, keep or share the images: give the links only. If a child is in danger now, call the police on 19."
        ),
        urgent=True,
        evidence_allowed=False,
    ),
    Category(
        "ransomware_malware",
        _l("Ransomware or malware"),
        _l("Files locked for a ransom, a virus, or an intrusion into a device or a network."),
        _l(
            "Disconnect the device from the network but do not switch it off. Do not pay the ransom. Keep the ransom note."
        ),
    ),
    Category(
        "harassment_stalking",
        _l("Cyber-harassment or stalking"),
        _l("Repeated harassment, being followed online, or your personal details published."),
        _l("Do not answer the harasser. Keep the messages with their dates, then block the accounts."),
    ),
    Category(
        "threats_violence",
        _l("Threats or incitement to violence"),
        _l("Threats against someone's life or safety, incitement to violence, or an announced suicide."),
        _l("If someone is in danger now, call the police on 19 or the gendarmerie on 177 right away."),
        urgent=True,
    ),
    Category(
        "terrorism",
        _l("Terrorism"),
        _l("Content that praises or incites terrorism."),
        _l("Do not share the content, even to denounce it. Keep the link and the date you saw it."),
        urgent=True,
    ),
    Category(
        "hate_speech",
        _l("Hate speech"),
        _l("Content that spreads hatred or discrimination against people."),
        _l("Keep the link and a screenshot, then report the content to the platform."),
    ),
    Category(
        "defamation",
        _l("Defamation or insults"),
        _l("False statements that harm your reputation, or insults in public."),
        _l("Keep the link, a screenshot and the date of publication."),
    ),
    Category(
        "illicit_trade",
        _l("Illicit online trade"),
        _l("Online sale of drugs, medicines, weapons or counterfeit goods."),
        _l("Do not buy or pay anything. Keep the link to the offer and the seller's details."),
    ),
    Category(
        "data_breach_other",
        _l("Data breach or something else"),
        _l("A leak of personal data, or anything that fits none of the other categories."),
        _l("Change any password that may have leaked. Keep every message and document about it."),
    ),
)

CATEGORY_BY_CODE = {category.code: category for category in CATEGORIES}


@dataclass(frozen=True)
class Region:
    code: str
    label: LazyString


REGIONS: tuple[Region, ...] = (
    Region("tanger_tetouan_al_hoceima", _l("Tanger-Tetouan-Al Hoceima")),
    Region("oriental", _l("Oriental")),
    Region("fes_meknes", _l("Fez-Meknes")),
    Region("rabat_sale_kenitra", _l("Rabat-Sale-Kenitra")),
    Region("beni_mellal_khenifra", _l("Beni Mellal-Khenifra")),
    Region("casablanca_settat", _l("Casablanca-Settat")),
    Region("marrakech_safi", _l("Marrakesh-Safi")),
    Region("draa_tafilalet", _l("Draa-Tafilalet")),
    Region("souss_massa", _l("Souss-Massa")),
    Region("guelmim_oued_noun", _l("Guelmim-Oued Noun")),
    Region("laayoune_sakia_el_hamra", _l("Laayoune-Sakia El Hamra")),
    Region("dakhla_oued_ed_dahab", _l("Dakhla-Oued Ed-Dahab")),
    Region("abroad", _l("Outside Morocco")),
)

REGION_BY_CODE = {region.code: region for region in REGIONS}

# Shown on the form and the confirmation page for urgent categories.
EMERGENCY_NUMBERS: tuple[tuple[LazyString, str], ...] = (
    (_l("Police"), "19"),
    (_l("Royal Gendarmerie"), "177"),
    (_l("Ambulance and civil protection"), "15"),
    (_l("Emergency number from a mobile phone"), "112"),
)
