// Drives the official notifications-node-client through the steps of its own spec/integration suite, against
// a gaap-sandbox started with upstream-suites.json, checking what that suite checks: the exact sanitised body,
// the precompiled PDF's bytes, template history, and the sender and reply-to ids.
// Usage: node notify_suite_node.mjs '<first stdout line of gaap sandbox>' TEAM_API_KEY
import { readFileSync } from "node:fs";
import { NotifyClient } from "notifications-node-client";

const config = JSON.parse(readFileSync(new URL("./upstream-suites.json", import.meta.url))).notify;
const [SMS, EMAIL, LETTER] = config.templates.map((t) => t.id);
const sender = config.sms_senders.find((s) => !s.is_default);
const replyTo = config.email_reply_to.find((r) => !r.is_default);

function check(cond, what) {
  if (!cond) {
    console.error(`FAILED: ${what}`);
    process.exit(1);
  }
}

const creds = JSON.parse(process.argv[2]).notify;
const client = new NotifyClient(creds.base_url, creds.api_key);
const team = new NotifyClient(creds.base_url, process.argv[3]);
const personalisation = { name: "Foo" };
const emailBody = "Hello Foo\r\n\r\nFunctional test help make our world a better place";

const withReply = (await client.sendEmail(EMAIL, "team@example.gov.uk", {
  personalisation, reference: "client-ref", emailReplyToId: replyTo.id,
})).data;
check(withReply.content.body === emailBody && withReply.content.one_click_unsubscribe_url === null, "email body");
const outbox = await (await fetch(`${creds.base_url}/_sandbox/outbox.json`)).json();
check(outbox.notifications.find((n) => n.id === withReply.id).reply_to === replyTo.email_address, "reply-to id");

const unsafeInput = "User, [click here](https://evil.link)";
const expectedSanitised = "User, \\[click here\\]\\(\\)";
const sanitised = (await client.sendEmail(EMAIL, "team@example.gov.uk", {
  personalisation: { name: unsafeInput }, reference: "client-ref", sanitiseContentFor: ["name"],
})).data;
check(sanitised.content.body === `Hello ${expectedSanitised}\r\n\r\nFunctional test help make our world a better place`,
  `exact sanitised body: ${JSON.stringify(sanitised.content.body)}`);
check(sanitised.sanitised_content.name.sanitised === expectedSanitised, "sanitised");
check(sanitised.sanitised_content.name.unsanitised === unsafeInput, "unsanitised");

const upload = (await client.sendEmail(EMAIL, "team@example.gov.uk", {
  personalisation: { name: "Foo", documents: client.prepareUpload(Buffer.from("%PDF-1.5 testpdf")) },
})).data;
check(upload.content.body === emailBody, "a file sent by email");

const sms = (await team.sendSms(SMS, "07700900123", { personalisation, smsSenderId: sender.id })).data;
check(sms.content.body === "Hello Foo\n\nFunctional Tests make our world a better place", "sms body");
check(sms.content.from_number === "447700900000", `sender id: ${sms.content.from_number}`);

const letter = (await client.sendLetter(LETTER, {
  personalisation: { address_line_1: "Abcde", address_line_2: "Foo", postcode: "SW1 1AA" },
})).data;
check(letter.content.body === "Hello Abcde", "letter body");
const got = (await client.getNotificationById(letter.id)).data;
check(got.line_3 === null && got.postcode === "SW1 1AA", `postcode stays out of the lines: ${JSON.stringify(got)}`);

const pdf = Buffer.concat([Buffer.from("%PDF-1.5\n"), Buffer.from([0xe2, 0xe3, 0xcf, 0xd3, 0, 255]), Buffer.from("\n%%EOF\n")]);
const pre = (await client.sendPrecompiledLetter("my_reference", pdf, "first")).data;
let served;
for (let i = 0; i < 50 && !served; i++) {
  try {
    served = await client.getPdfForLetterNotification(pre.id);
  } catch (e) {
    check(e.response?.data?.errors?.[0]?.error === "PDFNotReadyError", "only not-ready may be retried");
    await new Promise((r) => setTimeout(r, 100));
  }
}
check(served && Buffer.compare(Buffer.from(served), pdf) === 0, "the PDF served back is the one uploaded");

const smsNow = (await client.getTemplateById(SMS)).data;
check(smsNow.name === "Client Functional test sms template" && smsNow.version === 2, "current sms template");
const smsV1 = (await client.getTemplateByIdAndVersion(SMS, 1)).data;
check(smsV1.name === "Example text message template" && smsV1.version === 1, "sms history");
const letterV1 = (await client.getTemplateByIdAndVersion(LETTER, 1)).data;
check(letterV1.name === "Untitled" && letterV1.letter_contact_block === null, "letter history");
const letterNow = (await client.getTemplateById(LETTER)).data;
check(letterNow.letter_contact_block.startsWith("Government Digital Service\n"), "letter contact block");
check(!("service" in letterNow) && "personalisation" in letterNow, "template shape");
check((await client.getReceivedTexts()).data.received_text_messages.length > 0, "received texts");
console.log("OK notifications-node-client suite steps");
