"""Drives the official notifications-python-client through the steps of its own integration suite, against a
gaap-sandbox started with upstream-suites.json, and checks what that suite checks plus the exact values:
the sanitised body, the precompiled PDF's bytes, template history, and the sender and reply-to ids.

Usage: python notify_suite_python.py '<first stdout line of gaap sandbox>' TEAM_API_KEY
"""
import json
import os
import sys
import time
import urllib.request
import uuid

from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

CONFIG = json.load(open(os.path.join(os.path.dirname(__file__), "upstream-suites.json")))["notify"]
SMS, EMAIL, LETTER = (t["id"] for t in CONFIG["templates"])
SENDER = next(s for s in CONFIG["sms_senders"] if not s.get("is_default"))
REPLY_TO = next(r for r in CONFIG["email_reply_to"] if not r.get("is_default"))
PDF = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def check(cond, what):
    if not cond:
        raise SystemExit(f"FAILED: {what}")


def pdf_when_ready(client, notification_id):
    for _ in range(50):
        try:
            return client.get_pdf_for_letter(notification_id).read()
        except HTTPError as e:
            check(e.message[0]["error"] == "PDFNotReadyError", f"only not-ready may be retried: {e.message}")
            time.sleep(0.1)
    raise SystemExit("FAILED: the PDF never became ready")


def main():
    creds = json.loads(sys.argv[1])["notify"]
    base = creds["base_url"]
    client = NotificationsAPIClient(base_url=base, api_key=creds["api_key"])
    team = NotificationsAPIClient(base_url=base, api_key=sys.argv[2])

    name = str(uuid.uuid4())
    sms = team.send_sms_notification("07700900123", SMS, {"name": name}, sms_sender_id=SENDER["id"])
    check(sms["content"]["body"] == f"Hello {name}\n\nFunctional Tests make our world a better place", "sms body")
    check(sms["content"]["from_number"] == "447700900000", f"sender id picks the sender: {sms['content']}")
    check(client.send_sms_notification("07700900123", SMS, {"name": "x"})["content"]["from_number"] == "GOVUK",
          "the default sender")

    email = client.send_email_notification(
        "team@example.gov.uk", EMAIL, {"name": name},
        one_click_unsubscribe_url="https://unsubscribelink.com/unsubscribe",
        email_reply_to_id=REPLY_TO["id"], sanitise_content_for=["name"],
    )
    escaped = name.replace("-", "\\-")
    check(email["content"]["body"] == f"Hello {escaped}\r\n\r\nFunctional test help make our world a better place",
          f"exact sanitised body: {email['content']['body']!r}")
    check(email["sanitised_content"] == {"name": {"unsanitised": name, "sanitised": escaped}}, "sanitised_content")
    unsafe = client.send_email_notification(
        "team@example.gov.uk", EMAIL, {"name": "User, [click here](https://evil.link)"}, sanitise_content_for=["name"]
    )
    check(unsafe["content"]["body"].startswith("Hello User, \\[click here\\]\\(\\)\r\n"), unsafe["content"]["body"])
    outbox = json.load(urllib.request.urlopen(f"{base}/_sandbox/outbox.json"))["notifications"]
    sent = next(n for n in outbox if n["id"] == email["id"])
    check(sent["reply_to"] == REPLY_TO["email_address"], f"reply-to id picks the address: {sent['reply_to']}")
    try:
        client.send_email_notification("team@example.gov.uk", EMAIL, {"name": "x"}, email_reply_to_id=SMS)
        check(False, "an unknown reply-to id is refused")
    except HTTPError as e:
        check(e.status_code == 400 and "does not exist in database" in e.message[0]["message"], str(e.message))

    letter = client.send_letter_notification(
        LETTER, {"address_line_1": name, "address_line_2": "foo", "postcode": "SW1 1AA"}
    )
    check(letter["content"]["body"] == f"Hello {name}", "letter body")
    got = client.get_notification_by_id(letter["id"])
    check([got[f"line_{i}"] for i in range(1, 7)] + [got["postcode"]] == [name, "foo", None, None, None, None,
                                                                           "SW1 1AA"], f"letter lines: {got}")
    import io
    pre = client.send_precompiled_letter_notification(reference=name, pdf_file=io.BytesIO(PDF), postage="first")
    check(pre["reference"] == name and pre["postage"] == "first", "precompiled response")
    check(pdf_when_ready(client, pre["id"]) == PDF, "the PDF served back is the one uploaded, byte for byte")
    check(pdf_when_ready(client, letter["id"]).startswith(b"%PDF"), "a templated letter has a PDF")

    check(client.get_template(SMS)["version"] == 2, "current sms version")
    v1 = client.get_template_version(SMS, 1)
    check(v1["version"] == 1 and v1["name"] == "Example text message template" and v1["subject"] is None,
          f"sms version 1 from history: {v1}")
    check(client.get_template_version(SMS, 2)["name"] == "Client Functional test sms template", "sms version 2")
    letter_v1 = client.get_template_version(LETTER, 1)
    check(letter_v1["name"] == "Untitled" and letter_v1["letter_contact_block"] is None, f"letter v1: {letter_v1}")
    template = client.get_template(EMAIL)
    check(template["personalisation"] == {"name": {"required": True}} and "service" not in template,
          f"template shape: {template}")
    preview = client.post_template_preview(SMS, {"name": name})
    check(name in preview["body"] and preview["subject"] is None, "preview")
    check(len(client.get_all_templates("email")["templates"]) == 1, "templates by type")
    check(len(client.get_received_texts()["received_text_messages"]) > 0, "received texts")
    print("OK notifications-python-client suite steps")


if __name__ == "__main__":
    main()
