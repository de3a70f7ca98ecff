"""Drives the official notifications-python-client, unmodified, against gaap-sandbox.

Usage: python notify_python.py '<first stdout line of gaap sandbox>'
Exits non-zero (with the failed check) when the sandbox and the client disagree.
"""
import json
import sys

from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

SMS = "f33517ff-2a88-4f6e-b855-c550268ce08a"
EMAIL = "0d2f1d4a-9e7c-4c5e-a2f0-7c1b7a0f2b11"
LETTER = "4a6e1b55-3b0c-4f43-9a61-2b6f0d3e7c22"


def check(cond, what):
    if not cond:
        raise SystemExit(f"FAILED: {what}")


def main():
    creds = json.loads(sys.argv[1])["notify"]
    client = NotificationsAPIClient(creds["api_key"], base_url=creds["base_url"])

    sms = client.send_sms_notification("07700900123", SMS, {"code": "4321"}, reference="py-sms")
    check(sms["content"]["body"] == "Your code is 4321", "sms body")
    email = client.send_email_notification(
        "someone@example.gov.uk", EMAIL, {"name": "Ann", "reference number": "R1"}, reference="py-email"
    )
    check(email["content"]["subject"] == "Hello Ann", "email subject")
    letter = client.send_letter_notification(
        LETTER,
        {"name": "Ann", "address_line_1": "Ann Example", "address_line_2": "1 High Street", "postcode": "SW1A 1AA"},
        reference="py-letter",
    )
    check(letter["content"]["subject"] == "Your application", "letter subject")

    got = client.get_notification_by_id(sms["id"])
    check(got["id"] == sms["id"] and got["type"] == "sms" and got["reference"] == "py-sms", "get by id")

    # Pagination: more than one page of 250 through the client's iterator.
    for i in range(260):
        client.send_sms_notification("07700900123", SMS, {"code": str(i)}, reference="page")
    first = client.get_all_notifications(reference="page")
    check(len(first["notifications"]) == 250 and "next" in first["links"], "first page has 250 and a next link")
    everything = list(client.get_all_notifications_iterator(reference="page"))
    check(len(everything) == 260, f"iterator returns all 260 (got {len(everything)})")
    ids = [n["id"] for n in everything]
    check(len(set(ids)) == 260, "no duplicates across pages")

    template = client.get_template(SMS)
    check(template["type"] == "sms" and template["body"] == "Your code is ((code))", "get template")
    version = client.get_template_version(EMAIL, 1)
    check(version["version"] == 1, "template version")
    templates = client.get_all_templates()["templates"]
    check({t["type"] for t in templates} >= {"sms", "email", "letter"}, "list templates")
    check(len(client.get_all_templates("letter")["templates"]) == 1, "list templates by type")
    preview = client.post_template_preview(EMAIL, {"name": "Bo", "reference number": "X"})
    check(preview["subject"] == "Hello Bo" and "X" in preview["body"], "preview")

    texts = client.get_received_texts()
    check(len(texts["received_text_messages"]) >= 1, "received texts")
    check(len(list(client.get_received_texts_iterator())) >= 1, "received texts iterator")

    try:
        client.send_sms_notification("077234", SMS, {"code": "1"})
        check(False, "invalid phone number is refused")
    except HTTPError as e:
        check(e.status_code == 400, f"invalid phone gets 400 (got {e.status_code})")
        check(e.message[0]["message"] == "phone_number Not enough digits", f"Notify's phone message: {e.message}")

    bad_key = creds["api_key"][:-36] + "00000000-0000-0000-0000-000000000000"
    try:
        NotificationsAPIClient(bad_key, base_url=creds["base_url"]).get_all_templates()
        check(False, "bad key is refused")
    except HTTPError as e:
        check(e.status_code == 403, f"bad key gets 403 (got {e.status_code})")
        check(e.message == [{"error": "AuthError", "message": "Invalid token: API key not found"}], str(e.message))
    print("OK notifications-python-client")


if __name__ == "__main__":
    main()
