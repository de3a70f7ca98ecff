// Drives the official notifications-node-client, unmodified, against gaap-sandbox.
// Usage: node notify_node.mjs '<first stdout line of gaap sandbox>'
import { NotifyClient } from "notifications-node-client";

const SMS = "f33517ff-2a88-4f6e-b855-c550268ce08a";
const EMAIL = "0d2f1d4a-9e7c-4c5e-a2f0-7c1b7a0f2b11";
const LETTER = "4a6e1b55-3b0c-4f43-9a61-2b6f0d3e7c22";

function check(cond, what) {
  if (!cond) {
    console.error(`FAILED: ${what}`);
    process.exit(1);
  }
}

const creds = JSON.parse(process.argv[2]).notify;
const client = new NotifyClient(creds.base_url, creds.api_key);

const sms = (await client.sendSms(SMS, "07700900123", { personalisation: { code: "99" }, reference: "node-sms" })).data;
check(sms.content.body === "Your code is 99", "sms body");
const email = (await client.sendEmail(EMAIL, "someone@example.gov.uk", {
  personalisation: { name: "Cy", "reference number": "R2" }, reference: "node-email",
})).data;
check(email.content.subject === "Hello Cy", "email subject");
const letter = (await client.sendLetter(LETTER, {
  personalisation: { name: "Cy", address_line_1: "Cy Example", address_line_2: "2 High Street", postcode: "SW1A 2AA" },
  reference: "node-letter",
})).data;
check(letter.content.subject === "Your application", "letter subject");

const got = (await client.getNotificationById(sms.id)).data;
check(got.id === sms.id && got.type === "sms", "get by id");

for (let i = 0; i < 255; i++) {
  await client.sendSms(SMS, "07700900123", { personalisation: { code: String(i) }, reference: "node-page" });
}
const page1 = (await client.getNotifications("sms", undefined, "node-page")).data;
check(page1.notifications.length === 250 && page1.links.next, "first page of 250 with a next link");
const last = page1.notifications[page1.notifications.length - 1].id;
const page2 = (await client.getNotifications("sms", undefined, "node-page", last)).data;
check(page2.notifications.length === 5, `second page has the rest (got ${page2.notifications.length})`);

const template = (await client.getTemplateById(SMS)).data;
check(template.type === "sms", "get template");
check((await client.getTemplateByIdAndVersion(EMAIL, 1)).data.version === 1, "template version");
const templates = (await client.getAllTemplates()).data.templates;
check(templates.length >= 3, "list templates");
check((await client.getAllTemplates("email")).data.templates.length === 1, "list by type");
const preview = (await client.previewTemplateById(EMAIL, { name: "Di", "reference number": "Z" })).data;
check(preview.subject === "Hello Di", "preview");
const texts = (await client.getReceivedTexts()).data;
check(texts.received_text_messages.length >= 1, "received texts");

try {
  await client.sendSms(SMS, "077234", { personalisation: { code: "1" } });
  check(false, "invalid phone is refused");
} catch (e) {
  check(e.response?.status === 400, `invalid phone gets 400 (got ${e.response?.status})`);
  check(e.response.data.errors[0].message === "phone_number Not enough digits", JSON.stringify(e.response.data));
}
try {
  const bad = new NotifyClient(creds.base_url, creds.api_key.slice(0, -36) + "00000000-0000-0000-0000-000000000000");
  await bad.getAllTemplates();
  check(false, "bad key is refused");
} catch (e) {
  check(e.response?.status === 403, `bad key gets 403 (got ${e.response?.status})`);
  check(e.response.data.errors[0].message === "Invalid token: API key not found", JSON.stringify(e.response.data));
}
console.log("OK notifications-node-client");
